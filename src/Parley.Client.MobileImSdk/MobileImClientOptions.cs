namespace Parley.Client.MobileImSdk;

/// <summary>Which MobileIMSDK transport the client uses.</summary>
public enum MobileImTransport
{
    /// <summary>One JSON envelope per datagram (server default port 7901).</summary>
    Udp = 0,

    /// <summary>4-byte big-endian length + JSON body (server default port 8901).</summary>
    Tcp = 1,
}

/// <summary>Client settings. The defaults are the Java SDK's (UDP: 3 s keep-alive, 10 s timeout).</summary>
public sealed class MobileImClientOptions
{
    /// <summary>Transport.</summary>
    public MobileImTransport Transport { get; set; } = MobileImTransport.Udp;

    /// <summary>Server host name or address.</summary>
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>Server port.</summary>
    public int Port { get; set; } = 7901;

    /// <summary>Interval between keep-alives (type 1) while logged in.</summary>
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>The link counts as lost when no keep-alive response (type 51) arrived for this long.</summary>
    public TimeSpan KeepAliveTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Log in again automatically after a link loss or an error 301.</summary>
    public bool AutoRelogin { get; set; } = true;

    /// <summary>Interval between automatic re-login attempts (Java SDK: 2 s UDP, 3 s TCP).</summary>
    public TimeSpan ReloginInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Period of the QoS resend check (Java SDK: 5 s).</summary>
    public TimeSpan QosCheckInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>A QoS packet sent more recently than this is not resent at a check (Java SDK: 3 s).</summary>
    public TimeSpan QosResendAfter { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>Resends before a QoS packet is reported lost (Java SDK: 2).</summary>
    public int QosMaxResends { get; set; } = 2;

    /// <summary>How long a received fingerprint is remembered to drop resent duplicates (Java SDK: 10 minutes).</summary>
    public TimeSpan DuplicateWindow { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Largest TCP frame body accepted from the server.</summary>
    public int MaxTcpBody { get; set; } = 6144;

    /// <summary>How long <see cref="MobileImClient.LoginAsync"/> waits for the login response.</summary>
    public TimeSpan LoginTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Resolution of the client's internal timers.</summary>
    public TimeSpan TimerResolution { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Options with the UDP defaults for a server at <paramref name="host"/>:<paramref name="port"/>.</summary>
    public static MobileImClientOptions ForUdp(string host, int port) => new() { Transport = MobileImTransport.Udp, Host = host, Port = port };

    /// <summary>Options with the Java TCP SDK's 5S sense mode (5 s keep-alive, 8 s timeout, re-login every 3 s).</summary>
    public static MobileImClientOptions ForTcp(string host, int port) => new()
    {
        Transport = MobileImTransport.Tcp, Host = host, Port = port, KeepAliveInterval = TimeSpan.FromSeconds(5),
        KeepAliveTimeout = TimeSpan.FromSeconds(8), ReloginInterval = TimeSpan.FromSeconds(3),
    };
}

/// <summary>A type-2 data packet delivered to the application.</summary>
/// <param name="Fp">Fingerprint (null for a packet sent without QoS).</param>
/// <param name="From">Sender's user id ("0" = the server).</param>
/// <param name="DataContent">The text.</param>
/// <param name="TypeU">Application sub-type (-1 = unused).</param>
public sealed record MobileImMessage(string? Fp, string From, string? DataContent, int TypeU);
