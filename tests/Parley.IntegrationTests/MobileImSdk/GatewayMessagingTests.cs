using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Parley.Abstractions.Hooks;
using Parley.Core.Messaging;
using Parley.IntegrationTests.Infrastructure;
using Parley.Protocol.MobileImSdk;
using Parley.Transports.MobileImSdk;

namespace Parley.IntegrationTests.MobileImSdk;

/// <summary>C2C across transports, QoS both ways, de-duplication, offline delivery, C2S hook and server pushes.</summary>
public sealed class GatewayMessagingTests : IAsyncLifetime
{
    public sealed class Hooks : ParleyHooks
    {
        public readonly ConcurrentQueue<MobileImC2SData> C2S = new();
        public readonly ConcurrentQueue<MobileImS2CPacket> Received = new();
        public readonly ConcurrentQueue<MobileImS2CPacket> Lost = new();
        public readonly Signal Changed = new();

        public override ValueTask<MobileImReply?> OnMobileImC2SDataAsync(MobileImC2SData data, CancellationToken ct)
        {
            C2S.Enqueue(data);
            Changed.Pulse();
            return ValueTask.FromResult(data.DataContent?.StartsWith("echo:", StringComparison.Ordinal) == true
                ? new MobileImReply("re:" + data.DataContent[5..], 42)
                : null);
        }

        public override ValueTask OnMobileImS2CReceivedAsync(MobileImS2CPacket packet)
        {
            Received.Enqueue(packet);
            Changed.Pulse();
            return ValueTask.CompletedTask;
        }

        public override ValueTask OnMobileImS2CLostAsync(IReadOnlyList<MobileImS2CPacket> packets)
        {
            foreach (var p in packets) Lost.Enqueue(p);
            Changed.Pulse();
            return ValueTask.CompletedTask;
        }
    }

    private readonly Hooks _hooks = new();
    private ParleyTestServer _server = null!;
    private static int s_users;

    public async Task InitializeAsync() => _server = await MobileImKit.StartAsync(hooks: _hooks);
    public async Task DisposeAsync() => await _server.DisposeAsync();

    private Task<TestUser> UserAsync(string prefix) => _server.CreateUserAsync($"{prefix}{Interlocked.Increment(ref s_users)}");

    private async Task<int> StoredCountAsync(TestUser a, TestUser b)
    {
        var engine = _server.Services.GetRequiredService<ChatEngine>();
        var page = await engine.HistoryAsync(a.Id, $"d:{Math.Min(a.Id, b.Id)}:{Math.Max(a.Id, b.Id)}", null, null, 200, CancellationToken.None);
        return page.Ok ? page.Value!.Messages.Count : 0;
    }

    [Fact]
    public async Task Udp_tcp_and_native_websocket_users_exchange_messages_in_all_directions()
    {
        var u = await UserAsync("udp");
        var t = await UserAsync("tcp");
        var n = await UserAsync("native");
        await using var udp = await MobileImKit.LoginAsync(_server, Wire.Udp, u);
        await using var tcp = await MobileImKit.LoginAsync(_server, Wire.Tcp, t);
        await using var native = await TestSocket.ConnectAsync(_server, n.Token);

        var fp1 = await udp.Client.SendAsync(t.Account, "udp->tcp", typeU: 7);
        var got = await tcp.MessageAsync(m => m.DataContent == "udp->tcp");
        Assert.Equal(u.Account, got.From);
        Assert.Equal(fp1, got.Fp); // the sender's UUID fp travels on
        Assert.Equal(7, got.TypeU);
        await udp.UntilAsync(h => h.Acked.Contains(fp1!), what: "ack for udp->tcp");

        var fp2 = await tcp.Client.SendAsync(u.Account, "tcp->udp");
        await udp.MessageAsync(m => m.DataContent == "tcp->udp" && m.From == t.Account);
        await tcp.UntilAsync(h => h.Acked.Contains(fp2!));

        await udp.Client.SendAsync(n.Account, "udp->native");
        var toNative = (await native.MessagesAsync(1))[0];
        Assert.Equal("udp->native", toNative.GetProperty("text").GetString());
        Assert.Equal(u.Account, toNative.GetProperty("fromName").GetString());
        await tcp.Client.SendAsync(n.Account, "tcp->native", typeU: 3);
        var second = (await native.MessagesAsync(1))[0];
        Assert.Equal("typeu.3", second.GetProperty("kind").GetString());

        await native.SendMessageAsync(new { to = u.Account }, "native->udp");
        await native.SendMessageAsync(new { to = t.Account }, "native->tcp");
        var fromNative = await udp.MessageAsync(m => m.DataContent == "native->udp");
        Assert.Equal(n.Account, fromNative.From);
        Assert.Equal(-1, fromNative.TypeU);
        await tcp.MessageAsync(m => m.DataContent == "native->tcp" && m.From == n.Account);

        // A native message without text reaches MobileIMSDK as its payload JSON.
        await native.SendAsync(new { type = "send", id = "p1", to = u.Account, kind = "custom", payload = new { card = 1 } });
        var card = await udp.MessageAsync(m => m.DataContent == "{\"card\":1}");
        Assert.Equal((n.Account, -1), (card.From, card.TypeU));

        // The receivers' ACKs reach the server: nothing stays pending and the S2C "received" hook fired.
        await MobileImKit.UntilAsync(() => _hooks.Received.Any(p => p.DataContent == "native->udp") && _hooks.Received.Any(p => p.DataContent == "native->tcp"),
            _hooks.Changed, what: "S2C received hooks");
    }

