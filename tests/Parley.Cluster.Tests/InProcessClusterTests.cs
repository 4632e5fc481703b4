using System.Collections.Concurrent;
using System.Net;
using System.Net.WebSockets;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Parley.Client.MobileImSdk;
using Parley.Cluster.Tests.Infrastructure;
using Parley.IntegrationTests.Infrastructure;
using Parley.IntegrationTests.Stomp;
using Parley.Protocol.MobileImSdk;
using Parley.Protocol.Stomp;
using Parley.Transports.MobileImSdk;

namespace Parley.Cluster.Tests;

/// <summary>
/// Three real servers in this process joined by a real RabbitMQ: everything that crosses nodes (messages, receipts,
/// typing, presence, kicks, revocations, STOMP topics, MobileIMSDK single-login and pushes) works as on one node.
/// </summary>
[Collection(RabbitMqCollection.Name)]
public sealed class InProcessClusterTests(RabbitMqServer rabbit) : IAsyncLifetime
{
    private InProcessCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await InProcessCluster.StartAsync(rabbit, 3);
    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    private static long Seq(JsonElement message) => message.GetProperty("seq").GetInt64();
    private static string? Text(JsonElement message) => message.GetProperty("text").GetString();

    [Fact]
    public async Task A_direct_message_reaches_every_session_on_other_nodes_once_and_in_order()
    {
        var alice = await _cluster[0].CreateUserAsync("alice");
        var bob = await _cluster[0].CreateUserAsync("bob");
        await using var a0 = await TestSocket.ConnectAsync(_cluster[0], alice.Token);
        await using var a2 = await TestSocket.ConnectAsync(_cluster[2], alice.Token);
        await using var b1 = await TestSocket.ConnectAsync(_cluster[1], bob.Token);
        await using var b2 = await TestSocket.ConnectAsync(_cluster[2], bob.Token);

        for (var i = 1; i <= 30; i++) await a0.SendMessageAsync(new { to = "bob" }, $"m{i}");
        var expected = Enumerable.Range(1, 30).Select(i => (long)i).ToList();
        foreach (var socket in new[] { b1, b2, a2 })
        {
            var got = await socket.MessagesAsync(30);
            Assert.Equal(expected, got.Select(Seq));
            Assert.Equal("m30", Text(got[^1]));
        }

        // A removal reaches the other participant's sessions and the sender's other devices on other nodes.
        var removed = await a0.RequestAsync(new { type = "remove", id = "r", conversation = $"d:{alice.Id}:{bob.Id}", seq = 3 }, "r");
        Assert.Equal("result", removed.GetProperty("type").GetString());
        foreach (var socket in new[] { b1, b2, a2 })
        {
            var notice = await socket.NextAsync("removed");
            Assert.Equal((3L, alice.Id), (notice.GetProperty("seq").GetInt64(), notice.GetProperty("by").GetInt64()));
        }

        // Receipts and typing go back across nodes too.
        await b1.SendAsync(new { type = "read", conversation = $"d:{alice.Id}:{bob.Id}", seq = 30 });
        var receipt = await a0.NextAsync("receipt");
        Assert.Equal(bob.Id, receipt.GetProperty("user").GetInt64());
        Assert.Equal(30, receipt.GetProperty("seq").GetInt64());
        await b2.SendAsync(new { type = "typing", to = "alice" });
        Assert.Equal(bob.Id, (await a0.NextAsync("typing")).GetProperty("user").GetInt64());

        // Once each: a ping round trip after everything flushed shows no late duplicates.
        await b1.RequestAsync(new { type = "ping", id = "p" }, "p");
        await b2.RequestAsync(new { type = "ping", id = "p" }, "p");
        Assert.Equal(30, b1.Seen.Count(f => f.GetProperty("type").GetString() == "message"));
        Assert.Equal(30, b2.Seen.Count(f => f.GetProperty("type").GetString() == "message"));
    }

