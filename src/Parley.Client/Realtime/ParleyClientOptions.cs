namespace Parley.Client;

/// <summary>Settings of a <see cref="ParleyClient"/>. Defaults suit interactive apps.</summary>
public sealed class ParleyClientOptions
{
    /// <summary>How long to wait for the socket to open and the <c>welcome</c> frame. Default 15 s.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How long a request (send, history, ping …) waits for its reply. Default 15 s.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Reconnect automatically after a lost connection (not after 4002, 4003, 4004 or 1000). Default true.</summary>
    public bool AutoReconnect { get; set; } = true;

    /// <summary>First reconnect delay; doubled per failed attempt, with jitter. Default 0.5 s.</summary>
    public TimeSpan ReconnectInitialDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Upper bound of the reconnect delay. Default 30 s.</summary>
    public TimeSpan ReconnectMaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Minimum delay before reconnecting after 4029 <c>flooding</c>. Default 5 s.</summary>
    public TimeSpan FloodingReconnectDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Send a coalesced delivered-<c>ack</c> per conversation after raising <see cref="ParleyClient.MessageReceived"/>. Default true.</summary>
    public bool AutoAcknowledge { get; set; } = true;

    /// <summary>How long live deliveries are collected before one <c>ack</c> per conversation is sent. Default 200 ms.
    /// During a sync, acks are sent when the <c>synced</c> frame arrives.</summary>
    public TimeSpan AckDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Ping interval; when null, the server's <c>heartbeatMs</c> from <c>welcome</c> (or 25 s). A connection
    /// silent for twice this interval is treated as dead.</summary>
    public TimeSpan? HeartbeatInterval { get; set; }

    /// <summary>Largest frame accepted from the server; a bigger one drops the connection. Default 16 MiB.</summary>
    public int MaxReceiveFrameBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>The <c>limit</c> sent with <c>sync</c> (server default when null).</summary>
    public int? SyncLimit { get; set; }

    /// <summary>Cursors (last seq the app holds per conversation) to start from, e.g. persisted from <see cref="ParleyClient.GetCursors"/>.</summary>
    public IReadOnlyDictionary<string, long>? InitialCursors { get; set; }

    /// <summary>Optional diagnostics sink (connection events, dropped frames, handler exceptions). Must not block.</summary>
    public Action<string>? Diagnostics { get; set; }
}
