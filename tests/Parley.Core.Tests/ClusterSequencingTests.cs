using System.Collections.Concurrent;
using Parley.Abstractions;
using Parley.Abstractions.Model;
using Parley.Abstractions.Stores;
using Parley.Core.Messaging;
using Parley.Core.Services;
using Microsoft.Extensions.DependencyInjection;
using Parley.TestInfrastructure;

namespace Parley.Core.Tests;

/// <summary>
/// Several engines ("nodes", each with its own pipeline, caches and connection pool) over one real PostgreSQL
/// database, writing the same conversations at once: the store numbers messages in the commit transaction.
/// </summary>
public sealed class ClusterSequencingTests(PostgresDatabaseFixture pg) : IClassFixture<PostgresDatabaseFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private async Task<EngineHarness[]> StartNodesAsync(int count)
    {
        var database = await pg.Server.CreateDatabaseAsync("cluster");
        var nodes = new EngineHarness[count];
        for (var i = 0; i < count; i++) nodes[i] = await EngineHarness.StartAsync(postgres: database);
        return nodes;
    }

    private static async Task DisposeAllAsync(EngineHarness[] nodes)
    {
        foreach (var n in nodes) await n.DisposeAsync();
    }

    [Fact]
    public async Task The_pipeline_lets_a_shared_store_number_messages()
    {
        var nodes = await StartNodesAsync(1);
        try
        {
            Assert.True(nodes[0].Get<MessagePipeline>().StoreAssignsSequence);
        }
        finally { await DisposeAllAsync(nodes); }
    }

    [Fact]
    public async Task A_commit_the_store_refuses_fails_its_senders_and_the_numbering_goes_on_without_a_gap()
    {
        var database = await pg.Server.CreateDatabaseAsync("cluster");
        FlakySequencingStore? flaky = null;
        await using var node = await EngineHarness.StartAsync(postgres: database, services: s =>
            s.AddSingleton<IMessageStore>(sp => flaky = new FlakySequencingStore(sp.GetRequiredService<Parley.Storage.Postgres.PostgresMessageStore>())));
        var alice = await node.UserAsync("alice");
        var group = (await node.Get<GroupService>().CreateAsync(alice.Id, "g", false, default)).Group.Id;
        Assert.Equal(1, (await node.SendAsync(alice, MessageTarget.ToGroup(group), "one")).Message!.Seq);

        flaky!.FailNext = 1;
        var failed = await node.SendAsync(alice, MessageTarget.ToGroup(group), "lost");
        Assert.Equal(ErrorCodes.StorageFailed, failed.ErrorCode);

        Assert.Equal(2, (await node.SendAsync(alice, MessageTarget.ToGroup(group), "two")).Message!.Seq);
        var stored = await node.Get<IMessageStore>().GetMessagesAsync(ConversationId.Group(group).Value, 0, 0, 10, false);
        Assert.Equal(["one", "two"], stored.Select(m => m.Text));
    }

    [Fact]
    public async Task Senders_on_three_nodes_writing_one_group_and_one_direct_conversation_get_gap_free_numbers()
    {
        var nodes = await StartNodesAsync(3);
        try
        {
            var a = nodes[0];
            var users = new[] { await a.UserAsync("alice"), await a.UserAsync("bob"), await a.UserAsync("carol"), await a.UserAsync("dave") };
            var group = (await a.Get<GroupService>().CreateAsync(users[0].Id, "team", false, default)).Group.Id;
            foreach (var u in users[1..]) await a.Get<GroupService>().JoinAsync(u.Id, group, default);
            var watchers = nodes.Select(n => n.Connect(users[1])).ToArray();

            const int PerSender = 25;
            var acks = new ConcurrentBag<ChatMessage>();
            var perSender = await Task.WhenAll(users.Select((u, i) => Task.Run(async () =>
            {
                var seqs = new List<long>();
                for (var k = 0; k < PerSender; k++)
                {
                    // each sender spreads its messages over the nodes, as a client behind a load balancer would
                    var node = nodes[(i + k) % nodes.Length];
                    var outcome = await node.SendAsync(u, MessageTarget.ToGroup(group), $"{u.Name}-{k}", $"{u.Name}-g-{k}");
                    Assert.True(outcome.Succeeded, outcome.Error);
                    seqs.Add(outcome.Message!.Seq);
                    acks.Add(outcome.Message);
                }
                return seqs;
            })).Concat(nodes.Select((node, i) => Task.Run(async () =>
            {
                var seqs = new List<long>();
                for (var k = 0; k < PerSender; k++)
                {
                    var outcome = await node.SendAsync(users[0], MessageTarget.ToUser("bob"), $"dm-{i}-{k}", $"dm-{i}-{k}");
                    Assert.True(outcome.Succeeded, outcome.Error);
                    seqs.Add(outcome.Message!.Seq);
                    acks.Add(outcome.Message);
                }
                return seqs;
            })))).WaitAsync(Timeout);

            // Every acknowledged message is stored with the number it was acknowledged with, and numbers are 1..N.
            var store = a.Get<IMessageStore>();
            foreach (var conversation in acks.Select(m => m.ConversationId).Distinct())
            {
                var stored = await store.GetMessagesAsync(conversation, 0, 0, 10_000, false);
                Assert.Equal(Enumerable.Range(1, stored.Count).Select(i => (long)i), stored.Select(m => m.Seq));
                Assert.Equal(acks.Where(m => m.ConversationId == conversation).OrderBy(m => m.Seq), stored);
            }
            Assert.Equal(users.Length * PerSender, await store.GetLastSeqAsync(ConversationId.Group(group).Value));
            // A sender's messages keep its own order.
            Assert.All(perSender, seqs => Assert.Equal(seqs.Order(), seqs));
            // Each node delivers what it committed, once (cross-node delivery is the broker's).
            foreach (var w in watchers)
            {
                var received = w.Messages();
                Assert.Equal(received.Count, received.Select(m => m.Id).Distinct().Count());
                Assert.All(received, m => Assert.Contains(m, acks));
            }
        }
        finally { await DisposeAllAsync(nodes); }
    }

    [Fact]
    public async Task A_client_message_id_is_stored_once_whichever_nodes_the_resends_reach()
    {
        var nodes = await StartNodesAsync(3);
        try
        {
            var alice = await nodes[0].UserAsync("alice");
            var bob = await nodes[0].UserAsync("bob");
            var watchers = nodes.Select(n => n.Connect(bob)).ToArray();

            var first = await nodes[0].SendAsync(alice, MessageTarget.ToUser("bob"), "hello", "cm-1");
            var resent = await nodes[1].SendAsync(alice, MessageTarget.ToUser("bob"), "hello", "cm-1");
            Assert.True(resent.Succeeded);
            Assert.True(resent.Duplicate);
            Assert.Equal(first.Message, resent.Message);

            // Simultaneous resends through every node: one stores it, the rest answer with that message.
            for (var round = 0; round < 5; round++)
            {
                var key = $"race-{round}";
                var outcomes = await Task.WhenAll(Enumerable.Range(0, 9).Select(i => Task.Run(() =>
                    nodes[i % nodes.Length].SendAsync(alice, MessageTarget.ToUser("bob"), "once", key)))).WaitAsync(Timeout);
                Assert.All(outcomes, o => Assert.True(o.Succeeded, o.Error));
                Assert.Single(outcomes, o => !o.Duplicate);
                Assert.Single(outcomes.Select(o => o.Message).Distinct());
            }

            var next = await nodes[2].SendAsync(alice, MessageTarget.ToUser("bob"), "after", "cm-after");
            Assert.Equal(7, next.Message!.Seq);
            var stored = await nodes[0].Get<IMessageStore>().GetMessagesAsync(first.Message!.ConversationId, 0, 0, 100, false);
            Assert.Equal("1,2,3,4,5,6,7", string.Join(",", stored.Select(m => m.Seq)));

            // Every message reaches the recipient's connections and none twice (the committing node delivers it;
            // a node that answered a resend as a duplicate does not deliver it again).
            using var deadline = new CancellationTokenSource(Timeout);
            while (watchers.SelectMany(w => w.Messages()).Select(m => m.Id).Distinct().Count() < stored.Count)
                await Task.Delay(10, deadline.Token);
            Assert.Equal(stored.Select(m => m.Id).Order(), watchers.SelectMany(w => w.Messages()).Select(m => m.Id).Distinct().Order());
            foreach (var w in watchers)
            {
                var ids = w.Messages().Select(m => m.Id).ToList();
                Assert.Equal(ids.Count, ids.Distinct().Count());
            }
        }
        finally { await DisposeAllAsync(nodes); }
    }
}

