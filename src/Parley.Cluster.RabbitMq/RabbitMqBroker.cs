using System.Collections.Concurrent;
using System.Globalization;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Parley.Abstractions.Cluster;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Parley.Cluster.RabbitMq;

/// <summary>
/// The cross-node bus over RabbitMQ. One direct exchange; each node has one exclusive, auto-deleted queue
/// (<c>parley.node.{id}</c>) bound with <c>all</c>, <c>n.{node}</c> and <c>u.{user}</c> for every user with a
/// session on the node, so a publish to a user reaches exactly the nodes holding that user. Messages are transient:
/// durable state is in the store, and a node that was cut off resynchronises from it.
/// </summary>
/// <remarks>
/// The connection is supervised here rather than by the client's automatic recovery, for back-off and to know
/// exactly when the queue and bindings are back: a lost connection drops the queue with its bindings; the node
/// keeps serving its own users, reconnects with exponential back-off, re-declares everything from its own
/// record of which users it holds, and then tells the engine (<see cref="IBrokerHandler.OnConnectionChanged"/>).
/// Publishes go through one loop (one channel, publish order kept) and never block the caller.
/// </remarks>
public sealed class RabbitMqBroker : IBroker
{
    private const string AllKey = "all";

    private readonly RabbitMqOptions _options;
    private readonly ILogger _logger;
    private readonly ConnectionFactory _factory;
    private readonly string _queue;
    private readonly string _nodeKey;
    private readonly ConcurrentDictionary<long, bool> _desired = new();
    private readonly ConcurrentDictionary<long, byte> _bound = new();
    private readonly SemaphoreSlim _topologyGate = new(1, 1);
    private readonly Channel<(string Key, ReadOnlyMemory<byte> Body)> _outbound;
    private readonly CancellationTokenSource _stop = new();
    private readonly BasicProperties _properties;
    private IBrokerHandler? _handler;
    private Session? _session;
    private volatile bool _connected;
    private Task _supervisor = Task.CompletedTask;
    private Task _publisher = Task.CompletedTask;
    private int _disposed;

    public RabbitMqBroker(string nodeId, RabbitMqOptions options, ILogger<RabbitMqBroker> logger)
    {
        NodeId = nodeId;
        _options = options;
        _logger = logger;
        _queue = "parley.node." + nodeId;
        _nodeKey = "n." + nodeId;
        _properties = new BasicProperties { AppId = nodeId, DeliveryMode = DeliveryModes.Transient };
        _factory = new ConnectionFactory
        {
            HostName = options.Host,
            Port = options.Port,
            UserName = options.UserName,
            Password = options.Password,
            VirtualHost = options.VirtualHost,
            AutomaticRecoveryEnabled = false,
            TopologyRecoveryEnabled = false,
            RequestedHeartbeat = TimeSpan.FromSeconds(options.HeartbeatSeconds),
            RequestedConnectionTimeout = TimeSpan.FromSeconds(5),
            ClientProvidedName = "parley-" + nodeId,
        };
        _outbound = Channel.CreateBounded<(string, ReadOnlyMemory<byte>)>(new BoundedChannelOptions(options.PublishQueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.DropWrite,
        });
    }

    public string NodeId { get; }
    public bool IsClustered => true;
    public bool IsConnected => _connected;

