using System.ComponentModel.DataAnnotations;

namespace Parley.Transports.Stomp;

/// <summary>STOMP and SockJS settings, bound from <c>Parley:Stomp</c>. Defaults follow Spring's.</summary>
public sealed class StompOptions
{
    public const string Section = "Parley:Stomp";

    /// <summary>Largest inbound STOMP frame (and WebSocket message / SockJS payload), bytes.</summary>
    [Range(1024, 16 * 1024 * 1024)] public int MaxInboundMessageBytes { get; set; } = 64 * 1024;

    /// <summary>Encoded bytes waiting to be written to one session before it is closed as a slow consumer.</summary>
    [Range(1024, 256 * 1024 * 1024)] public int SendBufferSizeLimitBytes { get; set; } = 512 * 1024;

    /// <summary>Longest one write to a session may take before it is closed as a slow consumer, ms.</summary>
    [Range(100, 600_000)] public int SendTimeLimitMs { get; set; } = 15_000;

    [Range(1, 100_000)] public int MaxSubscriptionsPerSession { get; set; } = 256;

    /// <summary>The server's heart-beat offer: how often it can send (sx), ms; 0 = never.</summary>
    [Range(0, 3_600_000)] public int HeartbeatSendMs { get; set; } = 10_000;

    /// <summary>The server's heart-beat offer: how often it wants to hear from the client (sy), ms; 0 = never.</summary>
    [Range(0, 3_600_000)] public int HeartbeatReceiveMs { get; set; } = 10_000;

    /// <summary>A client is closed when silent for this many negotiated client intervals.</summary>
    [Range(1.5, 10)] public double HeartbeatTolerance { get; set; } = 2;

    /// <summary>Time allowed between opening the socket (or SockJS session) and a successful CONNECT, ms.</summary>
    [Range(100, 600_000)] public int ConnectTimeoutMs { get; set; } = 10_000;

    /// <summary>Origins allowed besides the server's own (e.g. <c>https://app.example.com</c>); <c>*</c> allows any.</summary>
    public List<string> AllowedOrigins { get; set; } = [];

    /// <summary>SockJS heart-beat frame (<c>h</c>) interval, ms.</summary>
    [Range(100, 3_600_000)] public int SockJsHeartbeatMs { get; set; } = 25_000;

    /// <summary>A SockJS session without a receiving request for this long is closed, ms.</summary>
    [Range(100, 600_000)] public int SockJsDisconnectDelayMs { get; set; } = 5_000;

    /// <summary>Bytes sent on one xhr-streaming response before it is ended (the client opens a new one).</summary>
    [Range(1024, 64 * 1024 * 1024)] public int SockJsStreamBytesLimit { get; set; } = 128 * 1024;
}
