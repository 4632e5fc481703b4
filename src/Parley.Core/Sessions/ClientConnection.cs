using System.Diagnostics;
using System.Threading.Channels;
using Parley.Abstractions;
using Parley.Abstractions.Events;
using Parley.Abstractions.Hooks;

namespace Parley.Core.Sessions;

/// <summary>
/// One authenticated connection as the engine sees it: identity, a bounded outbound queue the transport drains,
/// liveness and rate state. The engine never blocks on it: a full live queue closes the connection (the client
/// recovers by sync), which is what keeps one slow client from stalling fan-out to everyone else.
/// </summary>
public sealed class ClientConnection : IConnectionInfo
{
    private readonly Channel<ServerEvent> _outbound = Channel.CreateUnbounded<ServerEvent>(
        new UnboundedChannelOptions { SingleReader = true, SingleWriter = false, AllowSynchronousContinuations = false });
    private readonly CancellationTokenSource _closing = new();
    private readonly TokenBucket _rate;
    private readonly int _liveCapacity;
    private int _queued;
    private int _closeCode = -1;
    private long _lastActivity;

    internal ClientConnection(long id, long userId, string userName, string tokenId, string transport, string? remoteAddress,
        ConnectionOptionsSnapshot options)
    {
        Id = id;
        UserId = userId;
        UserName = userName;
        TokenId = tokenId;
        Transport = transport;
        RemoteAddress = remoteAddress;
        ConnectedAt = DateTimeOffset.UtcNow;
        _liveCapacity = options.QueueCapacity;
        _rate = new TokenBucket(options.RatePerSecond, options.RateBurst, options.FloodThreshold, options.FloodWindowTicks, Stopwatch.GetTimestamp);
        _lastActivity = Stopwatch.GetTimestamp();
    }

    public long Id { get; }
    public long UserId { get; }
    public string UserName { get; }
    /// <summary>The token (jti) the connection authenticated with; logout closes connections by it.</summary>
    public string TokenId { get; }
    public string Transport { get; }
    public string? RemoteAddress { get; }
    public DateTimeOffset ConnectedAt { get; }

    /// <summary>What the transport writes, in order.</summary>
    public ChannelReader<ServerEvent> Outbound => _outbound.Reader;

    /// <summary>Cancelled when the engine (or the transport) closes the connection.</summary>
    public CancellationToken Closing => _closing.Token;

    /// <summary>Why it was closed, once it was.</summary>
    public DisconnectCode? CloseCode => _closeCode < 0 ? null : (DisconnectCode)_closeCode;

    public bool IsClosed => _closeCode >= 0;

    /// <summary>Events queued and not yet taken by the transport.</summary>
    public int QueueLength => Volatile.Read(ref _queued);

    internal long LastActivityTicks => Volatile.Read(ref _lastActivity);

    /// <summary>
    /// A per-connection idle timeout that replaces the global one (for protocols that negotiate liveness, such as
    /// STOMP heart-beats); null = <c>Parley:Connections:IdleTimeoutMs</c>.
    /// </summary>
    public TimeSpan? IdleTimeout { get; set; }

    /// <summary>Marks the connection alive and applies the rate limit to one inbound frame.</summary>
    public FrameAdmission Admit()
    {
        Volatile.Write(ref _lastActivity, Stopwatch.GetTimestamp());
        var result = _rate.Admit();
        if (result == FrameAdmission.Flooding) Close(DisconnectCode.Flooding);
        return result;
    }

    /// <summary>Marks the connection alive without rate accounting (transport-level heart-beats).</summary>
    public void Touch() => Volatile.Write(ref _lastActivity, Stopwatch.GetTimestamp());

    /// <summary>Queues a live event; false (and the connection closed as a slow consumer) when the queue is full.</summary>
    public bool TryEnqueueLive(ServerEvent ev) => TryEnqueue(ev, _liveCapacity);

    /// <summary>
    /// Queues a reply. Replies are bounded by their request's own limits, so they may exceed the live capacity,
    /// but not without end: a client that never reads is closed.
    /// </summary>
    public bool EnqueueReply(ServerEvent ev) => TryEnqueue(ev, _liveCapacity * 4);

    private bool TryEnqueue(ServerEvent ev, int capacity)
    {
        if (IsClosed) return false;
        if (Interlocked.Increment(ref _queued) > capacity)
        {
            Interlocked.Decrement(ref _queued);
            Close(DisconnectCode.SlowConsumer);
            return false;
        }
        if (_outbound.Writer.TryWrite(ev)) return true;
        Interlocked.Decrement(ref _queued);
        return false;
    }

    /// <summary>Takes the next event for writing; the transport calls this, never the engine.</summary>
    public bool TryDequeue(out ServerEvent ev)
    {
        if (_outbound.Reader.TryRead(out ev!))
        {
            Interlocked.Decrement(ref _queued);
            return true;
        }
        return false;
    }

    /// <summary>Closes once; later calls keep the first code. The transport sends the close and unregisters.</summary>
    public void Close(DisconnectCode code)
    {
        if (Interlocked.CompareExchange(ref _closeCode, (int)code, -1) != -1) return;
        _outbound.Writer.TryComplete();
        try { _closing.Cancel(); } catch (ObjectDisposedException) { }
    }
}

/// <summary>Connection limits resolved once from options (Stopwatch ticks precomputed).</summary>
internal readonly record struct ConnectionOptionsSnapshot(int QueueCapacity, double RatePerSecond, int RateBurst, int FloodThreshold, long FloodWindowTicks);
