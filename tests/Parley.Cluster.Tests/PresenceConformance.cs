using System.Collections.Concurrent;
using Microsoft.Extensions.Logging.Abstractions;
using Parley.Abstractions.Cluster;
using Parley.Cluster.RabbitMq;
using Parley.Cluster.Tests.Infrastructure;
using Parley.Core.Cluster;

namespace Parley.Cluster.Tests;

/// <summary>What every <see cref="IPresence"/> must do, run against each implementation.</summary>
public abstract class PresenceConformance : IAsyncLifetime
{
    protected static readonly ClusterOptions Timings = new() { HeartbeatMs = 100, NodeTimeoutMs = 1000 };
    private readonly List<Node> _nodes = [];

    protected abstract Task<Node> StartNodeAsync(string nodeId);

    /// <summary>Stops the node without a goodbye: the others must notice by themselves.</summary>
    protected abstract Task CrashAsync(Node node);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var node in _nodes) await node.DisposeAsync();
    }

    private async Task<Node> NodeAsync(string name)
    {
        var node = await StartNodeAsync(name + "-" + Guid.NewGuid().ToString("N")[..6]);
        _nodes.Add(node);
        return node;
    }

    [Fact]
    public async Task A_user_online_on_one_node_is_online_on_all_and_each_observer_hears_it_once()
    {
        var a = await NodeAsync("a");
        var b = await NodeAsync("b");
        a.Presence.SetLocalConnections(11, 1);
        await Eventually.HoldsAsync(() => b.Presence.IsOnline(11), "b sees 11 online");
        Assert.True(a.Presence.IsOnline(11));
        a.Presence.SetLocalConnections(11, 2);
        await Eventually.HoldsAsync(() => b.Presence.ConnectionCount(11) == 2, "b counts 2 connections");
        await Eventually.HoldsAsync(() => a.Observer.Of(11).Count == 1 && b.Observer.Of(11).Count == 1, "one transition each");
        Assert.Equal([true], a.Observer.Of(11));
        Assert.Equal([true], b.Observer.Of(11));
        Assert.Equal([a.Id], b.Presence.NodesOf(11));
        Assert.Contains(11L, b.Presence.OnlineUserIds());

        a.Presence.SetLocalConnections(11, 0);
        await Eventually.HoldsAsync(() => !b.Presence.IsOnline(11), "b sees 11 offline");
        await Eventually.HoldsAsync(() => a.Observer.Of(11).Count == 2 && b.Observer.Of(11).Count == 2, "offline heard");
        Assert.Equal([true, false], b.Observer.Of(11));
        Assert.Equal(0, b.Presence.ConnectionCount(11));
    }

    [Fact]
    public async Task A_user_on_two_nodes_stays_online_until_both_let_go()
    {
        var a = await NodeAsync("a");
        var b = await NodeAsync("b");
        var c = await NodeAsync("c");
        a.Presence.SetLocalConnections(21, 1);
        b.Presence.SetLocalConnections(21, 3);
        await Eventually.HoldsAsync(() => c.Presence.ConnectionCount(21) == 4, "c counts 4");
        Assert.Equal(new[] { a.Id, b.Id }.Order(), c.Presence.NodesOf(21).Order());
        a.Presence.SetLocalConnections(21, 0);
        await Eventually.HoldsAsync(() => c.Presence.ConnectionCount(21) == 3, "c counts 3");
        Assert.True(c.Presence.IsOnline(21));
        b.Presence.SetLocalConnections(21, 0);
        await Eventually.HoldsAsync(() => !c.Presence.IsOnline(21), "c sees 21 offline");
        await Eventually.HoldsAsync(() => c.Observer.Of(21).Count == 2, "c heard both transitions");
        Assert.Equal([true, false], c.Observer.Of(21));
    }

    [Fact]
    public async Task A_node_that_joins_later_sees_who_is_already_online()
    {
        var a = await NodeAsync("a");
        a.Presence.SetLocalConnections(31, 1);
        a.Presence.SetLocalConnections(32, 2);
        var late = await NodeAsync("late");
        await Eventually.HoldsAsync(() => late.Presence.IsOnline(31) && late.Presence.ConnectionCount(32) == 2, "late node sees both");
        Assert.Contains(a.Id, late.Presence.LiveNodes());
        Assert.Contains(late.Id, late.Presence.LiveNodes());
    }

    [Fact]
    public async Task A_stopped_node_takes_its_users_offline()
    {
        var a = await NodeAsync("a");
        var b = await NodeAsync("b");
        b.Presence.SetLocalConnections(41, 1);
        await Eventually.HoldsAsync(() => a.Presence.IsOnline(41), "a sees 41");
        await b.DisposeAsync();
        await Eventually.HoldsAsync(() => !a.Presence.IsOnline(41), "41 offline after b stopped");
        await Eventually.HoldsAsync(() => a.Observer.Of(41).Count == 2, "a heard both transitions");
        Assert.Equal([true, false], a.Observer.Of(41));
        Assert.DoesNotContain(b.Id, a.Presence.LiveNodes());
    }

    [Fact]
    public async Task A_crashed_node_takes_its_users_offline_within_the_node_timeout()
    {
        var a = await NodeAsync("a");
        var b = await NodeAsync("b");
        b.Presence.SetLocalConnections(51, 1);
        a.Presence.SetLocalConnections(52, 1);
        await Eventually.HoldsAsync(() => a.Presence.IsOnline(51), "a sees 51");
        var crashed = System.Diagnostics.Stopwatch.StartNew();
        await CrashAsync(b);
        await Eventually.HoldsAsync(() => !a.Presence.IsOnline(51), "51 offline after b crashed");
        // Bounded: the node timeout plus a heart-beat of slack (and scheduling on a busy machine).
        Assert.True(crashed.ElapsedMilliseconds < Timings.NodeTimeoutMs + 3 * Timings.HeartbeatMs + 2000, $"took {crashed.ElapsedMilliseconds} ms");
        Assert.True(a.Presence.IsOnline(52));
    }

    /// <summary>A <see cref="ReplicatedPresence"/> node over the given bus.</summary>
    protected static async Task<Node> StartReplicatedAsync(string nodeId, ClusterBus bus)
    {
        var presence = new ReplicatedPresence(bus, Timings, TimeProvider.System, NullLogger<ReplicatedPresence>.Instance);
        var observer = new Observer();
        await presence.StartAsync(observer, CancellationToken.None);
        return new Node(nodeId, presence, observer, async () =>
        {
            await presence.DisposeAsync();
            await bus.DisposeAsync();
        });
    }

    protected sealed class Observer : IPresenceObserver
    {
        private readonly ConcurrentDictionary<long, List<bool>> _seen = new();
        public void OnPresenceChanged(long userId, bool online)
        {
            var list = _seen.GetOrAdd(userId, _ => []);
            lock (list) list.Add(online);
        }

        public List<bool> Of(long userId)
        {
            var list = _seen.GetOrAdd(userId, _ => []);
            lock (list) return [.. list];
        }
    }

    protected sealed class Node(string id, IPresence presence, Observer observer, Func<ValueTask> dispose) : IAsyncDisposable
    {
        private int _disposed;
        public string Id { get; } = id;
        public IPresence Presence { get; } = presence;
        public Observer Observer { get; } = observer;
        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0) await dispose();
        }
    }
}

