using Microsoft.Extensions.DependencyInjection;
using Parley.Abstractions.Stores;
using Parley.Core.Messaging;
using Parley.IntegrationTests.Infrastructure;
using Parley.Protocol.MobileImSdk;

namespace Parley.IntegrationTests.MobileImSdk;

/// <summary>
/// What the gateway stores for MobileIMSDK traffic: time-first ids for the senders' random fps (and resends that
/// still find them after a restart), and receivers' ACKs gathered into one cursor move per conversation.
/// </summary>
public sealed class GatewayStorageTests : IAsyncLifetime
{
    private readonly GatewayMessagingTests.Hooks _hooks = new();
    private ParleyTestServer _server = null!;
    private static int s_users;

    // A delay no test outlasts: a cursor moves only when something makes it (logout, a new login).
    public async Task InitializeAsync() => _server = await MobileImKit.StartAsync(
        new Dictionary<string, string?> { ["Parley:MobileImSdk:CursorDelayMs"] = "600000" }, _hooks);

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private Task<TestUser> UserAsync(string prefix) => _server.CreateUserAsync($"{prefix}{Interlocked.Increment(ref s_users)}");

    private async Task<IReadOnlyList<Parley.Abstractions.Model.ChatMessage>> HistoryAsync(TestUser a, TestUser b)
    {
        var engine = _server.Services.GetRequiredService<ChatEngine>();
        var page = await engine.HistoryAsync(a.Id, $"d:{Math.Min(a.Id, b.Id)}:{Math.Max(a.Id, b.Id)}", null, null, 200, CancellationToken.None);
        Assert.True(page.Ok);
        return page.Value!.Messages.OrderBy(m => m.Seq).ToList();
    }

    private async Task<long> DeliveredAsync(TestUser user) =>
        (await _server.Services.GetRequiredService<IMessageStore>().GetCursorsAsync(user.Id)).Single().DeliveredSeq;

    [Fact]
    public async Task Random_fps_are_stored_time_first_and_reach_the_receiver_unchanged()
    {
        var a = await UserAsync("fpa");
        var b = await UserAsync("fpb");
        await using var bob = await MobileImKit.LoginAsync(_server, Wire.Tcp, b);
        await using var raw = await MobileImKit.RawAsync(_server, Wire.Udp);
        await raw.LoginAsync(a.Account, a.Password);
        // Descending fps: stored as they are, the second would sort before the first.
        string[] fps = ["ffffffff-0000-4000-8000-000000000001", "00000000-0000-4000-8000-000000000002"];
        foreach (var fp in fps)
        {
            await raw.SendAsync(MobileImKit.Data(a.Account, b.Account, "fp " + fp, fp));
            await raw.NextAsync(ProtocalType.Received);
            Assert.Equal(fp, (await bob.MessageAsync(m => m.DataContent == "fp " + fp)).Fp);
            // The time in front is in milliseconds: two sends within one would sort by fp. The server stamped this
            // one before it answered, so once the clock has passed the answer's millisecond the next send is later.
            var answered = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            while (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() <= answered) await Task.Delay(1);
        }
        var stored = await HistoryAsync(a, b);
        Assert.Equal(2, stored.Count);
        for (var i = 0; i < 2; i++)
        {
            Assert.StartsWith("~", stored[i].ClientMsgId);
            Assert.EndsWith(fps[i], stored[i].ClientMsgId);
            Assert.True(stored[i].ClientMsgId!.Length <= 64);
        }
        Assert.True(string.CompareOrdinal(stored[0].ClientMsgId, stored[1].ClientMsgId) < 0, "later fps sort after earlier ones");
    }

