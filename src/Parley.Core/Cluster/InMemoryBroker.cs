using System.Collections.Concurrent;
using System.Threading.Channels;
using Parley.Abstractions.Cluster;

namespace Parley.Core.Cluster;

/// <summary>
/// The in-process bus. With the default private hub it is the single-node broker (<see cref="IsClustered"/> false:
/// nothing is ever serialised or published); with a shared hub several engines in one process form a cluster,
/// which is what the conformance suite and in-process multi-node tests use. Messages are handed over on a loop of
/// the receiving node, in publish order, as RabbitMQ's consumer would.
/// </summary>
public sealed class InMemoryBroker : IBroker
{
    private readonly InMemoryClusterHub _hub;
    private readonly Channel<object> _inbound = Channel.CreateUnbounded<object>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<long, byte> _users = new();
    private IBrokerHandler? _handler;
    private Task _loop = Task.CompletedTask;
    private volatile bool _connected = true;

    public InMemoryBroker(InMemoryClusterHub hub, string nodeId)
    {
        _hub = hub;
        NodeId = nodeId;
    }

    public string NodeId { get; }
    public bool IsClustered => _hub.IsShared;
    public bool IsConnected => _connected;

    public Task StartAsync(IBrokerHandler handler, CancellationToken ct)
    {
        _handler = handler;
        _hub.Join(this);
        _loop = Task.Run(LoopAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    public bool PublishToUser(long userId, ReadOnlyMemory<byte> payload) => _hub.Route(NodeId, payload, userId, null);
    public bool PublishToNode(string nodeId, ReadOnlyMemory<byte> payload) => _hub.Route(NodeId, payload, null, nodeId);
    public bool PublishToAll(ReadOnlyMemory<byte> payload) => _hub.Route(NodeId, payload, null, null);

    public ValueTask SubscribeUserAsync(long userId, CancellationToken ct = default)
    {
        if (_users.TryAdd(userId, 0) && _connected) _hub.Bind(userId, NodeId, true);
        return ValueTask.CompletedTask;
    }

    public ValueTask UnsubscribeUserAsync(long userId, CancellationToken ct = default)
    {
        if (_users.TryRemove(userId, out _)) _hub.Bind(userId, NodeId, false);
        return ValueTask.CompletedTask;
    }

    internal void Receive(byte[] payload)
    {
        if (_connected) _inbound.Writer.TryWrite(payload);
    }

    internal void SetConnected(bool connected)
    {
        if (_connected == connected) return;
        _connected = connected;
        // A lost connection loses the bindings too (RabbitMQ's exclusive queue goes with it); they come back with it.
        foreach (var user in _users.Keys) _hub.Bind(user, NodeId, connected);
        _inbound.Writer.TryWrite(connected);
    }

    private async Task LoopAsync()
    {
        await foreach (var item in _inbound.Reader.ReadAllAsync())
        {
            try
            {
                if (item is byte[] payload) _handler?.OnMessage(payload);
                else if (item is bool connected) _handler?.OnConnectionChanged(connected);
            }
            catch (Exception)
            {
                // The handler logs its own failures; one bad message must not stop the node's bus.
            }
        }
    }

    private int _disposed;

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _hub.Leave(this);
        _inbound.Writer.TryComplete();
        await _loop;
    }
}