    [Fact]
    public async Task Websocket_gateway_sends_and_receives_data()
    {
        var w = await UserAsync("ws");
        var u = await UserAsync("wsu");
        await using var peer = await MobileImKit.RawAsync(_server, Wire.Ws);
        await peer.LoginAsync(w.Account, w.Password);
        await using var udp = await MobileImKit.LoginAsync(_server, Wire.Udp, u);

        var fp = Guid.NewGuid().ToString();
        await peer.SendAsync(MobileImKit.Data(w.Account, u.Account, "ws->udp", fp));
        Assert.Equal(ProtocalCodec.EncodeToString(ProtocalFactory.Ack(u.Account, w.Account, fp)), await peer.NextAsync(ProtocalType.Received));
        await udp.MessageAsync(m => m.DataContent == "ws->udp" && m.Fp == fp);

        await udp.Client.SendAsync(w.Account, "udp->ws", fp: "11111111-2222-3333-4444-555555555555");
        Assert.Equal(
            $"{{\"bridge\":false,\"type\":2,\"dataContent\":\"udp-\\u003ews\",\"from\":\"{u.Account}\",\"to\":\"{w.Account}\",\"fp\":\"11111111-2222-3333-4444-555555555555\",\"QoS\":true,\"typeu\":-1,\"sm\":-1}}",
            await peer.NextAsync(ProtocalType.CommonData));
    }

    [Fact]
    public async Task Resent_c2c_packets_are_acknowledged_each_time_but_stored_and_delivered_once()
    {
        var a = await UserAsync("dedupa");
        var b = await UserAsync("dedupb");
        await using var bob = await MobileImKit.LoginAsync(_server, Wire.Tcp, b);
        await using var raw = await MobileImKit.RawAsync(_server, Wire.Udp);
        await raw.LoginAsync(a.Account, a.Password);
        var fp = Guid.NewGuid().ToString();
        var packet = MobileImKit.Data(a.Account, b.Account, "only once", fp);
        for (var i = 0; i < 3; i++)
        {
            await raw.SendAsync(packet);
            Assert.Equal(fp, ProtocalCodec.Decode(System.Text.Encoding.UTF8.GetBytes(await raw.NextAsync(ProtocalType.Received)), 4096).Packet!.DataContent);
        }
        await bob.MessageAsync(m => m.DataContent == "only once");
        Assert.Equal(1, await StoredCountAsync(a, b));
        // A later message proves nothing else was queued for bob in between.
        await raw.SendAsync(MobileImKit.Data(a.Account, b.Account, "after", Guid.NewGuid().ToString()));
        await bob.MessageAsync(m => m.DataContent == "after");
        Assert.Single(bob.Read(h => h.Data.Where(m => m.DataContent == "only once").ToList()));
    }

    [Fact]
    public async Task The_client_resends_when_the_ack_is_missing_and_drops_duplicates_it_receives()
    {
        var a = await UserAsync("resenda");
        var b = await UserAsync("resendb");
        await using var bob = await MobileImKit.LoginAsync(_server, Wire.Udp, b);
        // A server→client QoS packet that bob sees twice (the same fp) is delivered to the app once, ACKed twice.
        await using var raw = await MobileImKit.RawAsync(_server, Wire.Udp);
        await raw.LoginAsync(a.Account, a.Password);
        var fp = Guid.NewGuid().ToString();
        await raw.SendAsync(MobileImKit.Data(a.Account, b.Account, "twice", fp));
        await bob.MessageAsync(m => m.Fp == fp);
        var push = _server.Services.GetRequiredService<MobileImPush>();
        Assert.Equal(MobileImPushStatus.Received, await push.PushAsync(b.Account, "twice-again", fp: fp).WaitAsync(MobileImKit.Timeout));
        Assert.Single(bob.Read(h => h.Data.Where(m => m.Fp == fp).ToList()));

        // Client-side resend: a QoS packet to the server whose ACK never comes (unknown receiver) is resent, then lost.
        var lostFp = await bob.Client.SendAsync("nobody-" + Guid.NewGuid().ToString("N")[..6], "into the void");
        await bob.UntilAsync(h => h.Lost.Any(p => p.Fp == lostFp), what: "lost report");
        Assert.DoesNotContain(lostFp!, bob.Read(h => h.Acked));
    }