    [Fact]
    public async Task Social_notices_reach_every_session_on_other_nodes_once()
    {
        var ann = await _cluster[0].CreateUserAsync("nann");
        var ben = await _cluster[0].CreateUserAsync("nben");
        await using var b1 = await TestSocket.ConnectAsync(_cluster[1], ben.Token);
        await using var b2 = await TestSocket.ConnectAsync(_cluster[2], ben.Token);
        await using var a2 = await TestSocket.ConnectAsync(_cluster[2], ann.Token);
        using var annHttp = _cluster[0].CreateHttpClient(ann.Token);
        using var benHttp = _cluster[1].CreateHttpClient(ben.Token);

        var request = (await annHttp.PostJsonAsync("api/friends/requests", new { user = ben.Account }).Expect(HttpStatusCode.Created)).GetProperty("id").GetInt64();
        foreach (var socket in new[] { b1, b2 })
        {
            var notice = await socket.NextAsync("notice");
            Assert.Equal(("friendRequest", ann.Id, request), (notice.GetProperty("kind").GetString(), notice.GetProperty("user").GetInt64(),
                notice.GetProperty("requestId").GetInt64()));
        }
        var group = (await benHttp.PostJsonAsync("api/groups", new { name = "Across" }).Expect(HttpStatusCode.Created)).GetProperty("id").GetInt64();
        await annHttp.PostJsonAsync($"api/groups/{group}/join").Expect(HttpStatusCode.OK);
        foreach (var socket in new[] { b1, b2 })
        {
            var joined = await socket.NextAsync("notice", f => f.GetProperty("kind").GetString() == "memberJoined");
            Assert.Equal((ann.Id, group, "Across"), (joined.GetProperty("user").GetInt64(), joined.GetProperty("group").GetInt64(),
                joined.GetProperty("groupName").GetString()));
        }

        await b1.RequestAsync(new { type = "ping", id = "p" }, "p");
        await b2.RequestAsync(new { type = "ping", id = "p" }, "p");
        await a2.RequestAsync(new { type = "ping", id = "p" }, "p");
        Assert.Equal(2, b1.Seen.Count(f => f.GetProperty("type").GetString() == "notice"));
        Assert.Equal(2, b2.Seen.Count(f => f.GetProperty("type").GetString() == "notice"));
        Assert.Equal(0, a2.Seen.Count(f => f.GetProperty("type").GetString() == "notice"));
    }

    [Fact]
    public async Task A_group_message_reaches_members_on_every_node_and_online_members_are_cluster_wide()
    {
        var alice = await _cluster[0].CreateUserAsync("alice");
        var bob = await _cluster[0].CreateUserAsync("bob");
        var carol = await _cluster[0].CreateUserAsync("carol");
        var groupId = await Http.GroupAsync(_cluster[0], alice, bob, carol);
        await using var a = await TestSocket.ConnectAsync(_cluster[0], alice.Token);
        await using var b = await TestSocket.ConnectAsync(_cluster[1], bob.Token);
        await using var c = await TestSocket.ConnectAsync(_cluster[2], carol.Token);

        await Eventually.HoldsAsync(() => OnlineMembers(c, groupId) == 3, "three members online seen from node 2");
        for (var i = 1; i <= 20; i++) await a.SendMessageAsync(new { group = groupId }, $"g{i}");
        foreach (var socket in new[] { b, c })
            Assert.Equal(Enumerable.Range(1, 20).Select(i => (long)i), (await socket.MessagesAsync(20)).Select(Seq));

        // A member who joins on another node is known to every node's member cache at once.
        var dave = await _cluster[1].CreateUserAsync("dave");
        using (var hd = _cluster[1].CreateHttpClient(dave.Token)) await hd.PostJsonAsync($"api/groups/{groupId}/join").Expect(HttpStatusCode.OK);
        await using var d = await TestSocket.ConnectAsync(_cluster[2], dave.Token);
        await a.SendMessageAsync(new { group = groupId }, "welcome dave");
        Assert.Equal("welcome dave", Text((await d.MessagesAsync(1))[0]));
    }

    private static int OnlineMembers(TestSocket socket, long groupId)
    {
        var id = Guid.NewGuid().ToString("N");
        var reply = socket.RequestAsync(new { type = "online", id, group = groupId }, id).GetAwaiter().GetResult();
        return reply.GetProperty("data").GetProperty("users").GetArrayLength();
    }

