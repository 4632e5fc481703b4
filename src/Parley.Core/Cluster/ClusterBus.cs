using System.Collections.Concurrent;
using System.Text;
using Microsoft.Extensions.Logging;
using Parley.Abstractions.Cluster;

namespace Parley.Core.Cluster;

/// <summary>
/// Named channels over the <see cref="IBroker"/>: the engine and the transports register a handler per channel and
/// publish already-serialised payloads (serialised once per fan-out, however many nodes receive them). Also the
/// generic "run this on the node that holds the user, and bring the answer back" path (<see cref="RequestAsync"/>)
/// that MobileIMSDK pushes and server-to-client calls use.
/// </summary>
/// <remarks>
/// Envelope: kind (1 byte: event, request, reply) · channel length (1 byte) · channel (ASCII) · for requests and
/// replies a 16-byte correlation id, then the reply-to node (length-prefixed) or the reply status byte · payload.
/// </remarks>
public sealed class ClusterBus : IBrokerHandler, IAsyncDisposable
{
    private const byte EventKind = 1, RequestKind = 2, ReplyKind = 3;
    private const byte NotHandled = 0, Handled = 1;

    private readonly IBroker _broker;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, Action<ReadOnlyMemory<byte>>> _handlers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Func<byte[], ValueTask<byte[]?>>> _requestHandlers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Guid, PendingRequest> _pending = new();
    private readonly List<Action<bool>> _connectionObservers = [];
    private int _started;

    public ClusterBus(IBroker broker, ILogger<ClusterBus> logger)
    {
        _broker = broker;
        _logger = logger;
    }

    public string NodeId => _broker.NodeId;

    /// <summary>False for a single node: callers then skip serialising anything.</summary>
    public bool IsClustered => _broker.IsClustered;

    public bool IsConnected => _broker.IsConnected;

    public IBroker Broker => _broker;

    /// <summary>Handles events of a channel. Runs on the bus loop: decode, hand off, return.</summary>
    public void Register(string channel, Action<ReadOnlyMemory<byte>> handler)
    {
        CheckChannel(channel);
        if (!_handlers.TryAdd(channel, handler)) throw new InvalidOperationException($"channel {channel} already has a handler");
    }

    /// <summary>
    /// Answers requests of a channel: return the reply payload, or null when this node could not handle it (the
    /// user has no session here, say). Runs off the bus loop.
    /// </summary>
    public void RegisterRequest(string channel, Func<byte[], ValueTask<byte[]?>> handler)
    {
        CheckChannel(channel);
        if (!_requestHandlers.TryAdd(channel, handler)) throw new InvalidOperationException($"channel {channel} already has a request handler");
    }

    /// <summary>Hears bus losses (false) and recoveries (true), on the bus loop.</summary>
    public void OnConnectionChange(Action<bool> observer)
    {
        lock (_connectionObservers) _connectionObservers.Add(observer);
    }

    public async Task StartAsync(CancellationToken ct)
    {
        if (Interlocked.Exchange(ref _started, 1) != 0) return;
        await _broker.StartAsync(this, ct);
    }

    public bool PublishToUser(string channel, long userId, ReadOnlySpan<byte> payload)
    {
        if (!_broker.IsClustered) return false;
        var envelope = Envelope(EventKind, channel, payload, Guid.Empty, null, 0);
        return _broker.PublishToUser(userId, envelope);
    }

    /// <summary>Publishes one envelope to several users' nodes (a node holding two of them receives it twice).</summary>
    public void PublishToUsers(string channel, IEnumerable<long> userIds, ReadOnlySpan<byte> payload)
    {
        if (!_broker.IsClustered) return;
        var envelope = Envelope(EventKind, channel, payload, Guid.Empty, null, 0);
        foreach (var user in userIds) _broker.PublishToUser(user, envelope);
    }

    public bool PublishToNode(string channel, string nodeId, ReadOnlySpan<byte> payload) =>
        _broker.IsClustered && _broker.PublishToNode(nodeId, Envelope(EventKind, channel, payload, Guid.Empty, null, 0));

    public bool PublishToAll(string channel, ReadOnlySpan<byte> payload) =>
        _broker.IsClustered && _broker.PublishToAll(Envelope(EventKind, channel, payload, Guid.Empty, null, 0));

    /// <summary>
    /// Runs a request on the nodes holding the user and returns the first handled reply, or null when none of the
    /// <paramref name="expectedNodes"/> handled it (or none answered within <paramref name="timeout"/>).
    /// </summary>
    public Task<byte[]?> RequestAsync(string channel, long userId, ReadOnlyMemory<byte> payload, int expectedNodes, TimeSpan timeout,
        CancellationToken ct = default) =>
        RequestCoreAsync(channel, payload, expectedNodes, timeout, envelope => _broker.PublishToUser(userId, envelope), ct);

    /// <summary>Runs a request on one node: its reply, or null when it declined or did not answer in time.</summary>
    public Task<byte[]?> RequestNodeAsync(string channel, string nodeId, ReadOnlyMemory<byte> payload, TimeSpan timeout, CancellationToken ct = default) =>
        RequestCoreAsync(channel, payload, 1, timeout, envelope => _broker.PublishToNode(nodeId, envelope), ct);

    /// <summary>As <see cref="RequestAsync"/>, asking every other node (for targets not tied to a user).</summary>
    public Task<byte[]?> RequestAllAsync(string channel, ReadOnlyMemory<byte> payload, int expectedNodes, TimeSpan timeout, CancellationToken ct = default) =>
        RequestCoreAsync(channel, payload, expectedNodes, timeout, envelope => _broker.PublishToAll(envelope), ct);

