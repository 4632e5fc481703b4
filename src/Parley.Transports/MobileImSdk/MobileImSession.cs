using System.Diagnostics;
using Parley.Core.Sessions;
using Parley.Protocol.MobileImSdk;

namespace Parley.Transports.MobileImSdk;

/// <summary>
/// One MobileIMSDK session: a UDP remote endpoint, a TCP connection or a WebSocket. Packets go out through one
/// writer loop in order; <see cref="Close"/> lets the queued packets (a kick, an error 301) reach the wire first and
/// then closes the transport. Login state lives here; the engine sees a <see cref="ClientConnection"/> once logged in.
/// </summary>
public abstract class MobileImSession
{
    private static long s_nextId;
    private const int QueueCapacity = 4096;
    // Not a channel: its segment and reader objects cost about 1 KiB per session, queued or not.
    private readonly OutboundQueue<byte[]> _out = new();
    private readonly CancellationTokenSource _transportClosed = new();
    private long _lastActivity = Stopwatch.GetTimestamp();
    private int _closing;
    private Task _writer = Task.CompletedTask;

    protected MobileImSession(string transport, string? remoteAddress, ListenerOptions options, bool closesOnError)
    {
        Id = Interlocked.Increment(ref s_nextId);
        Transport = transport;
        RemoteAddress = remoteAddress;
        Options = options;
        ClosesOnError = closesOnError;
    }

    public long Id { get; }

    /// <summary>"mobileimsdk-udp", "mobileimsdk-tcp" or "mobileimsdk-ws".</summary>
    public string Transport { get; }

    public string? RemoteAddress { get; }

    internal ListenerOptions Options { get; }

    /// <summary>TCP and WebSocket close the session after a refused login, an error 301 or a kick; UDP does not.</summary>
    public bool ClosesOnError { get; }

    /// <summary>Canonical account name once logged in.</summary>
    public string? UserId { get; internal set; }

    /// <summary>The loginUserId as the client sent it (used as <c>to</c> of packets for this session).</summary>
    internal string? LoginUserId { get; set; }

    internal long FirstLoginTime { get; set; }

    internal ClientConnection? Connection;

    /// <summary>What the engine connection of a login attaches for the sweep's keep-alive ticks (WebSocket sessions).</summary>
    internal IConnectionLink? Link { get; init; }

    internal readonly SemaphoreSlim Gate = new(1, 1);

    public bool IsClosing => Volatile.Read(ref _closing) != 0;

    /// <summary>Cancelled once the transport was closed (after the queued packets were written).</summary>
    public CancellationToken TransportClosed => _transportClosed.Token;

    internal long LastActivityTicks => Volatile.Read(ref _lastActivity);

    internal void Touch() => Volatile.Write(ref _lastActivity, Stopwatch.GetTimestamp());

    /// <summary>Largest packet this transport may write (UDP: the client's receive buffer).</summary>
    protected virtual int MaxOutboundBytes => int.MaxValue;

    /// <summary>Queues a packet; false when closing, over the outbound size limit or the queue is full.</summary>
    public bool Send(Protocal packet, bool stampServerTime = false)
    {
        if (stampServerTime) packet = packet with { Sm = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() };
        var bytes = ProtocalCodec.Encode(packet);
        return SendEncoded(bytes);
    }

    internal bool SendEncoded(byte[] bytes) => bytes.Length <= MaxOutboundBytes && !IsClosing && _out.TryWrite(bytes, QueueCapacity);

    internal bool Fits(int encodedLength) => encodedLength <= MaxOutboundBytes;

    /// <summary>Closes after the queued packets were written. Idempotent.</summary>
    public void Close()
    {
        if (Interlocked.Exchange(ref _closing, 1) != 0) return;
        _out.Complete();
    }

    /// <summary>Completes when the writer loop ended and the transport was closed.</summary>
    public Task Completion => _writer;

    internal void StartWriter() => _writer = Task.Run(WriteLoopAsync);

    private async Task WriteLoopAsync()
    {
        try
        {
            while (await _out.WaitToReadAsync(_transportClosed.Token))
            {
                // Packets queued together leave together: written one by one, flushed once.
                for (var n = 0; n < MaxPacketsPerFlush && _out.TryRead(out var bytes); n++) await WriteAsync(bytes, _transportClosed.Token);
                await FlushAsync(_transportClosed.Token);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or System.Net.Sockets.SocketException
                                       or System.Net.WebSockets.WebSocketException or InvalidOperationException or ObjectDisposedException)
        {
        }
        finally
        {
            Close();
            try { await CloseTransportAsync(); } catch (Exception) { }
            try { _transportClosed.Cancel(); } catch (ObjectDisposedException) { }
        }
    }

    private const int MaxPacketsPerFlush = 256;

    /// <summary>Writes (or queues, until <see cref="FlushAsync"/>) one encoded packet; only the writer loop calls it.</summary>
    protected abstract ValueTask WriteAsync(byte[] packet, CancellationToken ct);

    /// <summary>Sends what <see cref="WriteAsync"/> queued; transports that send each packet at once need not override.</summary>
    protected virtual ValueTask FlushAsync(CancellationToken ct) => default;

    /// <summary>Ends the transport after the last write (UDP: forgets the pseudo-session).</summary>
    protected abstract ValueTask CloseTransportAsync();
}
