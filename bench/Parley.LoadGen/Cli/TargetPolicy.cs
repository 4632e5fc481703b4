using System.Net;
using System.Net.Sockets;

namespace Parley.LoadGen;

/// <summary>
/// The load generator targets loopback unless told otherwise: a <c>--url</c> whose host is not a loopback address
/// (or a name that does not resolve only to loopback) needs <c>--allow-remote</c> as well.
/// </summary>
public static class TargetPolicy
{
    /// <summary>True when the host is certainly loopback without a DNS look-up (an IP literal or "localhost").</summary>
    public static bool IsLoopbackLiteral(string host)
    {
        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)) return true;
        return IPAddress.TryParse(host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip);
    }

    /// <summary>Throws unless <paramref name="url"/> is loopback or remote targets were explicitly allowed.</summary>
    public static async Task EnsureAllowedAsync(Uri url, bool allowRemote)
    {
        if (allowRemote || IsLoopbackLiteral(url.Host)) return;
        IPAddress[] addresses;
        try { addresses = await ResolveAsync(url.Host); }
        catch (SocketException ex) { throw new ArgumentException($"cannot resolve {url.Host}: {ex.Message}"); }
        if (addresses.Length == 0 || !addresses.All(IPAddress.IsLoopback))
            throw new ArgumentException($"{url.Host} is not a loopback address: pass --allow-remote to load a remote server");
    }

    public static async Task<IPAddress[]> ResolveAsync(string host)
    {
        var trimmed = host.Trim('[', ']');
        if (IPAddress.TryParse(trimmed, out var ip)) return [ip];
        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)) return [IPAddress.Loopback];
        return (await Dns.GetHostAddressesAsync(trimmed)).OrderBy(a => a.AddressFamily == AddressFamily.InterNetwork ? 0 : 1).ToArray();
    }

    /// <summary>An explicit <c>host:port</c> endpoint option (MobileIMSDK listeners of a --url server), same rule.</summary>
    public static IPEndPoint ParseEndPoint(string name, string value, bool allowRemote)
    {
        if (!IPEndPoint.TryParse(value, out var endPoint) || endPoint.Port == 0)
            throw new ArgumentException($"{name} must be ip:port");
        if (!allowRemote && !IPAddress.IsLoopback(endPoint.Address))
            throw new ArgumentException($"{name} {value} is not a loopback address: pass --allow-remote (before it) to load a remote server");
        return endPoint;
    }
}