    [Theory]
    [InlineData(Wire.Udp)]
    [InlineData(Wire.Tcp)]
    public async Task Offline_receiver_gets_the_message_at_next_login_and_the_sender_a_fake_ack(Wire wire)
    {
        var a = await UserAsync("offa");
        var b = await UserAsync("offb");
        await using var raw = await MobileImKit.RawAsync(_server, Wire.Udp);
        await raw.LoginAsync(a.Account, a.Password);
        var fp = Guid.NewGuid().ToString();
        await raw.SendAsync(MobileImKit.Data(a.Account, b.Account, "while you were out", fp));
        Assert.Equal($"{{\"bridge\":false,\"type\":4,\"dataContent\":\"{fp}\",\"from\":\"{b.Account}\",\"to\":\"{a.Account}\",\"QoS\":false,\"typeu\":-1,\"sm\":-1}}",
            await raw.NextAsync(ProtocalType.Received));

        await using (var bob = await MobileImKit.LoginAsync(_server, wire, b))
        {
            var got = await bob.MessageAsync(m => m.DataContent == "while you were out");
            Assert.Equal(fp, got.Fp);
            await MobileImKit.UntilAsync(() => _hooks.Received.Any(p => p.Fp == fp), _hooks.Changed, what: "bob's ack");
            await bob.Client.LogoutAsync();
        }
        // Acknowledged: not replayed again at the following login.
        await raw.SendAsync(MobileImKit.Data(a.Account, b.Account, "second", Guid.NewGuid().ToString()));
        await raw.NextAsync(ProtocalType.Received);
        await using var again = await MobileImKit.LoginAsync(_server, wire, b);
        await again.MessageAsync(m => m.DataContent == "second");
        Assert.DoesNotContain(again.Read(h => h.Data), m => m.DataContent == "while you were out");
    }

    [Fact]
    public async Task C2s_data_is_acked_handed_to_the_hook_once_and_the_reply_pushed_back()
    {
        var a = await UserAsync("c2s");
        await using var raw = await MobileImKit.RawAsync(_server, Wire.Udp);
        await raw.LoginAsync(a.Account, a.Password);
        var fp = Guid.NewGuid().ToString();
        var packet = MobileImKit.Data(a.Account, "0", "echo:hello", fp, typeu: 3);
        await raw.SendAsync(packet);
        Assert.Equal($"{{\"bridge\":false,\"type\":4,\"dataContent\":\"{fp}\",\"from\":\"0\",\"to\":\"{a.Account}\",\"QoS\":false,\"typeu\":-1,\"sm\":-1}}",
            await raw.NextAsync(ProtocalType.Received));
        var reply = ProtocalCodec.Decode(System.Text.Encoding.UTF8.GetBytes(await raw.NextAsync(ProtocalType.CommonData)), 4096).Packet!;
        Assert.Equal(("0", a.Account, "re:hello", 42, true), (reply.From, reply.To, reply.DataContent, reply.TypeU, reply.QoS));
        await raw.SendAsync(ProtocalCodec.EncodeToString(ProtocalFactory.Ack(a.Account, "0", reply.Fp!)));
        await MobileImKit.UntilAsync(() => _hooks.Received.Any(p => p.Fp == reply.Fp), _hooks.Changed, what: "reply acked");

        await raw.SendAsync(packet); // a resend: ACKed again, not handled again
        await raw.NextAsync(ProtocalType.Received);
        await raw.SendAsync(MobileImKit.Data(a.Account, "0", "marker", null));
        await MobileImKit.UntilAsync(() => _hooks.C2S.Any(d => d.DataContent == "marker"), _hooks.Changed, what: "marker");
        var mine = _hooks.C2S.Where(d => d.From == a.Account).ToList();
        Assert.Equal(["echo:hello", "marker"], mine.Select(d => d.DataContent));
        Assert.Equal(3, mine[0].TypeU);
    }