    [Fact]
    public async Task A_resend_after_a_restart_is_answered_and_not_stored_again()
    {
        var a = await UserAsync("rsa");
        var b = await UserAsync("rsb");
        var fp = Guid.NewGuid().ToString();
        var packet = MobileImKit.Data(a.Account, b.Account, "before the restart", fp);
        await using (var raw = await MobileImKit.RawAsync(_server, Wire.Udp))
        {
            await raw.LoginAsync(a.Account, a.Password);
            await raw.SendAsync(packet);
            await raw.NextAsync(ProtocalType.Received);
        }

        await _server.RestartAsync();
        await using var again = await MobileImKit.RawAsync(_server, Wire.Udp);
        await again.LoginAsync(a.Account, a.Password);
        await again.SendAsync(packet);
        Assert.Equal(fp, ProtocalCodec.Decode(System.Text.Encoding.UTF8.GetBytes(await again.NextAsync(ProtocalType.Received)), 4096).Packet!.DataContent);
        // A new fp is stored: the resend was answered from the store, not dropped.
        await again.SendAsync(MobileImKit.Data(a.Account, b.Account, "after the restart", Guid.NewGuid().ToString()));
        await again.NextAsync(ProtocalType.Received);

        var stored = await HistoryAsync(a, b);
        Assert.Equal(["before the restart", "after the restart"], stored.Select(m => m.Text));
    }

    [Fact]
    public async Task Acks_gather_into_one_cursor_move_that_a_new_login_makes_before_its_replay()
    {
        var alice = await UserAsync("cura");
        var b = await UserAsync("curb");
        await using var a = await TestSocket.ConnectAsync(_server, alice.Token);
        var bob = await MobileImKit.LoginAsync(_server, Wire.Tcp, b);
        for (var i = 1; i <= 3; i++) await a.SendMessageAsync(new { to = b.Account }, $"m{i}");
        for (var i = 1; i <= 3; i++) await bob.MessageAsync(m => m.DataContent == $"m{i}");
        await MobileImKit.UntilAsync(() => _hooks.Received.Count(p => p.To == b.Account) == 3, _hooks.Changed, what: "bob's three ACKs");
        Assert.Equal(0, await DeliveredAsync(b));

        // A second device logs in: the gathered move is made before the replay, so nothing acknowledged comes again.
        await using var second = await MobileImKit.LoginAsync(_server, Wire.Udp, b);
        var receipt = await a.NextAsync("receipt", r => r.GetProperty("status").GetString() == "delivered");
        Assert.Equal(3, receipt.GetProperty("seq").GetInt64());
        Assert.Equal(3, await DeliveredAsync(b));
        await a.SendMessageAsync(new { to = b.Account }, "m4");
        await second.MessageAsync(m => m.DataContent == "m4");
        Assert.DoesNotContain(second.Read(h => h.Data), m => m.DataContent is "m1" or "m2" or "m3");
        await bob.DisposeAsync();
    }

    [Fact]
    public async Task A_logout_moves_the_gathered_cursor()
    {
        var alice = await UserAsync("loa");
        var b = await UserAsync("lob");
        await using var a = await TestSocket.ConnectAsync(_server, alice.Token);
        await using var bob = await MobileImKit.LoginAsync(_server, Wire.Tcp, b);
        await a.SendMessageAsync(new { to = b.Account }, "bye");
        await bob.MessageAsync(m => m.DataContent == "bye");
        await MobileImKit.UntilAsync(() => _hooks.Received.Any(p => p.To == b.Account), _hooks.Changed, what: "bob's ACK");
        Assert.Equal(0, await DeliveredAsync(b));

        await bob.Client.LogoutAsync();
        var receipt = await a.NextAsync("receipt", r => r.GetProperty("status").GetString() == "delivered");
        Assert.Equal(1, receipt.GetProperty("seq").GetInt64());
        Assert.Equal(1, await DeliveredAsync(b));
    }

    [Fact]
    public async Task A_server_stop_moves_the_gathered_cursors()
    {
        var alice = await UserAsync("sta");
        var b = await UserAsync("stb");
        await using (var bob = await MobileImKit.LoginAsync(_server, Wire.Tcp, b))
        {
            await using (var a = await TestSocket.ConnectAsync(_server, alice.Token))
                await a.SendMessageAsync(new { to = b.Account }, "before the stop");
            await bob.MessageAsync(m => m.DataContent == "before the stop");
            await MobileImKit.UntilAsync(() => _hooks.Received.Any(p => p.To == b.Account), _hooks.Changed, what: "bob's ACK");
            Assert.Equal(0, await DeliveredAsync(b));
            await _server.RestartAsync();
        }
        Assert.Equal(1, await DeliveredAsync(b));
    }
}