    [Fact]
    public async Task Presence_is_cluster_wide()
    {
        var alice = await _cluster[0].CreateUserAsync("alice");
        var bob = await _cluster[0].CreateUserAsync("bob");
        await Http.BefriendAsync(_cluster[0], alice, bob);
        await using var a = await TestSocket.ConnectAsync(_cluster[0], alice.Token);
        using var ha = _cluster[2].CreateHttpClient(alice.Token);
        await using (var b = await TestSocket.ConnectAsync(_cluster[1], bob.Token))
        {
            var online = await a.NextAsync("presence", p => p.GetProperty("user").GetInt64() == bob.Id);
            Assert.True(online.GetProperty("online").GetBoolean());
            var visible = await ha.GetJsonAsync("api/users/online").Expect(HttpStatusCode.OK);
            Assert.Equal("bob", visible[0].GetProperty("account").GetString());
            var friends = await ha.GetJsonAsync("api/friends").Expect(HttpStatusCode.OK);
            Assert.True(friends[0].GetProperty("online").GetBoolean());
        }
        var offline = await a.NextAsync("presence", p => p.GetProperty("user").GetInt64() == bob.Id && !p.GetProperty("online").GetBoolean());
        Assert.Equal("bob", offline.GetProperty("userName").GetString());
        Assert.Equal(0, (await ha.GetJsonAsync("api/users/online").Expect(HttpStatusCode.OK)).GetArrayLength());
    }

