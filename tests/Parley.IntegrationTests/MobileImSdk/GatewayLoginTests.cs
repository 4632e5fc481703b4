using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Parley.Abstractions.Hooks;
using Parley.Core.Sessions;
using Parley.IntegrationTests.Infrastructure;
using Parley.Protocol.MobileImSdk;
using Parley.Transports.MobileImSdk;

namespace Parley.IntegrationTests.MobileImSdk;

/// <summary>Login, refusals, echo, error 301, keep-alive and kicks, checked byte for byte on all three transports.</summary>
public sealed class GatewayLoginTests : IAsyncLifetime
{
    private sealed class Hooks : SlowLoginHooks
    {
        public TaskCompletionSource Held { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override async ValueTask<int> VerifyMobileImLoginAsync(MobileImLoginContext context, CancellationToken ct)
        {
            await base.VerifyMobileImLoginAsync(context, ct);
            if (context.Extra == "hold-me")
            {
                Held.TrySetResult();
                await Release.Task;
            }
            return context.Extra == "refuse-me" ? 2001 : 0;
        }
    }

    /// <summary>A session whose transport is memory: the test ends it when it wants.</summary>
    private sealed class MemorySession() : MobileImSession("test", "memory", new ListenerOptions(), closesOnError: true)
    {
        protected override ValueTask WriteAsync(byte[] packet, CancellationToken ct) => ValueTask.CompletedTask;
        protected override ValueTask CloseTransportAsync() => ValueTask.CompletedTask;
    }

    private readonly Hooks _hooks = new();
    private ParleyTestServer _server = null!;
    private static int s_users;

    public async Task InitializeAsync() => _server = await MobileImKit.StartAsync(hooks: _hooks);
    public async Task DisposeAsync() => await _server.DisposeAsync();

    private Task<TestUser> UserAsync(string prefix) => _server.CreateUserAsync($"{prefix}{Interlocked.Increment(ref s_users)}");

