using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Parley.Core.Messaging;
using Parley.IntegrationTests.Infrastructure;

namespace Parley.IntegrationTests.MobileImSdk;

/// <summary>QoS over a lossy UDP path: every message is delivered exactly once, or reported lost.</summary>
public sealed class GatewayLossTests : IAsyncLifetime
{
    private readonly GatewayMessagingTests.Hooks _hooks = new();
    private ParleyTestServer _server = null!;

    public async Task InitializeAsync() => _server = await MobileImKit.StartAsync(new Dictionary<string, string?>
    {
        ["Parley:MobileImSdk:Udp:IdleTimeoutMs"] = "20000",
    }, _hooks);

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Twenty_percent_loss_every_qos_message_arrives_exactly_once_or_is_reported_lost()
    {
        var a = await _server.CreateUserAsync("lossy-alice");
        var b = await _server.CreateUserAsync("lossy-bob");
        await using var relay = new UdpLossRelay(await _server.UdpAsync(), dropRate: 0, seed: 20261122);
        await using var alice = await MobileImKit.LoginAsync(_server, Wire.Udp, a, relay.EndPoint);
        await using var bob = await MobileImKit.LoginAsync(_server, Wire.Udp, b, relay.EndPoint);
        alice.Client.MessagesLost += _ => _hooks.Changed.Pulse();
        alice.Client.MessageReceived += _ => _hooks.Changed.Pulse();
        bob.Client.DataReceived += _ => _hooks.Changed.Pulse();
        relay.DropRate = 0.2;

        const int count = 40;
        var fps = new ConcurrentDictionary<string, string>();
        for (var i = 0; i < count; i++)
        {
            var text = $"m{i:D2}";
            fps[text] = (await alice.Client.SendAsync(b.Account, text))!;
        }

        bool Accounted(string text) =>
            bob.Read(h => h.Data.Any(m => m.DataContent == text))
            || alice.Read(h => h.Lost.Any(p => p.DataContent == text))
            || _hooks.Lost.Any(p => p.DataContent == text && p.To == b.Account);
        await MobileImKit.UntilAsync(() => alice.Client.PendingQosCount == 0 && fps.Keys.All(Accounted), _hooks.Changed,
            TimeSpan.FromSeconds(30), "every message delivered or reported lost");

        var delivered = bob.Read(h => h.Data.Select(m => m.DataContent!).ToList());
        Assert.Equal(delivered.Count, delivered.Distinct().Count()); // never twice to the application
        Assert.True(relay.Dropped > 0, "the relay dropped nothing");
        Assert.True(delivered.Count >= count / 2, $"only {delivered.Count} of {count} delivered");

        // Storage holds each message at most once (resends de-duplicated by fp).
        var engine = _server.Services.GetRequiredService<ChatEngine>();
        var page = await engine.HistoryAsync(a.Id, $"d:{Math.Min(a.Id, b.Id)}:{Math.Max(a.Id, b.Id)}", null, null, 200, CancellationToken.None);
        var stored = page.Value!.Messages.Select(m => m.Text).ToList();
        Assert.Equal(stored.Count, stored.Distinct().Count());
        // What alice saw acknowledged is stored; what bob got is stored.
        foreach (var text in alice.Read(h => h.Acked.Select(fp => fps.First(kv => kv.Value == fp).Key).ToList())) Assert.Contains(text, stored);
        foreach (var text in delivered) Assert.Contains(text, stored);
    }

    [Fact]
    public async Task A_blackout_longer_than_the_qos_window_is_reported_lost_and_nothing_is_stored()
    {
        var a = await _server.CreateUserAsync("dark-alice");
        var b = await _server.CreateUserAsync("dark-bob");
        await using var relay = new UdpLossRelay(await _server.UdpAsync(), dropRate: 0, seed: 7);
        await using var alice = await MobileImKit.LoginAsync(_server, Wire.Udp, a, relay.EndPoint);
        relay.DropRate = 1;
        var fp = await alice.Client.SendAsync(b.Account, "into the dark");
        await alice.UntilAsync(h => h.Lost.Any(p => p.Fp == fp), what: "lost report");
        var engine = _server.Services.GetRequiredService<ChatEngine>();
        var page = await engine.HistoryAsync(a.Id, $"d:{Math.Min(a.Id, b.Id)}:{Math.Max(a.Id, b.Id)}", null, null, 10, CancellationToken.None);
        Assert.True(!page.Ok || page.Value!.Messages.Count == 0);

        // Light again: the client re-logs in by itself if the link was declared lost, and messages flow.
        relay.DropRate = 0;
        await using var bob = await MobileImKit.LoginAsync(_server, Wire.Udp, b);
        await alice.UntilAsync(h => h.Client.IsLoggedIn, TimeSpan.FromSeconds(15), "alice logged in");
        var fp2 = await alice.Client.SendAsync(b.Account, "after the dark");
        await alice.UntilAsync(h => h.Acked.Contains(fp2!), what: "ack after the dark");
        await bob.MessageAsync(m => m.DataContent == "after the dark");
    }
}