    [Fact]
    public async Task Kicks_logouts_and_revocations_reach_sessions_on_other_nodes()
    {
        var admin = await _cluster[0].CreateUserAsync("admin");
        var bob = await _cluster[0].CreateUserAsync("bob");
        await using var b1 = await TestSocket.ConnectAsync(_cluster[1], bob.Token);
        using var ha = _cluster[0].CreateHttpClient(admin.Token);
        var kick = await ha.PostJsonAsync("api/admin/users/bob/kick").Expect(HttpStatusCode.OK);
        Assert.Equal(1, kick.GetProperty("closed").GetInt32());
        Assert.Equal((WebSocketCloseStatus)4003, await b1.ClosedAsync());

        var second = await _cluster[0].LoginAsync("bob");
        await using var b2 = await TestSocket.ConnectAsync(_cluster[2], second.Token);
        using (var hb = _cluster[0].CreateHttpClient(second.Token)) await hb.PostJsonAsync("api/auth/logout").Expect(HttpStatusCode.NoContent);
        Assert.Equal((WebSocketCloseStatus)4002, await b2.ClosedAsync());
        // The revoked token is refused by every node, not only the one that revoked it.
        using var again = _cluster[1].CreateHttpClient(second.Token);
        await again.GetJsonAsync("api/me").Expect(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_stomp_free_topic_reaches_subscribers_on_other_nodes()
    {
        var alice = await _cluster[0].CreateUserAsync("alice");
        var bob = await _cluster[0].CreateUserAsync("bob");
        var (subscriber, _) = await RawStompClient.ConnectAsync(_cluster[1], bob.Token);
        await using var sub = subscriber;
        await sub.SubscribeAsync("t1", "/topic/news");
        var (publisher, _) = await RawStompClient.ConnectAsync(_cluster[0], alice.Token);
        await using var pub = publisher;
        await pub.SendAsync("SEND\ndestination:/topic/news\ncontent-type:text/plain\n\nfresh from node 0\0");
        var message = await sub.NextAsync(StompCommand.Message);
        Assert.Equal("/topic/news", message.GetHeader("destination"));
        Assert.Equal("fresh from node 0", System.Text.Encoding.UTF8.GetString(message.Body.Span));
    }

    [Fact]
    public async Task MobileImSdk_single_login_and_pushes_work_across_nodes()
    {
        await _cluster[0].CreateUserAsync("admin");
        var bob = await _cluster[0].CreateUserAsync("bob");
        var kicks = new ConcurrentQueue<PKickoutInfo>();
        var received = new ConcurrentQueue<MobileImMessage>();
        await using var first = new MobileImClient(await UdpOptionsAsync(_cluster[0]));
        first.KickedOut += kicks.Enqueue;
        Assert.Equal(0, await first.LoginAsync("bob", bob.Password).WaitAsync(TestSocket.Timeout));
        await using var second = new MobileImClient(await UdpOptionsAsync(_cluster[1]));
        second.DataReceived += received.Enqueue;
        Assert.Equal(0, await second.LoginAsync("bob", bob.Password).WaitAsync(TestSocket.Timeout));
        await Eventually.HoldsAsync(() => !kicks.IsEmpty, "the first session is kicked by the login on another node");
        Assert.Equal(MobileImKickoutCode.DuplicateLogin, kicks.First().Code);
        await Eventually.HoldsAsync(() => _cluster[1].Services.GetRequiredService<MobileImPush>().IsOnline("bob"), "bob's session registered on node 1");

        // An administrator on node 0 pushes to bob, whose session is on node 1, and hears the client's ACK.
        var admin = await _cluster[0].LoginAsync("admin");
        using var ha = _cluster[0].CreateHttpClient(admin.Token);
        var push = await ha.PostJsonAsync("api/mobileimsdk/push", new { to = "bob", dataContent = "from the server" }).Expect(HttpStatusCode.OK);
        Assert.Equal("received", push.GetProperty("status").GetString());
        Assert.Contains(received, m => m.DataContent == "from the server" && m.From == "0");
        await ha.PostJsonAsync("api/mobileimsdk/kick", new { to = "bob" }).Expect(HttpStatusCode.NoContent);
        await ha.PostJsonAsync("api/mobileimsdk/kick", new { to = "nobody" }).Expect(HttpStatusCode.NotFound);
    }

    private static async Task<MobileImClientOptions> UdpOptionsAsync(ParleyTestServer server)
    {
        var endpoints = server.Services.GetRequiredService<MobileImGatewayEndpoints>();
        await endpoints.UdpReady.WaitAsync(TestSocket.Timeout);
        return new MobileImClientOptions
        {
            Transport = MobileImTransport.Udp, Host = endpoints.Udp!.Address.ToString(), Port = endpoints.Udp.Port,
            KeepAliveInterval = TimeSpan.FromMilliseconds(500), KeepAliveTimeout = TimeSpan.FromSeconds(4),
            ReloginInterval = TimeSpan.FromMilliseconds(300), QosCheckInterval = TimeSpan.FromMilliseconds(200),
            QosResendAfter = TimeSpan.FromMilliseconds(300), QosMaxResends = 2, TimerResolution = TimeSpan.FromMilliseconds(25),
            LoginTimeout = TestSocket.Timeout,
        };
    }

    [Fact]
    public async Task A_node_cut_off_from_RabbitMQ_keeps_serving_and_catches_up_when_it_returns()
    {
        var alice = await _cluster[0].CreateUserAsync("alice");
        var bob = await _cluster[0].CreateUserAsync("bob");
        var carol = await _cluster[0].CreateUserAsync("carol");
        await using var a = await TestSocket.ConnectAsync(_cluster[0], alice.Token);
        await using var c = await TestSocket.ConnectAsync(_cluster[0], carol.Token);
        await using var b = await TestSocket.ConnectAsync(_cluster[1], bob.Token);
        await b.SendMessageAsync(new { to = "alice" }, "before");
        Assert.Equal("before", Text((await a.MessagesAsync(1))[0]));

        await rabbit.KillAsync();
        try
        {
            // Local users keep chatting; remote sends are durable (acknowledged) though the bus is down.
            await c.SendMessageAsync(new { to = "alice" }, "local during outage");
            Assert.Equal("local during outage", Text((await a.MessagesAsync(1))[0]));
            for (var i = 1; i <= 3; i++) Assert.Equal(i + 1, (await b.SendMessageAsync(new { to = "alice" }, $"outage {i}")).GetProperty("seq").GetInt64());
        }
        finally
        {
            await rabbit.StartAsync();
        }
        // Node 0 reconnects by itself, re-declares its queue and bindings and hands alice what she missed, in order.
        var missed = await a.MessagesAsync(3);
        Assert.Equal(["outage 1", "outage 2", "outage 3"], missed.Select(Text));
        Assert.Equal([2L, 3L, 4L], missed.Select(Seq));
        await b.SendMessageAsync(new { to = "alice" }, "after");
        Assert.Equal("after", Text((await a.MessagesAsync(1))[0]));
    }
}
