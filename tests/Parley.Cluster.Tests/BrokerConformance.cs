using System.Text;
using System.Threading.Channels;
using Microsoft.Extensions.Logging.Abstractions;
using Parley.Abstractions.Cluster;
using Parley.Cluster.RabbitMq;
using Parley.Cluster.Tests.Infrastructure;
using Parley.Core.Cluster;

namespace Parley.Cluster.Tests;

/// <summary>What every <see cref="IBroker"/> must do, run against each implementation.</summary>
public abstract class BrokerConformance : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private readonly List<IBroker> _brokers = [];

    /// <summary>A new node of this test's cluster.</summary>
    protected abstract IBroker NewBroker(string nodeId);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var broker in _brokers) await broker.DisposeAsync();
    }

    protected async Task<(IBroker Broker, Recorder Inbox)> NodeAsync(string name)
    {
        var broker = NewBroker(name + "-" + Guid.NewGuid().ToString("N")[..6]);
        _brokers.Add(broker);
        var inbox = new Recorder();
        await broker.StartAsync(inbox, CancellationToken.None).WaitAsync(Wait);
        Assert.True(broker.IsConnected);
        Assert.True(broker.IsClustered);
        return (broker, inbox);
    }

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    [Fact]
    public async Task Publish_to_all_reaches_every_other_node_and_not_the_publisher()
    {
        var (a, inboxA) = await NodeAsync("a");
        var (b, inboxB) = await NodeAsync("b");
        var (_, inboxC) = await NodeAsync("c");
        Assert.True(a.PublishToAll(Bytes("hello")));
        Assert.True(a.PublishToNode(a.NodeId, Bytes("to itself")));
        Assert.Equal("hello", await inboxB.NextAsync());
        Assert.Equal("hello", await inboxC.NextAsync());
        // b answers only after a's publications were queued everywhere: a hears b, never itself.
        Assert.True(b.PublishToNode(a.NodeId, Bytes("from b")));
        Assert.Equal("from b", await inboxA.NextAsync());
        Assert.Equal(["from b"], inboxA.Received);
    }

    [Fact]
    public async Task Publish_to_node_reaches_only_that_node()
    {
        var (a, _) = await NodeAsync("a");
        var (b, inboxB) = await NodeAsync("b");
        var (c, inboxC) = await NodeAsync("c");
        Assert.True(a.PublishToNode(b.NodeId, Bytes("for b")));
        Assert.True(a.PublishToNode(c.NodeId, Bytes("for c")));
        Assert.Equal("for b", await inboxB.NextAsync());
        Assert.Equal("for c", await inboxC.NextAsync());
        // Order per publisher: had "for b" reached c, it would have come before "for c".
        Assert.Single(inboxC.Received);
        Assert.Single(inboxB.Received);
    }

    [Fact]
    public async Task Publish_to_user_reaches_exactly_the_nodes_holding_the_user()
    {
        var (a, _) = await NodeAsync("a");
        var (b, inboxB) = await NodeAsync("b");
        var (c, inboxC) = await NodeAsync("c");
        await b.SubscribeUserAsync(42).AsTask().WaitAsync(Wait);
        await c.SubscribeUserAsync(42).AsTask().WaitAsync(Wait);
        await c.SubscribeUserAsync(7).AsTask().WaitAsync(Wait);
        // Routable as soon as the subscription completed.
        Assert.True(a.PublishToUser(42, Bytes("to 42")));
        Assert.True(a.PublishToUser(7, Bytes("to 7")));
        Assert.True(a.PublishToUser(99, Bytes("to nobody")));
        Assert.True(a.PublishToNode(b.NodeId, Bytes("end")));
        Assert.Equal("to 42", await inboxB.NextAsync());
        Assert.Equal("end", await inboxB.NextAsync());
        Assert.Equal("to 42", await inboxC.NextAsync());
        Assert.Equal("to 7", await inboxC.NextAsync());

        await b.UnsubscribeUserAsync(42).AsTask().WaitAsync(Wait);
        Assert.True(a.PublishToUser(42, Bytes("again")));
        Assert.True(a.PublishToNode(b.NodeId, Bytes("end2")));
        Assert.Equal("again", await inboxC.NextAsync());
        Assert.Equal("end2", await inboxB.NextAsync());
    }

    [Fact]
    public async Task Interest_changes_in_quick_succession_converge_to_the_last_one()
    {
        var (a, _) = await NodeAsync("a");
        var (b, inboxB) = await NodeAsync("b");
        var pending = new List<Task>();
        for (var i = 0; i < 20; i++)
        {
            pending.Add(b.SubscribeUserAsync(5).AsTask());
            pending.Add(b.UnsubscribeUserAsync(5).AsTask());
        }
        pending.Add(b.SubscribeUserAsync(5).AsTask());
        await Task.WhenAll(pending).WaitAsync(Wait);
        await b.SubscribeUserAsync(5).AsTask().WaitAsync(Wait);
        Assert.True(a.PublishToUser(5, Bytes("still bound")));
        Assert.Equal("still bound", await inboxB.NextAsync());
    }

    [Fact]
    public async Task One_publisher_is_received_in_order_and_payloads_are_intact()
    {
        var (a, _) = await NodeAsync("a");
        var (b, inboxB) = await NodeAsync("b");
        await b.SubscribeUserAsync(1).AsTask().WaitAsync(Wait);
        var binary = new byte[64 * 1024];
        new Random(7).NextBytes(binary);
        binary[0] = 0;
        for (var i = 0; i < 300; i++)
        {
            var payload = i == 150 ? binary : Bytes("m" + i);
            Assert.True(i % 2 == 0 ? a.PublishToAll(payload) : a.PublishToUser(1, payload));
        }
        for (var i = 0; i < 300; i++)
        {
            var got = await inboxB.NextBytesAsync();
            if (i == 150) Assert.Equal(binary, got);
            else Assert.Equal("m" + i, Encoding.UTF8.GetString(got));
        }
    }

    /// <summary>Records what a node receives.</summary>
    protected sealed class Recorder : IBrokerHandler
    {
        private readonly Channel<byte[]> _messages = Channel.CreateUnbounded<byte[]>();
        public List<string> Received { get; } = [];
        public List<bool> ConnectionChanges { get; } = [];

        public void OnMessage(ReadOnlyMemory<byte> payload)
        {
            var copy = payload.ToArray();
            lock (Received) Received.Add(Encoding.UTF8.GetString(copy));
            _messages.Writer.TryWrite(copy);
        }

        public void OnConnectionChanged(bool connected)
        {
            lock (ConnectionChanges) ConnectionChanges.Add(connected);
        }

        public async Task<byte[]> NextBytesAsync() => await _messages.Reader.ReadAsync().AsTask().WaitAsync(Wait);
        public async Task<string> NextAsync() => Encoding.UTF8.GetString(await NextBytesAsync());
    }
}

public sealed class InMemoryBrokerConformance : BrokerConformance
{
    private readonly InMemoryClusterHub _hub = new();
    protected override IBroker NewBroker(string nodeId) => new InMemoryBroker(_hub, nodeId);
}

[Collection(RabbitMqCollection.Name)]
public sealed class RabbitMqBrokerConformance(RabbitMqServer rabbit) : BrokerConformance
{
    private readonly RabbitMqOptions _options = rabbit.Options();
    protected override IBroker NewBroker(string nodeId) => new RabbitMqBroker(nodeId, _options, NullLogger<RabbitMqBroker>.Instance);
}
