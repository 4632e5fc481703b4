using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Parley.Abstractions.Cluster;
using Parley.Cluster.RabbitMq;
using Parley.Cluster.Tests.Infrastructure;
using Parley.Core.Cluster;

namespace Parley.Cluster.Tests;

/// <summary>Channels and request/reply over each broker: the path pushes and server-to-client calls take.</summary>
public abstract class ClusterBusConformance : IAsyncLifetime
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(20);
    private readonly List<ClusterBus> _buses = [];

    protected abstract IBroker NewBroker(string nodeId);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var bus in _buses) await bus.DisposeAsync();
    }

    private ClusterBus Bus(string name)
    {
        var bus = new ClusterBus(NewBroker(name + "-" + Guid.NewGuid().ToString("N")[..6]), NullLogger<ClusterBus>.Instance);
        _buses.Add(bus);
        return bus;
    }

    [Fact]
    public async Task A_request_is_answered_by_the_node_that_can_and_others_decline()
    {
        var a = Bus("a");
        var b = Bus("b");
        var c = Bus("c");
        b.RegisterRequest("echo", body => ValueTask.FromResult<byte[]?>([.. Encoding.UTF8.GetBytes("b:"), .. body]));
        c.RegisterRequest("echo", _ => ValueTask.FromResult<byte[]?>(null));
        foreach (var bus in new[] { a, b, c }) await bus.StartAsync(CancellationToken.None);
        await b.Broker.SubscribeUserAsync(9);
        await c.Broker.SubscribeUserAsync(9);

        var reply = await a.RequestAsync("echo", 9, Encoding.UTF8.GetBytes("hi"), expectedNodes: 2, Long).WaitAsync(Long);
        Assert.Equal("b:hi", Encoding.UTF8.GetString(reply!));
        var all = await a.RequestAllAsync("echo", Encoding.UTF8.GetBytes("all"), expectedNodes: 2, Long).WaitAsync(Long);
        Assert.Equal("b:all", Encoding.UTF8.GetString(all!));

        // Nobody can: the answer is null as soon as every expected node declined, not after the timeout.
        await b.Broker.UnsubscribeUserAsync(9);
        var started = Stopwatch.StartNew();
        Assert.Null(await a.RequestAsync("echo", 9, Encoding.UTF8.GetBytes("x"), expectedNodes: 1, Long).WaitAsync(Long));
        Assert.True(started.Elapsed < Long / 2, $"declined in {started.ElapsedMilliseconds} ms");
        // No node holds the user at all: null after the timeout.
        Assert.Null(await a.RequestAsync("echo", 12345, Encoding.UTF8.GetBytes("x"), expectedNodes: 1, TimeSpan.FromMilliseconds(300)).WaitAsync(Long));
    }

    [Fact]
    public async Task Channels_are_separate_and_unknown_channels_are_ignored()
    {
        var a = Bus("a");
        var b = Bus("b");
        var one = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var two = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        b.Register("one", p => one.TrySetResult(Encoding.UTF8.GetString(p.Span)));
        b.Register("two", p => two.TrySetResult(Encoding.UTF8.GetString(p.Span)));
        Assert.Throws<InvalidOperationException>(() => b.Register("one", _ => { }));
        Assert.Throws<ArgumentException>(() => b.Register(new string('x', 65), _ => { }));
        await a.StartAsync(CancellationToken.None);
        await b.StartAsync(CancellationToken.None);
        Assert.True(a.PublishToAll("nobody-listens", "x"u8));
        Assert.True(a.PublishToNode("two", b.NodeId, "second"u8));
        Assert.True(a.PublishToAll("one", "first"u8));
        Assert.Equal("second", await two.Task.WaitAsync(Long));
        Assert.Equal("first", await one.Task.WaitAsync(Long));
    }
}

public sealed class InMemoryClusterBusConformance : ClusterBusConformance
{
    private readonly InMemoryClusterHub _hub = new();
    protected override IBroker NewBroker(string nodeId) => new InMemoryBroker(_hub, nodeId);
}

[Collection(RabbitMqCollection.Name)]
public sealed class RabbitMqClusterBusConformance(RabbitMqServer rabbit) : ClusterBusConformance
{
    private readonly RabbitMqOptions _options = rabbit.Options();
    protected override IBroker NewBroker(string nodeId) => new RabbitMqBroker(nodeId, _options, NullLogger<RabbitMqBroker>.Instance);
}
