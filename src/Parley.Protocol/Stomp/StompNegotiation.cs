using System.Globalization;

namespace Parley.Protocol.Stomp;

/// <summary>Effective heart-beat intervals in milliseconds; 0 = disabled.</summary>
public readonly record struct StompHeartbeatIntervals(long ServerSendMs, long ServerReceiveMs);

/// <summary>CONNECT-time negotiation helpers: protocol version and heart-beats.</summary>
public static class StompNegotiation
{
    /// <summary>Versions this server speaks, as sent in the <c>version</c> header of an ERROR on mismatch.</summary>
    public const string SupportedVersions = "1.0,1.1,1.2";

    private static readonly string[] Preference = ["1.2", "1.1", "1.0"];

    /// <summary>
    /// The highest of 1.2/1.1/1.0 offered in <c>accept-version</c>; a missing header means 1.0.
    /// Returns null when nothing offered is supported.
    /// </summary>
    public static string? NegotiateVersion(string? acceptVersion)
    {
        if (string.IsNullOrWhiteSpace(acceptVersion))
        {
            return "1.0";
        }

        var offered = acceptVersion.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        return Preference.FirstOrDefault(v => offered.Contains(v));
    }

    /// <summary>Parses <c>heart-beat: cx,cy</c>; a missing header means 0,0.</summary>
    public static bool TryParseHeartbeat(string? value, out long first, out long second)
    {
        first = second = 0;
        if (value is null)
        {
            return true;
        }

        var parts = value.Split(',');
        return parts.Length == 2
            && long.TryParse(parts[0].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out first)
            && long.TryParse(parts[1].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out second);
    }

    /// <summary>Formats a heart-beat header value, e.g. <c>10000,10000</c>.</summary>
    public static string FormatHeartbeat(long canSendMs, long wantsReceiveMs) =>
        string.Create(CultureInfo.InvariantCulture, $"{canSendMs},{wantsReceiveMs}");

    /// <summary>
    /// STOMP 1.2 §Heart-beating: the client offers (cx = it can send, cy = it wants to receive), the server
    /// (sx, sy). The server sends every max(sx, cy) unless either is 0, and expects the client every
    /// max(cx, sy) unless either is 0.
    /// </summary>
    public static StompHeartbeatIntervals NegotiateHeartbeat(long clientCx, long clientCy, long serverSx, long serverSy) =>
        new(
            clientCy == 0 || serverSx == 0 ? 0 : Math.Max(serverSx, clientCy),
            clientCx == 0 || serverSy == 0 ? 0 : Math.Max(clientCx, serverSy));
}
