using System.Net;
using System.Text.Json;
using Parley.IntegrationTests.Infrastructure;

namespace Parley.IntegrationTests;

public sealed class MessagingTests : IAsyncLifetime
{
    private ParleyTestServer _server = null!;

    public async Task InitializeAsync() => _server = await ParleyTestServer.StartAsync();
    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static long Seq(JsonElement m) => m.GetProperty("seq").GetInt64();

    [Fact]
    public async Task Offline_user_receives_everything_on_reconnect_in_order_exactly_once()
    {
        var alice = await _server.CreateUserAsync("alice");
        var bob = await _server.CreateUserAsync("bob");
        await using var a = await TestSocket.ConnectAsync(_server, alice.Token);
        string conversation;
        long bobHas;
        await using (var b = await TestSocket.ConnectAsync(_server, bob.Token))
        {
            conversation = (await a.SendMessageAsync(new { to = "bob" }, "m1")).GetProperty("conversation").GetString()!;
            var first = (await b.MessagesAsync(1))[0];
            bobHas = Seq(first);
            await b.SendAsync(new { type = "ack", conversation, seq = bobHas });
            await b.RequestAsync(new { type = "ping", id = "flush" }, "flush");
        }

        for (var i = 2; i <= 30; i++) await a.SendMessageAsync(new { to = "bob" }, $"m{i}");

        // Same device: sync from the cursor it holds.
        await using (var b = await TestSocket.ConnectAsync(_server, bob.Token))
        {
            var synced = await b.RequestAsync(new { type = "sync", id = "s1", cursors = new Dictionary<string, long> { [conversation] = bobHas } }, "s1");
            Assert.False(synced.GetProperty("more").GetBoolean());
            Assert.Equal(30, synced.GetProperty("cursors").GetProperty(conversation).GetInt64());
            var messages = b.Seen.Where(f => f.GetProperty("type").GetString() == "message").Select(f => f.GetProperty("message")).ToList();
            Assert.Equal(Enumerable.Range(2, 29).Select(i => (long)i), messages.Select(Seq));
            Assert.Equal(Enumerable.Range(2, 29).Select(i => $"m{i}"), messages.Select(m => m.GetProperty("text").GetString()));
        }

        // A fresh device without cursors gets what no device acknowledged, again in order.
        await using (var b = await TestSocket.ConnectAsync(_server, bob.Token))
        {
            await b.RequestAsync(new { type = "sync", id = "s2" }, "s2");
            var messages = b.Seen.Where(f => f.GetProperty("type").GetString() == "message").Select(f => Seq(f.GetProperty("message"))).ToList();
            Assert.Equal(Enumerable.Range(2, 29).Select(i => (long)i), messages);
        }
    }

