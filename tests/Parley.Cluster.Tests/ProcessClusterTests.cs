using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json;
using Parley.Client;
using Parley.Client.MobileImSdk;
using Parley.Cluster.Tests.Infrastructure;
using Parley.IntegrationTests.Infrastructure;
using Parley.IntegrationTests.Stomp;
using Parley.Protocol.Stomp;
using Parley.TestInfrastructure;

namespace Parley.Cluster.Tests;

/// <summary>
/// Three real <c>Parley.Server</c> processes, one PostgreSQL database, one RabbitMQ, a plain balancer in front: chat
/// across nodes on every transport, presence across nodes, and a node killed with SIGKILL during traffic.
/// </summary>
[Collection(RabbitMqCollection.Name)]
public sealed class ProcessClusterTests(RabbitMqServer rabbit) : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private ProcessCluster _cluster = null!;
    private PostgresServer _postgres = null!;
    private string _database = "";

    public async Task InitializeAsync()
    {
        _postgres = await PostgresServer.SharedAsync();
        _database = await _postgres.CreateDatabaseAsync("nodes");
        _cluster = await ProcessCluster.StartAsync(rabbit, new Dictionary<string, string?>
        {
            ["Parley:Storage:Provider"] = "postgres",
            ["Parley:Storage:Postgres:ConnectionString"] = _database,
        });
    }

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        await _postgres.DropDatabaseAsync(_database);
    }

    private static ParleyClient Client(Uri uri, TestUser user, ConcurrentQueue<ChatMessage> inbox)
    {
        var client = new ParleyClient(uri, user.Token, new ParleyClientOptions
        {
            ReconnectInitialDelay = TimeSpan.FromMilliseconds(100),
            ReconnectMaxDelay = TimeSpan.FromSeconds(1),
            RequestTimeout = Wait,
        });
        client.MessageReceived += (_, m) => inbox.Enqueue(m);
        return client;
    }

    [Fact]
    public async Task Chat_crosses_nodes_over_native_stomp_and_mobileimsdk()
    {
        var alice = await _cluster.CreateUserAsync("alice");
        var bob = await _cluster.CreateUserAsync("bob");
        var carol = await _cluster.CreateUserAsync("carol");
        var dave = await _cluster.CreateUserAsync("dave");
        long groupId;
        using (var ha = _cluster.Http(0, alice.Token))
        {
            var group = await ha.PostAsJsonAsync("api/groups", new { name = "team" });
            groupId = (await group.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        }
        foreach (var (member, node) in new[] { (bob, 1), (carol, 2) })
        {
            using var hm = _cluster.Http(node, member.Token);
            (await hm.PostAsync($"api/groups/{groupId}/join", null)).EnsureSuccessStatusCode();
        }

        var aliceInbox = new ConcurrentQueue<ChatMessage>();
        var bobInbox = new ConcurrentQueue<ChatMessage>();
        await using var a = Client(_cluster[0].BaseUri, alice, aliceInbox);
        await using var b = Client(_cluster[1].BaseUri, bob, bobInbox);
        await a.ConnectAsync().WaitAsync(Wait);
        await b.ConnectAsync().WaitAsync(Wait);
        var (stomp, _) = await RawStompClient.ConnectAsync(_cluster[2].BaseUri, carol.Token);
        await using var c = stomp;
        await c.SubscribeAsync("m", "/user/queue/messages");
        var daveGot = new ConcurrentQueue<MobileImMessage>();
        await using var d = new MobileImClient(new MobileImClientOptions
        {
            Transport = MobileImTransport.Udp, Host = "127.0.0.1", Port = _cluster[1].Udp.Port, LoginTimeout = Wait,
            QosCheckInterval = TimeSpan.FromMilliseconds(200), QosResendAfter = TimeSpan.FromMilliseconds(300),
        });
        d.DataReceived += daveGot.Enqueue;
        Assert.Equal(0, await d.LoginAsync("dave", dave.Password).WaitAsync(Wait));

        // Native on node 0 → native on node 1, STOMP on node 2 (group), MobileIMSDK on node 1.
        Assert.Equal(1, (await a.SendAsync("bob", "hello bob")).Seq);
        await a.SendToGroupAsync(groupId, "hello team");
        await a.SendAsync("dave", "hello dave");
        await Eventually.HoldsAsync(() => bobInbox.Count(m => m.Text is "hello bob" or "hello team") == 2, "bob got both", Wait);
        var carolGot = await c.NextAsync(StompCommand.Message).WaitAsync(Wait);
        Assert.Contains("hello team", System.Text.Encoding.UTF8.GetString(carolGot.Body.Span));
        await Eventually.HoldsAsync(() => daveGot.Any(m => m.DataContent == "hello dave"), "dave (MobileIMSDK) got it", Wait);

        // And back: MobileIMSDK on node 1 and STOMP on node 2 → native on node 0.
        await d.SendAsync("alice", "hi from dave");
        await c.SendAsync($"SEND\ndestination:/app/chat/alice\n\nhi from carol\0");
        await Eventually.HoldsAsync(() => aliceInbox.Any(m => m.Text == "hi from dave") && aliceInbox.Any(m => m.Text == "hi from carol"),
            "alice got dave's and carol's", Wait);
    }

    [Fact]
    public async Task Presence_crosses_nodes_and_a_killed_node_takes_its_users_offline()
    {
        var alice = await _cluster.CreateUserAsync("alice");
        var bob = await _cluster.CreateUserAsync("bob");
        using (var ha = _cluster.Http(0, alice.Token))
        using (var hb = _cluster.Http(1, bob.Token))
        {
            var request = await (await ha.PostAsJsonAsync("api/friends/requests", new { user = "bob" })).Content.ReadFromJsonAsync<JsonElement>();
            (await hb.PostAsync($"api/friends/requests/{request.GetProperty("id").GetInt64()}/accept", null)).EnsureSuccessStatusCode();
        }
        var presence = new ConcurrentQueue<PresenceInfo>();
        await using var a = Client(_cluster[0].BaseUri, alice, new());
        a.PresenceChanged += (_, p) => presence.Enqueue(p);
        await a.ConnectAsync().WaitAsync(Wait);
        await using var b = Client(_cluster[1].BaseUri, bob, new());
        await b.ConnectAsync().WaitAsync(Wait);
        await Eventually.HoldsAsync(() => presence.Any(p => p.User == bob.Id && p.Online), "alice hears bob online", Wait);
        using (var h2 = _cluster.Http(2, alice.Token))
        {
            var online = await h2.GetFromJsonAsync<JsonElement>("api/users/online");
            Assert.Equal("bob", online[0].GetProperty("account").GetString());
        }

        var killed = System.Diagnostics.Stopwatch.StartNew();
        await _cluster[1].KillAsync();
        await Eventually.HoldsAsync(() => presence.Any(p => p.User == bob.Id && !p.Online), "alice hears bob offline after node 1 died", Wait);
        Assert.True(killed.Elapsed < TimeSpan.FromSeconds(15), $"offline after {killed.ElapsedMilliseconds} ms (node timeout 2.5 s)");
    }

    [Fact]
    public async Task A_node_killed_during_traffic_loses_no_acknowledged_message_and_clients_resync_elsewhere()
    {
        const int count = 60;
        await _cluster.CreateUserAsync("admin");
        var admin = await _cluster.LoginAsync("admin");
        var alice = await _cluster.CreateUserAsync("alice");
        var bob = await _cluster.CreateUserAsync("bob");
        var aliceInbox = new ConcurrentQueue<ChatMessage>();
        var bobInbox = new ConcurrentQueue<ChatMessage>();
        await using var a = Client(_cluster.Balancer.Uri, alice, aliceInbox);
        await using var b = Client(_cluster.Balancer.Uri, bob, bobInbox);
        await a.ConnectAsync().WaitAsync(Wait);
        await b.ConnectAsync().WaitAsync(Wait);
        var victim = (await _cluster.NodesHoldingAsync(admin.Token, alice.Id)).Single();

        var ackedByAlice = new ConcurrentBag<long>();
        var ackedByBob = new ConcurrentBag<long>();
        async Task TrafficAsync(ParleyClient from, string to, ConcurrentBag<long> acked, string prefix)
        {
            for (var i = 1; i <= count; i++)
            {
                for (var attempt = 1; ; attempt++)
                {
                    try
                    {
                        var receipt = await from.SendAsync(to, $"{prefix}{i}", clientMsgId: $"{prefix}-{i}").WaitAsync(Wait);
                        acked.Add(receipt.Seq);
                        break;
                    }
                    catch (ParleyRequestException e) when (e.Code == ParleyErrorCodes.StorageFailed && attempt < 5)
                    {
                        // What the protocol asks of a client: resend with the same clientMsgId (never a duplicate).
                    }
                }
            }
        }
        var aliceSends = TrafficAsync(a, "bob", ackedByAlice, "a");
        var bobSends = TrafficAsync(b, "alice", ackedByBob, "b");
        const int total = 2 * count;
        await Eventually.HoldsAsync(() => ackedByAlice.Count >= count / 3, "traffic under way", Wait);
        await _cluster[victim].KillAsync();
        await Task.WhenAll(aliceSends, bobSends).WaitAsync(TimeSpan.FromSeconds(90));

        // Clients of the dead node are on another one now.
        var now = await _cluster.NodesHoldingAsync(admin.Token, alice.Id);
        Assert.DoesNotContain(victim, now);
        Assert.NotEmpty(now);

        // Every acknowledged message is stored, once: one conversation, seqs 1..2×count with no gap.
        var survivor = Enumerable.Range(0, _cluster.Nodes.Count).First(i => i != victim);
        using var http = _cluster.Http(survivor, alice.Token);
        var conversation = $"d:{Math.Min(alice.Id, bob.Id)}:{Math.Max(alice.Id, bob.Id)}";
        var history = await http.GetFromJsonAsync<JsonElement>($"api/conversations/{conversation}/messages?after=0&limit=200");
        var stored = history.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("seq").GetInt64()).ToList();
        Assert.Equal(Enumerable.Range(1, total).Select(i => (long)i), stored);
        Assert.Subset(stored.ToHashSet(), ackedByAlice.Concat(ackedByBob).ToHashSet());

        // Each side received every message of the other once, in order, with no gap.
        string Missing(ConcurrentQueue<ChatMessage> inbox, long from, string prefix) => string.Join(",",
            Enumerable.Range(1, count).Select(i => prefix + i).Except(inbox.Where(m => m.From == from).Select(m => m.Text ?? "")));
        await Eventually.HoldsAsync(() => bobInbox.Count(m => m.From == alice.Id) >= count, () => "bob has all of alice's, missing: " + Missing(bobInbox, alice.Id, "a"), Wait);
        await Eventually.HoldsAsync(() => aliceInbox.Count(m => m.From == bob.Id) >= count, () => "alice has all of bob's, missing: " + Missing(aliceInbox, bob.Id, "b"), Wait);
        Assert.Equal(Enumerable.Range(1, count).Select(i => $"a{i}"), bobInbox.Where(m => m.From == alice.Id).Select(m => m.Text));
        Assert.Equal(Enumerable.Range(1, count).Select(i => $"b{i}"), aliceInbox.Where(m => m.From == bob.Id).Select(m => m.Text));
        foreach (var inbox in new[] { aliceInbox, bobInbox })
        {
            var seqs = inbox.Select(m => m.Seq).ToList();
            Assert.Equal(seqs.Distinct().Count(), seqs.Count);
            Assert.Equal(seqs.Order(), seqs);
        }
    }

    [Fact]
    public async Task Three_nodes_writing_one_group_at_once_deliver_to_every_session_once_and_in_order()
    {
        const int each = 30;
        var users = new List<TestUser>();
        foreach (var name in new[] { "ann", "ben", "cat" }) users.Add(await _cluster.CreateUserAsync(name));
        long groupId;
        using (var h = _cluster.Http(0, users[0].Token))
        {
            var group = await h.PostAsJsonAsync("api/groups", new { name = "busy" });
            groupId = (await group.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        }
        for (var i = 1; i < 3; i++)
        {
            using var h = _cluster.Http(i, users[i].Token);
            (await h.PostAsync($"api/groups/{groupId}/join", null)).EnsureSuccessStatusCode();
        }
        // Raw sockets (no SDK reordering): what each node hands out is what the test sees. Each user sends on one
        // socket and listens on a second one on another node.
        var senders = new List<TestSocket>();
        var listeners = new List<TestSocket>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                senders.Add(await TestSocket.ConnectAsync(_cluster[i].WebSocketUri, users[i].Token));
                listeners.Add(await TestSocket.ConnectAsync(_cluster[(i + 1) % 3].WebSocketUri, users[i].Token));
            }
            // Every node follows the conversation first (seq 1). Where a node only starts following it in the middle of
            // a burst, which seq comes first is not defined: clients take that start from a sync (docs/protocol.md).
            await senders[0].SendMessageAsync(new { group = groupId }, "warm-up");
            foreach (var socket in listeners.Concat(senders.Skip(1))) Assert.Equal(1, (await socket.MessagesAsync(1))[0].GetProperty("seq").GetInt64());
            await Task.WhenAll(senders.Select((socket, i) => Task.Run(async () =>
            {
                for (var n = 1; n <= each; n++) await socket.SendMessageAsync(new { group = groupId }, $"{users[i].Account}{n}");
            }))).WaitAsync(TimeSpan.FromSeconds(90));

            foreach (var listener in listeners)
            {
                var got = await listener.MessagesAsync(3 * each);
                // Every seq once and in order, whichever of the three nodes committed it.
                Assert.Equal(Enumerable.Range(2, 3 * each).Select(n => (long)n), got.Select(m => m.GetProperty("seq").GetInt64()));
            }
            foreach (var sender in senders)
            {
                // The sending socket gets the others' messages (not its own: those are acks), also in order.
                var got = await sender.MessagesAsync(2 * each);
                var seqs = got.Select(m => m.GetProperty("seq").GetInt64()).ToList();
                Assert.Equal(seqs.Order(), seqs);
                Assert.Equal(seqs.Count, seqs.Distinct().Count());
            }
        }
        finally
        {
            foreach (var socket in senders.Concat(listeners)) await socket.DisposeAsync();
        }
    }
}