    /// <summary>Tries to connect once (so a healthy start is connected when this returns), then supervises in the background.</summary>
    public async Task StartAsync(IBrokerHandler handler, CancellationToken ct)
    {
        _handler = handler;
        _publisher = Task.Run(PublishLoopAsync, CancellationToken.None);
        Session? first = null;
        try
        {
            first = await ConnectAsync(ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            RabbitMqLog.ConnectFailed(_logger, ex, NodeId, _options.Host, _options.Port, _options.ReconnectMinMs);
        }
        _supervisor = Task.Run(() => SuperviseAsync(first), CancellationToken.None);
    }

    public bool PublishToUser(long userId, ReadOnlyMemory<byte> payload) =>
        Enqueue("u." + userId.ToString(CultureInfo.InvariantCulture), payload);

    public bool PublishToNode(string nodeId, ReadOnlyMemory<byte> payload) => Enqueue("n." + nodeId, payload);

    public bool PublishToAll(ReadOnlyMemory<byte> payload) => Enqueue(AllKey, payload);

    private bool Enqueue(string key, ReadOnlyMemory<byte> payload) => _connected && _outbound.Writer.TryWrite((key, payload));

    public ValueTask SubscribeUserAsync(long userId, CancellationToken ct = default)
    {
        _desired[userId] = true;
        // Already bound on the live connection: nothing to wait for (the common case of a second device).
        if (_connected && _bound.ContainsKey(userId)) return ValueTask.CompletedTask;
        return new ValueTask(ReconcileAsync(userId, ct));
    }

    public ValueTask UnsubscribeUserAsync(long userId, CancellationToken ct = default)
    {
        _desired[userId] = false;
        return new ValueTask(ReconcileAsync(userId, ct));
    }

    // Applies the user's latest desired state. Always under the topology gate, which (re)connection holds while it
    // re-binds everything, so no interest recorded meanwhile is missed.
    private async Task ReconcileAsync(long userId, CancellationToken ct)
    {
        await _topologyGate.WaitAsync(ct);
        try
        {
            var want = _desired.TryGetValue(userId, out var d) && d;
            if (!want) _desired.TryRemove(new KeyValuePair<long, bool>(userId, false));
            if (!_connected || _session is not { } session) return; // applied on reconnection
            var bound = _bound.ContainsKey(userId);
            try
            {
                if (want && !bound)
                {
                    await session.Topology.QueueBindAsync(_queue, _options.Exchange, UserKey(userId), null, false, ct);
                    _bound[userId] = 0;
                }
                else if (!want && bound)
                {
                    _bound.TryRemove(userId, out _);
                    await session.Topology.QueueUnbindAsync(_queue, _options.Exchange, UserKey(userId), null, ct);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                RabbitMqLog.BindFailed(_logger, ex, userId);
                session.Lost("binding failed: " + ex.Message);
            }
        }
        finally
        {
            _topologyGate.Release();
        }
    }

    private static string UserKey(long userId) => "u." + userId.ToString(CultureInfo.InvariantCulture);

    private async Task<Session> ConnectAsync(CancellationToken ct)
    {
        var connection = await _factory.CreateConnectionAsync(ct);
        var session = new Session(connection);
        try
        {
            connection.ConnectionShutdownAsync += (_, args) =>
            {
                session.Lost(args.ReplyText);
                return Task.CompletedTask;
            };
            session.Topology = await connection.CreateChannelAsync(cancellationToken: ct);
            session.Publisher = await connection.CreateChannelAsync(cancellationToken: ct);
            session.Consumer = await connection.CreateChannelAsync(cancellationToken: ct);
            foreach (var channel in new[] { session.Topology, session.Publisher, session.Consumer })
            {
                channel.ChannelShutdownAsync += (_, args) =>
                {
                    session.Lost("channel closed: " + args.ReplyText);
                    return Task.CompletedTask;
                };
            }
            await session.Topology.ExchangeDeclareAsync(_options.Exchange, ExchangeType.Direct, durable: false, autoDelete: false, cancellationToken: ct);
            var arguments = new Dictionary<string, object?> { ["x-max-length"] = _options.MaxQueueLength };
            await session.Topology.QueueDeclareAsync(_queue, durable: false, exclusive: true, autoDelete: true, arguments, cancellationToken: ct);
            await session.Topology.QueueBindAsync(_queue, _options.Exchange, AllKey, cancellationToken: ct);
            await session.Topology.QueueBindAsync(_queue, _options.Exchange, _nodeKey, cancellationToken: ct);

            var consumer = new AsyncEventingBasicConsumer(session.Consumer);
            consumer.ReceivedAsync += (_, delivery) =>
            {
                if (delivery.BasicProperties.AppId == NodeId) return Task.CompletedTask; // our own broadcast
                try { _handler?.OnMessage(delivery.Body); }
                catch (Exception ex) { RabbitMqLog.HandlerFailed(_logger, ex); }
                return Task.CompletedTask;
            };

            await _topologyGate.WaitAsync(ct);
            try
            {
                _bound.Clear();
                foreach (var (user, want) in _desired)
                {
                    if (!want) continue;
                    await session.Topology.QueueBindAsync(_queue, _options.Exchange, UserKey(user), cancellationToken: ct);
                    _bound[user] = 0;
                }
                await session.Consumer.BasicConsumeAsync(_queue, autoAck: true, consumer, ct);
                _session = session;
                _connected = true;
            }
            finally
            {
                _topologyGate.Release();
            }
            RabbitMqLog.Connected(_logger, NodeId, _options.Host, _options.Port, _queue);
            return session;
        }
        catch
        {
            await session.DisposeAsync();
            throw;
        }
    }

    private async Task SuperviseAsync(Session? session)
    {
        var delay = _options.ReconnectMinMs;
        var wasConnected = session is not null;
        while (!_stop.IsCancellationRequested)
        {
            if (session is null)
            {
                try
                {
                    session = await ConnectAsync(_stop.Token);
                    delay = _options.ReconnectMinMs;
                    if (wasConnected) _handler?.OnConnectionChanged(true);
                    wasConnected = true;
                }
                catch (Exception ex) when (!_stop.IsCancellationRequested)
                {
                    var wait = delay + Random.Shared.Next(delay / 4 + 1); // jitter: nodes do not reconnect in lock-step
                    RabbitMqLog.ConnectFailed(_logger, ex, NodeId, _options.Host, _options.Port, wait);
                    try { await Task.Delay(wait, _stop.Token); } catch (OperationCanceledException) { return; }
                    delay = Math.Min(delay * 2, _options.ReconnectMaxMs);
                    continue;
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
            string reason;
            try { reason = await session.Closed.WaitAsync(_stop.Token); }
            catch (OperationCanceledException) { return; }
            await _topologyGate.WaitAsync();
            try
            {
                _connected = false;
                _session = null;
                _bound.Clear();
            }
            finally
            {
                _topologyGate.Release();
            }
            RabbitMqLog.ConnectionLost(_logger, NodeId, reason);
            _handler?.OnConnectionChanged(false);
            await session.DisposeAsync();
            session = null;
        }
    }

    private async Task PublishLoopAsync()
    {
        var reader = _outbound.Reader;
        while (await reader.WaitToReadAsync())
        {
            while (reader.TryRead(out var item))
            {
                if (_session is not { Publisher: { } channel } || !_connected) continue; // cut off: dropped, repaired from the store
                try
                {
                    await channel.BasicPublishAsync(_options.Exchange, item.Key, false, _properties, item.Body);
                }
                catch (Exception ex)
                {
                    RabbitMqLog.PublishFailed(_logger, ex, item.Key);
                }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        // Let what is queued go out (a goodbye from presence, say), briefly.
        _outbound.Writer.TryComplete();
        try { await _publisher.WaitAsync(TimeSpan.FromSeconds(2)); } catch (TimeoutException) { }
        _stop.Cancel();
        try { await _supervisor; } catch (OperationCanceledException) { }
        _connected = false;
        if (Interlocked.Exchange(ref _session, null) is { } session) await session.DisposeAsync();
    }

    private sealed class Session(IConnection connection) : IAsyncDisposable
    {
        private readonly TaskCompletionSource<string> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public IConnection Connection { get; } = connection;
        public IChannel Topology { get; set; } = null!;
        public IChannel Publisher { get; set; } = null!;
        public IChannel Consumer { get; set; } = null!;
        public Task<string> Closed => _closed.Task;

        public void Lost(string reason) => _closed.TrySetResult(reason);

        public async ValueTask DisposeAsync()
        {
            _closed.TrySetResult("closed");
            try
            {
                if (Connection.IsOpen) await Connection.CloseAsync(TimeSpan.FromSeconds(2));
            }
            catch (Exception)
            {
                // Already gone; nothing to tell.
            }
            Connection.Dispose();
        }
    }
}
