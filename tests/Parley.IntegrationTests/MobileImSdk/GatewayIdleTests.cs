using System.Text;
using Parley.IntegrationTests.Infrastructure;
using Parley.Protocol.MobileImSdk;
using Parley.Transports.MobileImSdk;

namespace Parley.IntegrationTests.MobileImSdk;

/// <summary>
/// Idle timeouts, with a short one (1.2 s) so that the tests see it pass: a silent session is closed, keep-alives keep
/// one open, and a session is not idle while the server is still handling its packet.
/// </summary>
public sealed class GatewayIdleTests : IAsyncLifetime
{
    private const int IdleMs = 1200;

    private readonly SlowLoginHooks _hooks = new();
    private ParleyTestServer _server = null!;
    private static int s_users;

    public async Task InitializeAsync() => _server = await MobileImKit.StartAsync(new Dictionary<string, string?>
    {
        ["Parley:MobileImSdk:Udp:IdleTimeoutMs"] = $"{IdleMs}",
        ["Parley:MobileImSdk:Tcp:IdleTimeoutMs"] = $"{IdleMs}",
        ["Parley:MobileImSdk:WebSocket:IdleTimeoutMs"] = $"{IdleMs}",
    }, _hooks);

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private Task<TestUser> UserAsync(string prefix) => _server.CreateUserAsync($"{prefix}{Interlocked.Increment(ref s_users)}");

    [Theory]
    [InlineData(Wire.Udp)]
    [InlineData(Wire.Tcp)]
    [InlineData(Wire.Ws)]
    public async Task A_silent_session_is_closed_after_the_idle_timeout(Wire wire)
    {
        var u = await UserAsync("idle");
        await using var peer = await MobileImKit.RawAsync(_server, wire);
        await peer.LoginAsync(u.Account, u.Password);
        var push = (MobileImPush)_server.Services.GetService(typeof(MobileImPush))!;
        await GatewayRobustnessTests.WaitUntilAsync(() => push.IsOnline(u.Account)); // registered just after the login response went out
        if (wire == Wire.Udp)
        {
            // Nothing on the wire tells a UDP peer; the server forgot the session, so the next keep-alive gets 301.
            await GatewayRobustnessTests.WaitUntilAsync(() => !push.IsOnline(u.Account));
            await peer.SendAsync(GatewayRobustnessTests.KeepAlive(u.Account));
            Assert.Contains("301", await peer.NextAsync(ProtocalType.ResponseForError));
        }
        else
        {
            await peer.Closed.WaitAsync(MobileImKit.Timeout);
            Assert.False(push.IsOnline(u.Account));
        }
    }

    [Fact]
    public async Task Keep_alives_keep_a_client_online_past_the_idle_timeout_and_a_lost_link_relogs_in()
    {
        var u = await UserAsync("alive");
        await using var client = await MobileImKit.LoginAsync(_server, Wire.Udp, u);
        var push = (MobileImPush)_server.Services.GetService(typeof(MobileImPush))!;
        var keepAliveResponses = 0;
        var signal = new Signal();
        client.Client.PacketReceived += p =>
        {
            if (p.Type == ProtocalType.ResponseKeepAlive) Interlocked.Increment(ref keepAliveResponses);
            signal.Pulse();
        };
        // Six keep-alives at 500 ms span more than twice the 1.2 s idle timeout: still online and reachable.
        await MobileImKit.UntilAsync(() => Volatile.Read(ref keepAliveResponses) >= 6, signal, what: "keep-alive responses");
        Assert.Equal(MobileImPushStatus.Received, await push.PushAsync(u.Account, "still here").WaitAsync(MobileImKit.Timeout));
        Assert.Equal(0, client.Read(h => h.LinkClosures));

        // The server forgets the UDP session (a garbage datagram); the next keep-alive gets 301 and the client logs in again.
        var before = client.Read(h => h.Logins.Count);
        await client.Client.SendRawAsync(Encoding.UTF8.GetBytes("garbage")); // ends the UDP pseudo-session
        await client.UntilAsync(h => h.Logins.Count > before && h.Errors.Contains(301), TimeSpan.FromSeconds(10), "automatic re-login");
        await GatewayRobustnessTests.WaitUntilAsync(() => push.IsOnline(u.Account));
        Assert.Equal(MobileImPushStatus.Received, await push.PushAsync(u.Account, "back").WaitAsync(MobileImKit.Timeout));
    }

    [Theory]
    [InlineData(Wire.Udp)]
    [InlineData(Wire.Tcp)]
    public async Task A_login_slower_than_the_idle_timeout_is_not_taken_for_silence(Wire wire)
    {
        var u = await UserAsync("slow");
        _hooks.Delay = TimeSpan.FromMilliseconds(2 * IdleMs); // a password check on a starved machine
        await using var peer = await MobileImKit.RawAsync(_server, wire);
        Assert.Equal(0, GatewayLoginTests.LoginCode(await peer.LoginAsync(u.Account, u.Password)));
        await _server.WaitOnlineAsync(u.Account);
        await peer.SendAsync(GatewayRobustnessTests.KeepAlive(u.Account));
        await peer.NextAsync(ProtocalType.ResponseKeepAlive);
    }
}