public sealed class InMemoryPresenceConformance : PresenceConformance
{
    private readonly InMemoryClusterHub _hub = new();

    protected override async Task<Node> StartNodeAsync(string nodeId)
    {
        var presence = new InMemoryPresence(_hub, nodeId);
        var observer = new Observer();
        await presence.StartAsync(observer, CancellationToken.None);
        return new Node(nodeId, presence, observer, presence.DisposeAsync);
    }

    protected override Task CrashAsync(Node node)
    {
        _hub.Crash(node.Id);
        return Task.CompletedTask;
    }
}

/// <summary>The replicated presence over any broker: here the in-memory bus (the RabbitMQ run is below).</summary>
public sealed class ReplicatedPresenceOverMemoryConformance : PresenceConformance
{
    private readonly InMemoryClusterHub _hub = new();

    protected override async Task<Node> StartNodeAsync(string nodeId)
    {
        var bus = new ClusterBus(new InMemoryBroker(_hub, nodeId), NullLogger<ClusterBus>.Instance);
        return await StartReplicatedAsync(nodeId, bus);
    }

    protected override Task CrashAsync(Node node)
    {
        _hub.Disconnect(node.Id);
        return Task.CompletedTask;
    }
}

[Collection(RabbitMqCollection.Name)]
public sealed class RabbitMqPresenceConformance(RabbitMqServer rabbit) : PresenceConformance
{
    private readonly RabbitMqOptions _options = rabbit.Options();
    private readonly Dictionary<string, ClusterBus> _buses = [];

    protected override async Task<Node> StartNodeAsync(string nodeId)
    {
        var bus = new ClusterBus(new RabbitMqBroker(nodeId, _options, NullLogger<RabbitMqBroker>.Instance), NullLogger<ClusterBus>.Instance);
        _buses[nodeId] = bus;
        return await StartReplicatedAsync(nodeId, bus);
    }

    // The node's broker connection goes away without a goodbye, as when its process is killed.
    protected override async Task CrashAsync(Node node) => await _buses[node.Id].Broker.DisposeAsync();
}

