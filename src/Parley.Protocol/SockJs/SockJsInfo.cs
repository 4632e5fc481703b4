using System.Globalization;

namespace Parley.Protocol.SockJs;

/// <summary>Body of the <c>GET {prefix}/info</c> response.</summary>
public static class SockJsInfo
{
    /// <summary><c>{"websocket":true,"origins":["*:*"],"cookie_needed":false,"entropy":N}</c>.</summary>
    public static string CreateJson(uint entropy, bool websocket = true, bool cookieNeeded = false) =>
        "{\"websocket\":" + Bool(websocket)
        + ",\"origins\":[\"*:*\"],\"cookie_needed\":" + Bool(cookieNeeded)
        + ",\"entropy\":" + entropy.ToString(CultureInfo.InvariantCulture) + "}";

    private static string Bool(bool value) => value ? "true" : "false";
}
