using System.Diagnostics.CodeAnalysis;
using System.Diagnostics;
using Parley.Abstractions;
using Parley.Abstractions.Calls;
using Parley.Abstractions.Events;
using Parley.Abstractions.Hooks;
using Parley.Core.Clients;

namespace Parley.Core.Sessions;

/// <summary>
/// One authenticated connection as the engine sees it: identity, a bounded outbound queue the transport drains,
/// liveness and rate state. The engine never blocks on it: a full live queue closes the connection (the client
/// recovers by sync), which is what keeps one slow client from stalling fan-out to everyone else.
/// </summary>
public sealed class ClientConnection : IConnectionInfo
{
    private readonly OutboundQueue<ServerEvent> _outbound = new();
    private readonly CancellationTokenSource _closing = new();
    private readonly TokenBucket _rate;
    private readonly int _liveCapacity;
    private int _queued;
    private int _closeCode = -1;
    private long _lastActivity;
    private int _queriesInFlight;
    private ClientCallTable? _calls;
    private int _callsEnabled;
    private IConnectionLink? _link;
    private long _closedAt;
    private long _writeStartedAt;
    private int _linkAborted;

    internal ClientConnection(long id, long userId, string userName, string tokenId, string transport, string? remoteAddress,
        ConnectionLimits limits, ClientIdentity? client = null)
    {
        Id = id;
        UserId = userId;
        UserName = userName;
        TokenId = tokenId;
        Transport = transport;
        RemoteAddress = remoteAddress;
        Client = client;
        ConnectedAt = DateTimeOffset.UtcNow;
        Limits = limits;
        _liveCapacity = limits.QueueCapacity;
        _rate = new TokenBucket(limits.RatePerSecond, limits.RateBurst, limits.FloodThreshold, limits.FloodWindowTicks, Stopwatch.GetTimestamp);
        _lastActivity = Stopwatch.GetTimestamp();
        if (limits.CustomIdleTimeout) IdleTimeout = TimeSpan.FromMilliseconds(limits.IdleTimeoutMs);
    }

    public long Id { get; }
    /// <summary>The user; 0 for a client connection whose token names no user (it may not chat).</summary>
    public long UserId { get; }
    /// <summary>The user's account name; empty for a client connection without a user.</summary>
    public string UserName { get; }
    /// <summary>The client identity of a device or program connection; null for a plain user connection.</summary>
    public ClientIdentity? Client { get; }
    public string? ClientKind => Client?.Kind;
    public string? ClientId => Client?.Id;
    public bool HasUser => UserId > 0;
    internal ConnectionLimits Limits { get; }
    /// <summary>Heart-beat interval advised to this connection (its kind's, or <c>Parley:Connections:HeartbeatMs</c>).</summary>
    public int HeartbeatMs => Limits.HeartbeatMs;
    /// <summary>
    /// Server → client calls; null when the transport cannot carry them. The table is made by the first call: most
    /// connections never get one, and an idle connection should not carry it.
    /// </summary>
    internal ClientCallTable? Calls
    {
        get
        {
            // Enabled is asked first: a transport may stop taking calls (a STOMP session unsubscribing from them),
            // while the answers to calls it was sent still find the table (ExistingCalls).
            if (Volatile.Read(ref _callsEnabled) == 0) return null;
            if (Volatile.Read(ref _calls) is { } table) return table;
            Interlocked.CompareExchange(ref _calls, new ClientCallTable(this, Limits.MaxCallsInFlight), null);
            return _calls;
        }
    }

    /// <summary>The call table if a call made one (answers look here: a stray answer makes no table).</summary>
    internal ClientCallTable? ExistingCalls => Volatile.Read(ref _calls);

    /// <summary>Whether the transport can carry server → client calls.</summary>
    internal bool AcceptsCalls => Volatile.Read(ref _callsEnabled) != 0;

    /// <summary>For logs: the account name, or kind/id for a client connection without a user.</summary>
    public string DisplayName => HasUser ? (Client is { } c ? UserName + " via " + c : UserName) : Client?.ToString() ?? "";
    /// <summary>The token (jti) the connection authenticated with; logout closes connections by it.</summary>
    public string TokenId { get; }
    public string Transport { get; }
    public string? RemoteAddress { get; }
    public DateTimeOffset ConnectedAt { get; }