    [Fact]
    public async Task Server_push_with_qos_is_received_or_resent_and_reported_lost()
    {
        var a = await UserAsync("push");
        await using var client = await MobileImKit.LoginAsync(_server, Wire.Tcp, a);
        var push = _server.Services.GetRequiredService<MobileImPush>();
        Assert.Equal(MobileImPushStatus.Received, await push.PushAsync(a.Account, "hello from the app", 99).WaitAsync(MobileImKit.Timeout));
        var got = await client.MessageAsync(m => m.DataContent == "hello from the app");
        Assert.Equal(("0", 99), (got.From, got.TypeU));
        Assert.Equal(MobileImPushStatus.Offline, await push.PushAsync("nobody-here", "x"));

        // REST, administrator only.
        var admin = await _server.LoginOrCreateAdminAsync();
        using var http = _server.CreateHttpClient(admin.Token);
        var response = await http.PostAsJsonAsync("api/mobileimsdk/push", new { to = a.Account, dataContent = "via rest", typeU = 5 });
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("received", body.GetProperty("status").GetString());
        await client.MessageAsync(m => m.DataContent == "via rest" && m.TypeU == 5);
        using var notAdmin = _server.CreateHttpClient(a.Token);
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, (await notAdmin.PostAsJsonAsync("api/mobileimsdk/push", new { to = a.Account, dataContent = "x" })).StatusCode);

        // A raw peer that never ACKs: the packet is resent byte-identically once, then reported lost.
        var b = await UserAsync("deaf");
        await using var deaf = await MobileImKit.RawAsync(_server, Wire.Udp);
        await deaf.LoginAsync(b.Account, b.Password);
        await _server.WaitOnlineAsync(b.Account);
        var pending = push.PushAsync(b.Account, "are you there?");
        var first = await deaf.NextAsync(ProtocalType.CommonData);
        Assert.Equal(first, await deaf.NextAsync(ProtocalType.CommonData));
        Assert.Equal(MobileImPushStatus.Lost, await pending.WaitAsync(MobileImKit.Timeout));
        await MobileImKit.UntilAsync(() => _hooks.Lost.Any(p => p.To == b.Account && p.DataContent == "are you there?"), _hooks.Changed, what: "lost hook");
    }

    [Fact]
    public async Task A_tcp_client_logs_in_again_by_itself_after_the_server_closed_its_link()
    {
        var a = await UserAsync("relog");
        var b = await UserAsync("relogpeer");
        await using var client = await MobileImKit.LoginAsync(_server, Wire.Tcp, a);
        await using var peer = await MobileImKit.LoginAsync(_server, Wire.Udp, b);
        var first = client.Client.FirstLoginTime;
        await client.Client.SendRawAsync(System.Text.Encoding.UTF8.GetBytes("not json")); // the server closes the connection
        await client.UntilAsync(h => h.LinkClosures == 1 && h.Logins.Count == 2 && h.Client.IsLoggedIn, what: "automatic re-login");
        Assert.Equal(first, client.Client.FirstLoginTime); // re-login with the saved firstLoginTime: no self-kick
        Assert.Empty(client.Read(h => h.Kicks));
        await _server.WaitOnlineAsync(a.Account);
        var fp = await client.Client.SendAsync(b.Account, "after re-login");
        await peer.MessageAsync(m => m.DataContent == "after re-login");
        await client.UntilAsync(h => h.Acked.Contains(fp!));
        await peer.Client.SendAsync(a.Account, "to the new link");
        await client.MessageAsync(m => m.DataContent == "to the new link");
    }

    [Fact]
    public async Task Administrator_kick_sends_code_2()
    {
        var a = await UserAsync("kick2");
        await using var raw = await MobileImKit.RawAsync(_server, Wire.Tcp);
        await raw.LoginAsync(a.Account, a.Password);
        await _server.WaitOnlineAsync(a.Account);
        var admin = await _server.LoginOrCreateAdminAsync();
        using var http = _server.CreateHttpClient(admin.Token);
        (await http.PostAsJsonAsync("api/mobileimsdk/kick", new { to = a.Account, reason = "bye" })).EnsureSuccessStatusCode();
        Assert.Equal($"{{\"bridge\":false,\"type\":54,\"dataContent\":\"{{\\\"code\\\":2,\\\"reason\\\":\\\"bye\\\"}}\",\"from\":\"0\",\"to\":\"{a.Account}\",\"QoS\":false,\"typeu\":-1,\"sm\":-1}}",
            await raw.NextAsync(ProtocalType.Kickout));
        await raw.Closed.WaitAsync(MobileImKit.Timeout);
    }
}

internal static class AdminExtensions
{
    private static readonly SemaphoreSlim Gate = new(1, 1);

    public static async Task<TestUser> LoginOrCreateAdminAsync(this ParleyTestServer server)
    {
        await Gate.WaitAsync();
        try
        {
            try { return await server.LoginAsync("admin"); }
            catch (HttpRequestException) { return await server.CreateUserAsync("admin"); }
        }
        finally { Gate.Release(); }
    }
}
