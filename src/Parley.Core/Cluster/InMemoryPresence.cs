using System.Threading.Channels;
using Parley.Abstractions.Cluster;

namespace Parley.Core.Cluster;

/// <summary>
/// Presence kept in process memory. With the default private hub it is the single-node presence; nodes sharing a
/// hub see each other's users, and a node that stops or crashes (<see cref="InMemoryClusterHub.Crash"/>) takes its
/// users offline at once. Transitions reach the observer in order, on a loop of this node.
/// </summary>
public sealed class InMemoryPresence : IPresence
{
    private readonly InMemoryClusterHub _hub;
    private readonly Channel<(long User, bool Online)> _transitions =
        Channel.CreateUnbounded<(long, bool)>(new UnboundedChannelOptions { SingleReader = true });
    private IPresenceObserver? _observer;
    private Task _loop = Task.CompletedTask;

    public InMemoryPresence(InMemoryClusterHub hub, string nodeId)
    {
        _hub = hub;
        NodeId = nodeId;
    }

    public string NodeId { get; }

    public Task StartAsync(IPresenceObserver observer, CancellationToken ct)
    {
        _observer = observer;
        _hub.Join(this);
        _loop = Task.Run(LoopAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    public void SetLocalConnections(long userId, int count) => _hub.SetCount(NodeId, userId, Math.Max(0, count));
    public bool IsOnline(long userId) => _hub.IsOnline(userId);
    public int ConnectionCount(long userId) => _hub.ConnectionCount(userId);
    public IReadOnlyList<long> OnlineUserIds() => _hub.OnlineUserIds();
    public IReadOnlyList<string> NodesOf(long userId) => _hub.NodesOf(userId);
    public IReadOnlyList<string> LiveNodes() => _hub.LiveNodes();

    internal void Notify(long userId, bool online) => _transitions.Writer.TryWrite((userId, online));

    private async Task LoopAsync()
    {
        await foreach (var (user, online) in _transitions.Reader.ReadAllAsync())
        {
            try { _observer?.OnPresenceChanged(user, online); }
            catch (Exception) { } // the observer logs its own failures
        }
    }

    private int _disposed;

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _hub.Leave(NodeId);
        _transitions.Writer.TryComplete();
        await _loop;
    }
}