    /// <summary>
    /// Waits until an event can be taken with <see cref="TryDequeue"/> (true) or the connection is closed and its
    /// queue drained (false). For the transport's one write loop.
    /// </summary>
    public ValueTask<bool> WaitToDequeueAsync(CancellationToken ct = default) => _outbound.WaitToReadAsync(ct);

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

    /// <summary>Hands the connection's deadlines to the sweep: it aborts <paramref name="link"/> when they pass.</summary>
    public void Attach(IConnectionLink link) => Volatile.Write(ref _link, link);

    /// <summary>
    /// A write to the peer starts: if it has not ended (<see cref="EndWrite"/>) within
    /// <c>Parley:Connections:SendTimeLimitMs</c>, the sweep closes the connection as a slow consumer and aborts it.
    /// </summary>
    public void BeginWrite() => Volatile.Write(ref _writeStartedAt, Stopwatch.GetTimestamp());

    /// <summary>The write started by <see cref="BeginWrite"/> is done.</summary>
    public void EndWrite() => Volatile.Write(ref _writeStartedAt, 0);

    internal IConnectionLink? Link => Volatile.Read(ref _link);
    internal long ClosedAtTicks => Volatile.Read(ref _closedAt);
    internal long WriteStartedTicks => Volatile.Read(ref _writeStartedAt);

    /// <summary>Aborts the transport once, however many sweeps find the connection past a deadline.</summary>
    internal bool AbortLink()
    {
        if (Link is not { } link || Interlocked.Exchange(ref _linkAborted, 1) != 0) return false;
        link.Abort();
        return true;
    }

    /// <summary>Marks the connection alive and applies the rate limit to one inbound frame.</summary>
    public FrameAdmission Admit()
    {
        Volatile.Write(ref _lastActivity, Stopwatch.GetTimestamp());
        var result = _rate.Admit();
        if (result == FrameAdmission.Flooding) Close(DisconnectCode.Flooding);
        return result;
    }

    /// <summary>Marks the connection alive and takes a rate token if one is left; no drop is counted when none is.</summary>
    public bool TryAdmit()
    {
        Volatile.Write(ref _lastActivity, Stopwatch.GetTimestamp());
        return _rate.TryTake();
    }

    /// <summary>Counts a frame that found no rate token (after <see cref="TryAdmit"/> failed): rate limited or flooding.</summary>
    public FrameAdmission Reject()
    {
        var result = _rate.Drop();
        if (result == FrameAdmission.Flooding) Close(DisconnectCode.Flooding);
        return result;
    }

    /// <summary>
    /// True when the frame just rejected was the first drop of the flood window. A dropped frame without a request id
    /// is reported only then: one error per window tells the client to slow down, and answering every dropped frame
    /// would turn a client's flood into a flood of replies that fills its own outbound queue.
    /// </summary>
    public bool FirstDropInWindow => _rate.FirstDropInWindow;

    /// <summary>Lets the engine send calls to this connection (the transport can carry <c>call</c> frames and their answers).</summary>
    public void EnableCalls()
    {
        Volatile.Write(ref _callsEnabled, 1);
    }

    /// <summary>Stops offering new calls to this connection; calls already sent can still be answered.</summary>
    public void DisableCalls()
    {
        Volatile.Write(ref _callsEnabled, 0);
    }

    /// <summary>Claims a slot for a query being handled; false when <c>MaxQueriesInFlight</c> are already running.</summary>
    internal bool TryBeginQuery()
    {
        if (Interlocked.Increment(ref _queriesInFlight) <= Limits.MaxQueriesInFlight) return true;
        Interlocked.Decrement(ref _queriesInFlight);
        return false;
    }

    internal void EndQuery() => Interlocked.Decrement(ref _queriesInFlight);

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
        if (_outbound.TryWrite(ev)) return true;
        Interlocked.Decrement(ref _queued);
        return false;
    }

    /// <summary>Takes the next event for writing; the transport calls this, never the engine.</summary>
    public bool TryDequeue([MaybeNullWhen(false)] out ServerEvent ev)
    {
        if (_outbound.TryRead(out ev))
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
        Volatile.Write(ref _closedAt, Stopwatch.GetTimestamp());
        _outbound.Complete();
        try { _closing.Cancel(); } catch (ObjectDisposedException) { }
        // A table made after this finds the connection closed when it registers its call (see ClientCallTable).
        Volatile.Read(ref _calls)?.FailAll();
    }
}