/// <summary>Refuses the next N commits (as an unreachable database would), to show nothing is numbered for them.</summary>
internal sealed class FlakySequencingStore(ISequencingMessageStore inner) : ISequencingMessageStore
{
    public int FailNext;

    public Task<IReadOnlyList<SequencedAppend>> AppendSequencedAsync(IReadOnlyList<ChatMessage> drafts, CancellationToken ct = default)
    {
        if (Interlocked.Decrement(ref FailNext) >= 0) throw new StorageUnavailableException();
        return inner.AppendSequencedAsync(drafts, ct);
    }

    public Task AppendAsync(IReadOnlyList<ChatMessage> messages, CancellationToken ct = default) => inner.AppendAsync(messages, ct);
    public Task<long> GetLastSeqAsync(string c, CancellationToken ct = default) => inner.GetLastSeqAsync(c, ct);
    public Task<ChatMessage?> FindByClientMsgIdAsync(long s, string id, CancellationToken ct = default) => inner.FindByClientMsgIdAsync(s, id, ct);
    public Task<IReadOnlyList<ChatMessage>> GetMessagesAsync(string c, long a, long b, int l, bool n, CancellationToken ct = default) => inner.GetMessagesAsync(c, a, b, l, n, ct);
    public Task<ChatMessage?> RemoveAsync(string c, long s, CancellationToken ct = default) => inner.RemoveAsync(c, s, ct);
    public Task AddParticipantAsync(string c, long u, long s, CancellationToken ct = default) => inner.AddParticipantAsync(c, u, s, ct);
    public Task RemoveParticipantAsync(string c, long u, CancellationToken ct = default) => inner.RemoveParticipantAsync(c, u, ct);
    public Task<bool> IsParticipantAsync(string c, long u, CancellationToken ct = default) => inner.IsParticipantAsync(c, u, ct);
    public Task<long> MarkDeliveredAsync(string c, long u, long s, CancellationToken ct = default) => inner.MarkDeliveredAsync(c, u, s, ct);
    public Task<long> MarkReadAsync(string c, long u, long s, CancellationToken ct = default) => inner.MarkReadAsync(c, u, s, ct);
    public Task<IReadOnlyList<ConversationCursor>> GetCursorsAsync(long u, CancellationToken ct = default) => inner.GetCursorsAsync(u, ct);
    public Task<IReadOnlyList<ConversationState>> GetConversationsAsync(long u, int l, CancellationToken ct = default) => inner.GetConversationsAsync(u, l, ct);
    public Task<ConversationState?> GetConversationAsync(long u, string c, CancellationToken ct = default) => inner.GetConversationAsync(u, c, ct);
}