    [Fact]
    public async Task Sync_pages_with_a_limit_and_more()
    {
        var alice = await _server.CreateUserAsync("alice");
        var bob = await _server.CreateUserAsync("bob");
        await using var a = await TestSocket.ConnectAsync(_server, alice.Token);
        for (var i = 1; i <= 12; i++) await a.SendMessageAsync(new { to = "bob" }, $"m{i}");
        await using var b = await TestSocket.ConnectAsync(_server, bob.Token);
        var page1 = await b.RequestAsync(new { type = "sync", id = "p1", limit = 5 }, "p1");
        Assert.True(page1.GetProperty("more").GetBoolean());
        var cursors = page1.GetProperty("cursors").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt64());
        Assert.Equal(5, cursors.Values.Single());
        var page2 = await b.RequestAsync(new { type = "sync", id = "p2", limit = 100, cursors }, "p2");
        Assert.False(page2.GetProperty("more").GetBoolean());
        var seqs = b.Seen.Where(f => f.GetProperty("type").GetString() == "message").Select(f => Seq(f.GetProperty("message"))).ToList();
        Assert.Equal(Enumerable.Range(1, 12).Select(i => (long)i), seqs);
    }

    [Fact]
    public async Task Three_member_group_chat_and_a_late_joiner_pages_history()
    {
        var alice = await _server.CreateUserAsync("alice");
        var bob = await _server.CreateUserAsync("bob");
        var carol = await _server.CreateUserAsync("carol");
        var groupId = await Http.GroupAsync(_server, alice, bob, carol);
        await using var a = await TestSocket.ConnectAsync(_server, alice.Token);
        await using var b = await TestSocket.ConnectAsync(_server, bob.Token);
        await using var c = await TestSocket.ConnectAsync(_server, carol.Token);

        var online = await a.RequestAsync(new { type = "online", id = "o", group = groupId }, "o");
        Assert.Equal(3, online.GetProperty("data").GetProperty("users").GetArrayLength());

        await a.SendMessageAsync(new { group = groupId }, "from alice");
        await b.SendMessageAsync(new { group = groupId }, "from bob");
        await c.SendMessageAsync(new { conversation = $"g:{groupId}" }, "from carol");
        Assert.Equal(["from bob", "from carol"], (await a.MessagesAsync(2)).Select(m => m.GetProperty("text").GetString()));
        Assert.Equal(["from alice", "from carol"], (await b.MessagesAsync(2)).Select(m => m.GetProperty("text").GetString()));
        var carolGot = await c.MessagesAsync(2);
        Assert.Equal(["from alice", "from bob"], carolGot.Select(m => m.GetProperty("text").GetString()));
        Assert.All(carolGot, m => Assert.Equal(groupId, m.GetProperty("group").GetInt64()));

        for (var i = 4; i <= 60; i++) await a.SendMessageAsync(new { group = groupId }, $"m{i}");

        var dave = await _server.CreateUserAsync("dave");
        using var hd = _server.CreateHttpClient(dave.Token);
        await hd.GetJsonAsync($"api/conversations/g:{groupId}/messages").Expect(HttpStatusCode.Forbidden);
        await hd.PostJsonAsync($"api/groups/{groupId}/join").Expect(HttpStatusCode.OK);

        var newest = await hd.GetJsonAsync($"api/conversations/g:{groupId}/messages?limit=20").Expect(HttpStatusCode.OK);
        Assert.True(newest.GetProperty("hasMore").GetBoolean());
        var pageSeqs = newest.GetProperty("messages").EnumerateArray().Select(Seq).ToList();
        Assert.Equal(Enumerable.Range(41, 20).Select(i => (long)i), pageSeqs);
        var all = new List<long>(pageSeqs);
        var before = pageSeqs[0];
        while (true)
        {
            var page = await hd.GetJsonAsync($"api/conversations/g:{groupId}/messages?limit=20&before={before}").Expect(HttpStatusCode.OK);
            var seqs = page.GetProperty("messages").EnumerateArray().Select(Seq).ToList();
            all.InsertRange(0, seqs);
            if (!page.GetProperty("hasMore").GetBoolean()) break;
            before = seqs[0];
        }
        Assert.Equal(Enumerable.Range(1, 60).Select(i => (long)i), all);
        var after = await hd.GetJsonAsync($"api/conversations/g:{groupId}/messages?after=55&limit=3").Expect(HttpStatusCode.OK);
        Assert.Equal([56L, 57L, 58L], after.GetProperty("messages").EnumerateArray().Select(Seq));

        // Over the socket too.
        await using var d = await TestSocket.ConnectAsync(_server, dave.Token);
        var history = await d.RequestAsync(new { type = "history", id = "h", conversation = $"g:{groupId}", before = 3 }, "h");
        Assert.Equal([1L, 2L], history.GetProperty("data").GetProperty("messages").EnumerateArray().Select(Seq));
    }

    [Fact]
    public async Task Multi_device_every_device_gets_every_message_and_own_sends_appear_on_the_others()
    {
        var alice = await _server.CreateUserAsync("alice");
        var bob = await _server.CreateUserAsync("bob");
        var bobTablet = await _server.LoginAsync("bob");
        await using var a = await TestSocket.ConnectAsync(_server, alice.Token);
        await using var phone = await TestSocket.ConnectAsync(_server, bob.Token);
        await using var tablet = await TestSocket.ConnectAsync(_server, bobTablet.Token);

        await a.SendMessageAsync(new { to = "bob" }, "to both devices");
        Assert.Equal("to both devices", (await phone.MessagesAsync(1))[0].GetProperty("text").GetString());
        Assert.Equal("to both devices", (await tablet.MessagesAsync(1))[0].GetProperty("text").GetString());

        var ack = await phone.SendMessageAsync(new { to = "alice" }, "sent from phone");
        var echoed = (await tablet.MessagesAsync(1))[0];
        Assert.Equal("sent from phone", echoed.GetProperty("text").GetString());
        Assert.Equal(Seq(ack.GetProperty("seq").ValueKind == JsonValueKind.Number ? ack : ack), Seq(echoed));
        Assert.Equal("sent from phone", (await a.MessagesAsync(1))[0].GetProperty("text").GetString());
        // The sending device gets the ack, not a copy.
        await phone.RequestAsync(new { type = "ping", id = "p" }, "p");
        Assert.Single(phone.Seen, f => f.GetProperty("type").GetString() == "message");
    }

    [Fact]
    public async Task Resending_a_client_message_id_returns_the_same_ack_and_stores_one_copy()
    {
        var alice = await _server.CreateUserAsync("alice");
        var bob = await _server.CreateUserAsync("bob");
        await using var a = await TestSocket.ConnectAsync(_server, alice.Token);
        var first = await a.SendMessageAsync(new { to = "bob" }, "once", "client-42");
        var again = await a.SendMessageAsync(new { to = "bob" }, "once", "client-42");
        Assert.False(first.GetProperty("duplicate").GetBoolean());
        Assert.True(again.GetProperty("duplicate").GetBoolean());
        Assert.Equal(Seq(first), Seq(again));
        Assert.Equal(first.GetProperty("messageId").GetString(), again.GetProperty("messageId").GetString());

        // Concurrent resends of one id, as a flaky network produces them.
        var ids = Enumerable.Range(0, 8).Select(i => $"burst-{i}").ToList();
        foreach (var id in ids) await a.SendAsync(new { type = "send", id, to = "bob", text = "burst", clientMsgId = "client-43" });
        var burst = new List<JsonElement>();
        foreach (var id in ids) burst.Add(await a.NextAsync("ack", f => f.GetProperty("id").GetString() == id));
        Assert.Single(burst.Select(Seq).Distinct());
        Assert.Single(burst, r => !r.GetProperty("duplicate").GetBoolean());

        using var http = _server.CreateHttpClient(bob.Token);
        var history = await http.GetJsonAsync($"api/conversations/{first.GetProperty("conversation").GetString()}/messages").Expect(HttpStatusCode.OK);
        Assert.Equal(2, history.GetProperty("messages").GetArrayLength());

        var rest = await _server.CreateHttpClient(alice.Token).PostJsonAsync("api/messages", new { to = "bob", text = "once", clientMsgId = "client-42" }).Expect(HttpStatusCode.Created);
        Assert.True(rest.GetProperty("duplicate").GetBoolean());
        Assert.Equal(Seq(first), rest.GetProperty("seq").GetInt64());
    }

    [Fact]
    public async Task A_resend_of_a_stored_message_is_answered_as_stored_even_after_the_sender_was_blocked()
    {
        // SQLite checks client message ids in its commit, not before: a resend that is now refused must still be
        // answered with the stored original, or the sender would show a delivered message as failed.
        var alice = await _server.CreateUserAsync("alice");
        var bob = await _server.CreateUserAsync("bob");
        await using var a = await TestSocket.ConnectAsync(_server, alice.Token);
        var first = await a.SendMessageAsync(new { to = "bob" }, "before the block", "client-7");
        await _server.CreateHttpClient(bob.Token).PutJsonAsync("api/blocks/alice").Expect(HttpStatusCode.NoContent);

        var again = await a.SendMessageAsync(new { to = "bob" }, "before the block", "client-7");
        Assert.Equal("ack", again.GetProperty("type").GetString());
        Assert.True(again.GetProperty("duplicate").GetBoolean());
        Assert.Equal(first.GetProperty("messageId").GetString(), again.GetProperty("messageId").GetString());
        Assert.Equal(202, (await a.SendMessageAsync(new { to = "bob" }, "new one", "client-8")).GetProperty("code").GetInt32());
    }

    [Fact]
    public async Task Server_restart_keeps_accounts_graph_groups_and_acknowledged_history()
    {
        var alice = await _server.CreateUserAsync("alice");
        var bob = await _server.CreateUserAsync("bob");
        await Http.BefriendAsync(_server, alice, bob);
        var groupId = await Http.GroupAsync(_server, alice, bob);
        string direct;
        await using (var a = await TestSocket.ConnectAsync(_server, alice.Token))
        {
            direct = (await a.SendMessageAsync(new { to = "bob" }, "before restart")).GetProperty("conversation").GetString()!;
            await a.SendMessageAsync(new { group = groupId }, "group before restart");
        }

        await _server.RestartAsync();

        // The signing key survived, so existing tokens still work.
        using var http = _server.CreateHttpClient(bob.Token);
        var history = await http.GetJsonAsync($"api/conversations/{direct}/messages").Expect(HttpStatusCode.OK);
        Assert.Equal("before restart", history.GetProperty("messages")[0].GetProperty("text").GetString());
        var friends = await http.GetJsonAsync("api/friends").Expect(HttpStatusCode.OK);
        Assert.Equal("alice", friends[0].GetProperty("account").GetString());
        var groups = await http.GetJsonAsync("api/groups").Expect(HttpStatusCode.OK);
        Assert.Equal(groupId, groups[0].GetProperty("id").GetInt64());
        await _server.LoginAsync("alice");

        await using var b = await TestSocket.ConnectAsync(_server, bob.Token);
        await using var a2 = await TestSocket.ConnectAsync(_server, alice.Token);
        var next = await a2.SendMessageAsync(new { to = "bob" }, "after restart");
        Assert.Equal(2, Seq(next));
        var groupNext = await a2.SendMessageAsync(new { group = groupId }, "group after restart");
        Assert.Equal(2, Seq(groupNext));
    }

    [Fact]
    public async Task Conversation_list_shows_last_message_and_unread_and_read_receipts_flow()
    {
        var alice = await _server.CreateUserAsync("alice");
        var bob = await _server.CreateUserAsync("bob");
        await using var a = await TestSocket.ConnectAsync(_server, alice.Token);
        await using var b = await TestSocket.ConnectAsync(_server, bob.Token);
        for (var i = 1; i <= 3; i++) await a.SendMessageAsync(new { to = "bob" }, $"m{i}");
        var received = await b.MessagesAsync(3);
        var conversation = received[0].GetProperty("conversation").GetString()!;

        using var hb = _server.CreateHttpClient(bob.Token);
        var list = await hb.GetJsonAsync("api/conversations").Expect(HttpStatusCode.OK);
        Assert.Equal(conversation, list[0].GetProperty("conversation").GetString());
        Assert.Equal(3, list[0].GetProperty("unread").GetInt32());
        Assert.Equal("m3", list[0].GetProperty("lastMessage").GetProperty("text").GetString());
        Assert.Equal("alice", list[0].GetProperty("peer").GetProperty("account").GetString());

        await b.SendAsync(new { type = "ack", conversation, seq = 3 });
        var delivered = await a.NextAsync("receipt", r => r.GetProperty("status").GetString() == "delivered");
        Assert.Equal(3, delivered.GetProperty("seq").GetInt64());
        await b.SendAsync(new { type = "read", conversation, seq = 2 });
        var read = await a.NextAsync("receipt", r => r.GetProperty("status").GetString() == "read");
        Assert.Equal(2, read.GetProperty("seq").GetInt64());
        Assert.Equal(bob.Id, read.GetProperty("user").GetInt64());

        list = await hb.GetJsonAsync("api/conversations").Expect(HttpStatusCode.OK);
        Assert.Equal(1, list[0].GetProperty("unread").GetInt32());
        await hb.PostJsonAsync($"api/conversations/{conversation}/read", new { seq = 3 }).Expect(HttpStatusCode.NoContent);
        list = await hb.GetJsonAsync("api/conversations").Expect(HttpStatusCode.OK);
        Assert.Equal(0, list[0].GetProperty("unread").GetInt32());
    }

    [Fact]
    public async Task Typing_notices_reach_the_peer_and_presence_reaches_friends()
    {
        var alice = await _server.CreateUserAsync("alice");
        var bob = await _server.CreateUserAsync("bob");
        await Http.BefriendAsync(_server, alice, bob);
        await using var a = await TestSocket.ConnectAsync(_server, alice.Token);
        await using (var b = await TestSocket.ConnectAsync(_server, bob.Token))
        {
            var online = await a.NextAsync("presence", p => p.GetProperty("user").GetInt64() == bob.Id);
            Assert.True(online.GetProperty("online").GetBoolean());
            await b.SendAsync(new { type = "typing", to = "alice" });
            var typing = await a.NextAsync("typing");
            Assert.Equal(bob.Id, typing.GetProperty("user").GetInt64());

            using var ha = _server.CreateHttpClient(alice.Token);
            var friends = await ha.GetJsonAsync("api/friends").Expect(HttpStatusCode.OK);
            Assert.True(friends[0].GetProperty("online").GetBoolean());
            var visible = await ha.GetJsonAsync("api/users/online").Expect(HttpStatusCode.OK);
            Assert.Equal("bob", visible[0].GetProperty("account").GetString());
        }
        var offline = await a.NextAsync("presence", p => p.GetProperty("user").GetInt64() == bob.Id && !p.GetProperty("online").GetBoolean());
        Assert.Equal("bob", offline.GetProperty("userName").GetString());
    }

    [Fact]
    public async Task Rest_send_is_durable_and_reaches_live_sockets()
    {
        var alice = await _server.CreateUserAsync("alice");
        var bob = await _server.CreateUserAsync("bob");
        await using var b = await TestSocket.ConnectAsync(_server, bob.Token);
        using var ha = _server.CreateHttpClient(alice.Token);
        // free-form kinds carry any JSON payload (media kinds need an upload: Files/MediaMessageTests)
        var sent = await ha.PostJsonAsync("api/messages", new { to = bob.Id, kind = "sticker", payload = new { url = "https://x/y.png", w = 10 } }).Expect(HttpStatusCode.Created);
        Assert.Equal(1, sent.GetProperty("seq").GetInt64());
        var m = (await b.MessagesAsync(1))[0];
        Assert.Equal("sticker", m.GetProperty("kind").GetString());
        Assert.Equal(10, m.GetProperty("payload").GetProperty("w").GetInt32());
        await ha.PostJsonAsync("api/messages", new { to = "bob" }).Expect(HttpStatusCode.BadRequest);
        await ha.PostJsonAsync("api/messages", new { to = "bob", group = 1, text = "x" }).Expect(HttpStatusCode.BadRequest);
        await ha.PostJsonAsync("api/messages", new { to = "ghost", text = "x" }).Expect(HttpStatusCode.NotFound);
    }
}