    private async Task<byte[]?> RequestCoreAsync(string channel, ReadOnlyMemory<byte> payload, int expectedNodes, TimeSpan timeout,
        Func<byte[], bool> publish, CancellationToken ct)
    {
        if (!_broker.IsClustered || expectedNodes <= 0) return null;
        var id = Guid.NewGuid();
        var pending = new PendingRequest(expectedNodes);
        _pending[id] = pending;
        try
        {
            if (!publish(Envelope(RequestKind, channel, payload.Span, id, _broker.NodeId, 0))) return null;
            return await pending.Completion.Task.WaitAsync(timeout, ct);
        }
        catch (TimeoutException)
        {
            return null;
        }
        finally
        {
            _pending.TryRemove(id, out _);
        }
    }

    void IBrokerHandler.OnMessage(ReadOnlyMemory<byte> payload)
    {
        try
        {
            Dispatch(payload);
        }
        catch (Exception ex)
        {
            ClusterLog.BusMessageFailed(_logger, ex);
        }
    }

    void IBrokerHandler.OnConnectionChanged(bool connected)
    {
        if (connected) ClusterLog.BusRecovered(_logger, _broker.NodeId);
        else ClusterLog.BusLost(_logger, _broker.NodeId);
        Action<bool>[] observers;
        lock (_connectionObservers) observers = [.. _connectionObservers];
        foreach (var observer in observers)
        {
            try { observer(connected); }
            catch (Exception ex) { ClusterLog.BusMessageFailed(_logger, ex); }
        }
    }

    private void Dispatch(ReadOnlyMemory<byte> envelope)
    {
        var span = envelope.Span;
        if (span.Length < 2) throw new InvalidDataException("envelope too short");
        var kind = span[0];
        int channelLength = span[1];
        if (span.Length < 2 + channelLength) throw new InvalidDataException("envelope channel truncated");
        var channel = Encoding.ASCII.GetString(span.Slice(2, channelLength));
        var offset = 2 + channelLength;
        switch (kind)
        {
            case EventKind:
                if (_handlers.TryGetValue(channel, out var handler)) handler(envelope[offset..]);
                break;
            case RequestKind:
            {
                var id = new Guid(span.Slice(offset, 16));
                offset += 16;
                int nodeLength = span[offset++];
                var replyTo = Encoding.ASCII.GetString(span.Slice(offset, nodeLength));
                offset += nodeLength;
                var body = envelope[offset..].ToArray();
                _ = AnswerAsync(channel, id, replyTo, body);
                break;
            }
            case ReplyKind:
            {
                var id = new Guid(span.Slice(offset, 16));
                var status = span[offset + 16];
                if (_pending.TryGetValue(id, out var pending))
                    pending.Answer(status == Handled ? envelope[(offset + 17)..].ToArray() : null);
                break;
            }
            default:
                throw new InvalidDataException($"unknown envelope kind {kind}");
        }
    }

    private async Task AnswerAsync(string channel, Guid id, string replyTo, byte[] body)
    {
        byte[]? reply = null;
        try
        {
            if (_requestHandlers.TryGetValue(channel, out var handler)) reply = await handler(body);
        }
        catch (Exception ex)
        {
            ClusterLog.BusMessageFailed(_logger, ex);
        }
        var envelope = Envelope(ReplyKind, channel, reply ?? [], id, null, reply is null ? NotHandled : Handled);
        _broker.PublishToNode(replyTo, envelope);
    }

    private static byte[] Envelope(byte kind, string channel, ReadOnlySpan<byte> payload, Guid id, string? replyTo, byte status)
    {
        var length = 2 + channel.Length + payload.Length;
        if (kind != EventKind) length += 16 + (kind == RequestKind ? 1 + replyTo!.Length : 1);
        var buffer = new byte[length];
        buffer[0] = kind;
        buffer[1] = (byte)channel.Length;
        var offset = 2 + Encoding.ASCII.GetBytes(channel, buffer.AsSpan(2));
        if (kind != EventKind)
        {
            id.TryWriteBytes(buffer.AsSpan(offset, 16));
            offset += 16;
            if (kind == RequestKind)
            {
                buffer[offset++] = (byte)replyTo!.Length;
                offset += Encoding.ASCII.GetBytes(replyTo, buffer.AsSpan(offset));
            }
            else
            {
                buffer[offset++] = status;
            }
        }
        payload.CopyTo(buffer.AsSpan(offset));
        return buffer;
    }

    private static void CheckChannel(string channel)
    {
        if (channel.Length is 0 or > 64 || !channel.All(char.IsAscii)) throw new ArgumentException("channel: 1-64 ASCII characters", nameof(channel));
    }

    /// <summary>Fails pending requests and disconnects the broker (idempotent).</summary>
    public ValueTask DisposeAsync()
    {
        foreach (var pending in _pending.Values) pending.Answer(null, final: true);
        return _broker.DisposeAsync();
    }

    private sealed class PendingRequest(int expected)
    {
        private int _remaining = expected;
        public TaskCompletionSource<byte[]?> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Answer(byte[]? reply, bool final = false)
        {
            if (reply is not null) Completion.TrySetResult(reply);
            else if (final || Interlocked.Decrement(ref _remaining) <= 0) Completion.TrySetResult(null);
        }
    }
}