    [Theory]
    [InlineData(Wire.Udp)]
    [InlineData(Wire.Tcp)]
    [InlineData(Wire.Ws)]
    public async Task Login_response_and_keep_alive_response_are_byte_exact(Wire wire)
    {
        var user = await UserAsync("login");
        await using var peer = await MobileImKit.RawAsync(_server, wire);
        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var response = await peer.LoginAsync(user.Account, user.Password);
        var first = MobileImKit.FirstLoginTimeOf(response);
        Assert.InRange(first, before, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        Assert.Equal(MobileImKit.LoginResponse(user.Account, first), response);

        await peer.SendAsync($"{{\"bridge\":false,\"type\":1,\"dataContent\":\"{{}}\",\"from\":\"{user.Account}\",\"to\":\"0\",\"QoS\":false,\"typeu\":-1,\"sm\":-1}}");
        Assert.Equal($"{{\"bridge\":false,\"type\":51,\"dataContent\":\"{{}}\",\"from\":\"0\",\"to\":\"{user.Account}\",\"QoS\":false,\"typeu\":-1,\"sm\":-1}}",
            await peer.NextAsync(ProtocalType.ResponseKeepAlive));
    }

    [Theory]
    [InlineData(Wire.Udp)]
    [InlineData(Wire.Tcp)]
    [InlineData(Wire.Ws)]
    public async Task Wrong_password_is_refused_with_1025_and_tcp_ws_are_closed(Wire wire)
    {
        var user = await UserAsync("refused");
        await using var peer = await MobileImKit.RawAsync(_server, wire);
        var response = await peer.LoginAsync(user.Account, "wrong-password");
        Assert.Equal("{\"bridge\":false,\"type\":50,\"dataContent\":\"{\\\"code\\\":1025,\\\"firstLoginTime\\\":-1}\",\"from\":\"0\",\"to\":\"-1\",\"QoS\":false,\"typeu\":-1,\"sm\":-1}", response);
        if (wire == Wire.Udp)
        {
            // UDP keeps the pseudo-session: a correct login on the same address succeeds.
            Assert.Equal(0, LoginCode(await peer.LoginAsync(user.Account, user.Password)));
        }
        else
        {
            await peer.Closed.WaitAsync(MobileImKit.Timeout);
            if (wire == Wire.Ws) Assert.Equal("Bye", peer.WsCloseReason);
        }
    }

    [Fact]
    public async Task Unknown_account_and_hook_refusal_get_application_codes()
    {
        var user = await UserAsync("hooked");
        await using var peer = await MobileImKit.RawAsync(_server, Wire.Udp);
        Assert.Equal(1025, LoginCode(await peer.LoginAsync("nobody-" + Guid.NewGuid().ToString("N")[..8], "whatever-password")));
        await peer.SendAsync(ProtocalCodec.EncodeToString(new Protocal
        {
            Type = 0, From = user.Account, To = "0", DataContent = new PLoginInfo(user.Account, user.Password, "refuse-me").ToJson(),
        }));
        Assert.Equal(2001, LoginCode(await peer.NextAsync(ProtocalType.ResponseLogin)));
    }

    [Fact]
    public async Task A_parley_jwt_is_accepted_as_login_token()
    {
        var user = await UserAsync("jwt");
        await using var peer = await MobileImKit.RawAsync(_server, Wire.Tcp);
        Assert.Equal(0, LoginCode(await peer.LoginAsync(user.Account, user.Token)));
    }

    [Theory]
    [InlineData(Wire.Udp)]
    [InlineData(Wire.Tcp)]
    [InlineData(Wire.Ws)]
    public async Task Packets_before_login_get_error_301_and_echo_works_without_login(Wire wire)
    {
        await using var peer = await MobileImKit.RawAsync(_server, wire);
        var echo = "{\"bridge\":false,\"type\":5,\"dataContent\":\"ping \\u003c\\u003e\",\"from\":\"x\",\"to\":\"y\",\"QoS\":false,\"typeu\":7,\"sm\":-1}";
        await peer.SendAsync(echo);
        Assert.Equal(echo.Replace("\"type\":5", "\"type\":53"), await peer.NextAsync(ProtocalType.ResponseEcho));

        await peer.SendAsync("{\"bridge\":false,\"type\":2,\"dataContent\":\"hi\",\"from\":\"probe-udp\",\"to\":\"bob\",\"QoS\":false,\"typeu\":-1,\"sm\":-1}");
        Assert.Equal(
            "{\"bridge\":false,\"type\":52,\"dataContent\":\"{\\\"errorCode\\\":301,\\\"errorMsg\\\":\\\"{\\\\\\\"bridge\\\\\\\":false,\\\\\\\"type\\\\\\\":2,\\\\\\\"dataContent\\\\\\\":\\\\\\\"hi\\\\\\\",\\\\\\\"from\\\\\\\":\\\\\\\"probe-udp\\\\\\\",\\\\\\\"to\\\\\\\":\\\\\\\"bob\\\\\\\",\\\\\\\"QoS\\\\\\\":false,\\\\\\\"typeu\\\\\\\":-1,\\\\\\\"sm\\\\\\\":-1}\\\"}\",\"from\":\"0\",\"to\":\"-1\",\"QoS\":false,\"typeu\":-1,\"sm\":-1}",
            await peer.NextAsync(ProtocalType.ResponseForError));
        if (wire == Wire.Udp)
        {
            await peer.SendAsync("{\"type\":1,\"dataContent\":\"{}\",\"from\":\"probe-udp\",\"to\":\"0\"}");
            Assert.Contains("301", await peer.NextAsync(ProtocalType.ResponseForError));
        }
        else
        {
            await peer.Closed.WaitAsync(MobileImKit.Timeout);
        }
    }

    [Theory]
    [InlineData(Wire.Udp, Wire.Tcp)]
    [InlineData(Wire.Tcp, Wire.Ws)]
    [InlineData(Wire.Ws, Wire.Udp)]
    public async Task A_fresh_login_elsewhere_kicks_the_older_session(Wire older, Wire newer)
    {
        var user = await UserAsync("dup");
        await using var first = await MobileImKit.RawAsync(_server, older);
        Assert.Equal(0, LoginCode(await first.LoginAsync(user.Account, user.Password)));
        await _server.WaitOnlineAsync(user.Account);
        await using var second = await MobileImKit.RawAsync(_server, newer);
        Assert.Equal(0, LoginCode(await second.LoginAsync(user.Account, user.Password)));

        Assert.Equal($"{{\"bridge\":false,\"type\":54,\"dataContent\":\"{{\\\"code\\\":1}}\",\"from\":\"0\",\"to\":\"{user.Account}\",\"QoS\":false,\"typeu\":-1,\"sm\":-1}}",
            await first.NextAsync(ProtocalType.Kickout));
        if (older != Wire.Udp) await first.Closed.WaitAsync(MobileImKit.Timeout);
        // The new session works.
        await second.SendAsync($"{{\"type\":1,\"dataContent\":\"{{}}\",\"from\":\"{user.Account}\",\"to\":\"0\"}}");
        await second.NextAsync(ProtocalType.ResponseKeepAlive);
    }

    [Fact]
    public async Task A_stale_relogin_is_kicked_itself_and_an_equal_first_login_time_replaces_silently()
    {
        var user = await UserAsync("stale");
        await using var current = await MobileImKit.RawAsync(_server, Wire.Tcp);
        var t = MobileImKit.FirstLoginTimeOf(await current.LoginAsync(user.Account, user.Password));
        await _server.WaitOnlineAsync(user.Account);

        await using var stale = await MobileImKit.RawAsync(_server, Wire.Tcp);
        var staleResponse = await stale.LoginAsync(user.Account, user.Password, t - 1000);
        Assert.Equal(0, LoginCode(staleResponse));
        Assert.Contains("\\\"code\\\":1", await stale.NextAsync(ProtocalType.Kickout));
        await stale.Closed.WaitAsync(MobileImKit.Timeout);

        await using var same = await MobileImKit.RawAsync(_server, Wire.Udp);
        Assert.Equal(t, MobileImKit.FirstLoginTimeOf(await same.LoginAsync(user.Account, user.Password, t)));
        await current.Closed.WaitAsync(MobileImKit.Timeout); // replaced: closed without a kickout packet
        Assert.DoesNotContain(current.Snapshot(), p => RawPeer.TypeOf(p) == ProtocalType.Kickout);
    }

    [Fact]
    public async Task The_client_reports_a_duplicate_login_kick_and_does_not_log_in_again()
    {
        var user = await UserAsync("kickc");
        await using var a = await MobileImKit.LoginAsync(_server, Wire.Udp, user);
        await using var b = await MobileImKit.LoginAsync(_server, Wire.Tcp, user);
        await a.UntilAsync(h => h.Kicks.Count == 1 && h.LinkClosures == 1, what: "kick");
        Assert.Equal(1, a.Read(h => h.Kicks[0].Code));
        Assert.False(a.Client.IsLoggedIn);
    }

    [Fact]
    public async Task Logout_closes_tcp_and_the_user_goes_offline()
    {
        var user = await UserAsync("logout");
        await using var peer = await MobileImKit.RawAsync(_server, Wire.Tcp);
        await peer.LoginAsync(user.Account, user.Password);
        var push = _server.Services.GetService(typeof(Parley.Transports.MobileImSdk.MobileImPush)) as Parley.Transports.MobileImSdk.MobileImPush;
        await GatewayRobustnessTests.WaitUntilAsync(() => push!.IsOnline(user.Account));
        await peer.SendAsync($"{{\"bridge\":false,\"type\":3,\"from\":\"{user.Account}\",\"to\":\"0\",\"QoS\":false,\"typeu\":-1,\"sm\":-1}}");
        await peer.Closed.WaitAsync(MobileImKit.Timeout);
        Assert.False(push!.IsOnline(user.Account));
    }

    [Fact]
    public async Task Extra_websocket_listener_serves_the_gateway()
    {
        await using var server = await MobileImKit.StartAsync(new Dictionary<string, string?> { ["Parley:MobileImSdk:WebSocket:Port"] = "0" });
        var port = server.Endpoints().WebSocket!.Port;
        Assert.NotEqual(server.BaseUri.Port, port);
        await using var peer = await RawPeer.WsAsync(new Uri($"ws://127.0.0.1:{port}/websocket"));
        await peer.SendAsync("{\"type\":5,\"dataContent\":\"x\"}");
        await peer.NextAsync(ProtocalType.ResponseEcho);
    }

    [Theory]
    [InlineData(Wire.Udp)]
    [InlineData(Wire.Tcp)]
    public async Task An_automatic_re_login_slower_than_the_re_login_interval_still_logs_in(Wire wire)
    {
        var user = await UserAsync("slowrelog");
        await using var client = await MobileImKit.LoginAsync(_server, wire, user);
        // Each login now takes several re-login intervals (300 ms) to answer, as on a loaded machine.
        _hooks.Delay = TimeSpan.FromSeconds(1);
        // The server ends the session (TCP: closes the link; UDP: forgets it, so the next keep-alive gets 301).
        await client.Client.SendRawAsync(Encoding.UTF8.GetBytes("garbage"));
        await client.UntilAsync(h => h.Logins.Count == 2 && h.Client.IsLoggedIn, what: "automatic re-login");
        await _server.WaitOnlineAsync(user.Account);
        var push = _server.Services.GetRequiredService<MobileImPush>();
        Assert.Equal(MobileImPushStatus.Received, await push.PushAsync(user.Account, "back").WaitAsync(MobileImKit.Timeout));
        // The answers to logins resent while the first was being checked are not new logins.
        Assert.Equal(2, client.Read(h => h.Logins.Count));
    }

    [Fact]
    public async Task A_session_that_ends_while_its_login_is_checked_leaves_no_connection_behind()
    {
        var user = await UserAsync("midlogin");
        var friend = await UserAsync("midfriend");
        await Http.BefriendAsync(_server, user, friend);
        await using var watcher = await TestSocket.ConnectAsync(_server, friend.Token);
        var gateway = _server.Services.GetRequiredService<MobileImGateway>();
        var registry = _server.Services.GetRequiredService<SessionRegistry>();
        var session = new MemorySession();
        gateway.Start(session);
        var login = Encoding.UTF8.GetBytes(ProtocalCodec.EncodeToString(new Protocal
        {
            Type = ProtocalType.Login, From = user.Account, To = "0", DataContent = new PLoginInfo(user.Account, user.Password, "hold-me", 0).ToJson(),
        }));
        var handling = gateway.HandleAsync(session, ProtocalCodec.Decode(login, login.Length)).AsTask();
        await _hooks.Held.Task.WaitAsync(MobileImKit.Timeout);
        gateway.End(session); // as a failed transport or a stopping server would
        _hooks.Release.TrySetResult();
        await handling.WaitAsync(MobileImKit.Timeout);

        Assert.Null(gateway.OnlineSession(user.Account));
        Assert.Null(session.UserId);
        Assert.Empty(registry.Get(user.Id));
        // Not even for a moment: friends saw the user neither come online nor go offline.
        Assert.Equal("pong", (await watcher.RequestAsync(new { type = "ping", id = "p" }, "p")).GetProperty("type").GetString());
        await Assert.ThrowsAsync<TimeoutException>(() => watcher.NextAsync("presence", p => p.GetProperty("user").GetInt64() == user.Id, TimeSpan.FromMilliseconds(50)));
    }

    internal static int LoginCode(string response)
    {
        var packet = ProtocalCodec.Decode(Encoding.UTF8.GetBytes(response), 1 << 20).Packet!;
        Assert.True(PLoginInfoResponse.TryParse(packet.DataContent, out var r));
        return r.Code;
    }
}
