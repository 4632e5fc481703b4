using System.Net.WebSockets;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Parley.Abstractions.Calls;
using Parley.Client;
using Parley.Core;
using Parley.IntegrationTests.Infrastructure;

namespace Parley.IntegrationTests.Clients;

/// <summary>Per-kind rate limits and heart-beats for client connections, and isolation from a flooding client.</summary>
public sealed class ClientLimitTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private ParleyTestServer _server = null!;

    public async Task InitializeAsync() => _server = await ClientKindServer.StartAsync(new Dictionary<string, string?>
    {
        ["Parley:Clients:Kinds:beat:Secret"] = "beat-secret-0123456789",
        ["Parley:Clients:Kinds:beat:HeartbeatMs"] = "1000",
        ["Parley:Clients:Kinds:beat:IdleTimeoutMs"] = "2500",
    }, s => s.AddParleyClientMethod(ClientQueryKinds.Any, "echo", (c, _) => ValueTask.FromResult(c.Payload)));

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task The_kind_rate_limit_drops_queries_with_error_300_and_then_recovers()
    {
        await using var slow = await _server.ConnectClientAsync("slow", "s1");
        for (var i = 0; i < 12; i++) await slow.SendAsync(new { type = "query", id = "q" + i, method = "echo", payload = i });
        var replies = new List<JsonElement>();
        for (var i = 0; i < 12; i++) replies.Add(await slow.ReplyAsync("q" + i));
        var limited = replies.Where(r => r.GetProperty("type").GetString() == "error").ToList();
        Assert.NotEmpty(limited);
        Assert.All(limited, e => Assert.Equal((300, "rate limit exceeded, frame dropped"), (e.GetProperty("code").GetInt32(), e.GetProperty("message").GetString())));
        Assert.Equal(0, replies[0].GetProperty("data").GetInt32());

        // Tokens come back at the kind's rate: a later query is answered again.
        using var cts = new CancellationTokenSource(Deadline);
        for (var attempt = 0; ; attempt++)
        {
            var reply = await slow.RequestAsync(new { type = "query", id = "r" + attempt, method = "echo", payload = attempt }, "r" + attempt);
            if (reply.GetProperty("type").GetString() == "result") break;
            await Task.Delay(100, cts.Token);
        }
        Assert.False(slow.Completion.IsCompleted);
    }

    [Fact]
    public async Task A_flooding_client_does_not_hold_up_another_clients_calls()
    {
        await using var victim = ParleyClient.ForClientKind(_server.BaseUri, "kiosk", "victim", ClientKindServer.KioskSecret);
        victim.RegisterCallHandler("work", (call, _) => Task.FromResult(call.Payload));
        await victim.ConnectAsync().WaitAsync(Deadline);
        await using var flooder = await _server.ConnectClientAsync("slow", "flooder");

        using var stop = new CancellationTokenSource();
        var flood = Task.Run(async () =>
        {
            var sent = 0;
            while (!stop.IsCancellationRequested)
            {
                await flooder.SendRawAsync("{\"type\":\"query\",\"method\":\"echo\",\"payload\":[1,2,3]}");
                sent++;
            }
            return sent;
        });
        // The flood is on once the flooder is being refused.
        await flooder.NextAsync("error", e => e.GetProperty("code").GetInt32() == 300);

        var calls = _server.Services.GetRequiredService<IClientCalls>();
        var serverCalls = Enumerable.Range(0, 30).Select(i =>
            calls.CallAsync(ClientTarget.ClientOf("kiosk", "victim"), "work", JsonSerializer.SerializeToElement(i), TimeSpan.FromSeconds(20)));
        var queries = Enumerable.Range(0, 30).Select(i => victim.QueryAsync("echo", JsonSerializer.SerializeToElement(i)));
        var callResults = await Task.WhenAll(serverCalls).WaitAsync(Deadline);
        var queryResults = await Task.WhenAll(queries).WaitAsync(Deadline);
        await stop.CancelAsync();
        var sent = await flood.WaitAsync(Deadline);

        for (var i = 0; i < 30; i++)
        {
            Assert.Equal(i, callResults[i].EnsureSuccess()!.Value.GetInt32());
            Assert.Equal(i, queryResults[i]!.Value.GetInt32());
        }
        Assert.True(sent > 10, $"the flood sent only {sent} frames");
        Assert.False(flooder.Completion.IsCompleted, "the flooder's kind never closes it for flooding");
        // Still connected: a ping is answered (or refused for the rate, the flood's tokens not yet back).
        var alive = await flooder.RequestAsync(new { type = "ping", id = "alive" }, "alive");
        Assert.True(alive.GetProperty("type").GetString() == "pong" || alive.GetProperty("code").GetInt32() == 300, alive.GetRawText());
    }

    [Fact]
    public async Task A_kind_has_its_own_heartbeat_and_idle_timeout()
    {
        await using var sdk = ParleyClient.ForClientKind(_server.BaseUri, "beat", "b1", "beat-secret-0123456789");
        await sdk.ConnectAsync().WaitAsync(Deadline);
        Assert.Equal((1000, 2500), (sdk.Welcome!.HeartbeatMs, sdk.Welcome.IdleTimeoutMs));

        using var http = _server.CreateHttpClient();
        var body = await http.PostJsonAsync("api/clients/token", new { kind = "beat", clientId = "silent", secret = "beat-secret-0123456789" })
            .Expect(System.Net.HttpStatusCode.OK);
        await using var silent = await TestSocket.ConnectAsync(_server, body.GetProperty("token").GetString()!);
        Assert.Equal(1000, silent.Welcome.GetProperty("heartbeatMs").GetInt32());
        Assert.Equal(2500, silent.Welcome.GetProperty("idleTimeoutMs").GetInt32());
        Assert.Equal((WebSocketCloseStatus)4008, await silent.ClosedAsync(Deadline));

        // Meanwhile the SDK client kept to the advised heart-beat and is still there.
        Assert.Equal(ConnectionState.Connected, sdk.State);
        Assert.Equal(7, (await sdk.QueryAsync("echo", JsonSerializer.SerializeToElement(7)).WaitAsync(Deadline))!.Value.GetInt32());
    }
}
