using System.Net;

namespace Parley.Transports.MobileImSdk;

/// <summary>The <c>Parley:MobileImSdk</c> section: the MobileIMSDK-compatible gateway (docs/mobileimsdk.md).</summary>
public sealed class MobileImGatewayOptions
{
    public const string Section = "Parley:MobileImSdk";

    /// <summary>Master switch; when false no listener is opened and <c>/websocket</c> is not mapped.</summary>
    public bool Enabled { get; set; } = true;

    public ListenerOptions Udp { get; set; } = new() { Port = 7901, IdleTimeoutMs = 10_000, MaxPacketBytes = 2048 };
    public ListenerOptions Tcp { get; set; } = new() { Port = 8901, IdleTimeoutMs = 20_000, MaxPacketBytes = 6144 };

    /// <summary>
    /// WebSocket: always served at <see cref="WebSocketPath"/> on the main HTTP listener when enabled; <c>Port</c> adds an
    /// extra HTTP listener (default 3000, the MobileIMSDK default; -1 = none, 0 = ephemeral).
    /// </summary>
    public ListenerOptions WebSocket { get; set; } = new() { Port = 3000, IdleTimeoutMs = 20_000, MaxPacketBytes = 65536 };

    public string WebSocketPath { get; set; } = "/websocket";

    /// <summary>
    /// Interval of the server's WebSocket ping to an otherwise silent MobileIMSDK WebSocket client (it keeps NATs and
    /// proxies from dropping the connection; liveness itself is the client's keep-alive packets); 0 = none.
    /// </summary>
    public int WebSocketKeepAliveMs { get; set; } = 120_000;

    /// <summary>Largest server→client UDP datagram (Java/Android UDP clients read into 1024 bytes).</summary>
    public int UdpMaxOutboundBytes { get; set; } = 1024;

    /// <summary>
    /// Kernel receive buffer of the UDP socket (SO_RCVBUF). The default (~208 KiB) overflows when a thousand clients
    /// send at once and the kernel drops datagrams before the gateway sees them; Linux caps the value at
    /// <c>net.core.rmem_max</c>. 0 keeps the system default.
    /// </summary>
    public int UdpReceiveBufferBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>Period of the server→client QoS check (MobileIMSDK: 5000 ms).</summary>
    public int QosCheckIntervalMs { get; set; } = 5000;

    /// <summary>A packet sent more recently than this is not resent at a check (MobileIMSDK: 2000 ms).</summary>
    public int QosResendAfterMs { get; set; } = 2000;

    /// <summary>Resends before a server→client QoS packet is reported lost (MobileIMSDK: 1).</summary>
    public int QosMaxResends { get; set; } = 1;

    /// <summary>How long a client fingerprint is remembered for de-duplication (MobileIMSDK: 10 minutes).</summary>
    public int DuplicateWindowMs { get; set; } = 600_000;

    /// <summary>
    /// How long a sender's chat-message fp keeps the stored id its first copy got, so a resend is answered, not stored
    /// again. It must outlast the clients' resends (the Java SDK reports a message lost 13–18 s after sending it).
    /// Within it, fps are stored time-first, which keeps the store's idempotency index from taking a random page
    /// per message; 0 stores fps as they are and de-duplicates them for ever. On a cluster fps are always stored as
    /// they are, because a resend may come to another node.
    /// </summary>
    public int ResendWindowMs { get; set; } = 60_000;

    /// <summary>
    /// How long a receiver's acknowledgements are gathered before its delivered cursor moves (one store write per
    /// conversation instead of one per message). A server stop or a logout moves them at once; a crash loses at most
    /// this much, and those messages are replayed at the next login. 0 moves the cursor at every ACK.
    /// </summary>
    public int CursorDelayMs { get; set; } = 200;

    /// <summary>Stamp <c>sm</c> (server time in ms) on every packet written (MobileIMSDK option, off by default).</summary>
    public bool ServerTimestamp { get; set; }

    /// <summary>Replay undelivered messages (from the delivered cursor) after each successful login.</summary>
    public bool ReplayOnLogin { get; set; } = true;
}

/// <summary>One gateway listener.</summary>
public sealed class ListenerOptions
{
    public bool Enabled { get; set; } = true;

    /// <summary>Bind address; "127.0.0.1" by default, "0.0.0.0" or "::" for every interface.</summary>
    public string Address { get; set; } = "127.0.0.1";

    /// <summary>Port; 0 = ephemeral (see <see cref="MobileImGatewayEndpoints"/>).</summary>
    public int Port { get; set; }

    /// <summary>A session that sends nothing for this long is closed (the server side of the sense mode).</summary>
    public int IdleTimeoutMs { get; set; }

    /// <summary>Largest inbound packet: UDP datagram, TCP body or WebSocket message.</summary>
    public int MaxPacketBytes { get; set; }

    internal IPEndPoint EndPoint() => new(IPAddress.Parse(Address), Port);
}

/// <summary>The addresses the gateway actually bound (ports resolved when configured as 0).</summary>
public sealed class MobileImGatewayEndpoints
{
    private readonly TaskCompletionSource _udpReady = new(TaskCreationOptions.RunContinuationsAsynchronously);
    internal Func<IPEndPoint?>? TcpResolver { get; set; }
    internal Func<IPEndPoint?>? WebSocketResolver { get; set; }

    /// <summary>Bound UDP endpoint, once the UDP gateway started.</summary>
    public IPEndPoint? Udp { get; private set; }

    /// <summary>Bound TCP endpoint (after the server started).</summary>
    public IPEndPoint? Tcp => TcpResolver?.Invoke();

    /// <summary>Extra WebSocket listener endpoint (after the server started); null when none is configured.</summary>
    public IPEndPoint? WebSocket => WebSocketResolver?.Invoke();

    /// <summary>Completes once the UDP socket is bound (immediately if UDP is disabled).</summary>
    public Task UdpReady => _udpReady.Task;

    internal void SetUdp(IPEndPoint? endPoint)
    {
        Udp = endPoint;
        _udpReady.TrySetResult();
    }
}
