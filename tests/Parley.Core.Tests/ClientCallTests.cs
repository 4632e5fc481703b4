using System.Text.Json;
using Parley.Abstractions;
using Parley.Abstractions.Calls;
using Parley.Abstractions.Events;
using Parley.Core.Clients;
using Parley.Core.Sessions;

namespace Parley.Core.Tests;

/// <summary>Server → client calls over the engine with a fake transport: matching, timeouts, closes, bounds.</summary>
public sealed class ClientCallTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private static JsonElement Json(object value) => JsonSerializer.SerializeToElement(value);

    [Fact]
    public async Task A_call_reaches_the_client_and_returns_its_answer()
    {
        await using var h = await EngineHarness.StartAsync(o => ClientHarnessExtensions.WithKinds(o));
        var kiosk = h.ConnectClient("kiosk", "k1");
        var calls = h.Get<IClientCalls>();

        var pending = calls.CallAsync(ClientTarget.ClientOf("kiosk", "k1"), "display.show", Json(new { text = "A12" }), TimeSpan.FromSeconds(5));
        var call = await kiosk.WaitForAsync<ClientCallEvent>();
        Assert.Equal("display.show", call.Method);
        Assert.Equal("A12", call.Payload!.Value.GetProperty("text").GetString());
        Assert.Equal(5000, call.TimeoutMs);
        Assert.True(h.Get<ClientRpc>().Answer(kiosk.Connection, call.CallId, new ClientCallResult(ClientCallStatus.Ok, Json(new { shown = true }))));

        var result = await pending.WaitAsync(Wait);
        Assert.Equal(ClientCallStatus.Ok, result.Status);
        Assert.True(result.EnsureSuccess()!.Value.GetProperty("shown").GetBoolean());
        // The same answer again is late: dropped.
        Assert.False(h.Get<ClientRpc>().Answer(kiosk.Connection, call.CallId, new ClientCallResult(ClientCallStatus.Ok)));
    }

    [Fact]
    public async Task Unanswered_calls_time_out_and_a_late_answer_is_dropped()
    {
        await using var h = await EngineHarness.StartAsync(o => ClientHarnessExtensions.WithKinds(o));
        var kiosk = h.ConnectClient("kiosk", "k1");
        var result = await h.Get<IClientCalls>().CallAsync(ClientTarget.ClientOf("kiosk", "k1"), "slow", null, TimeSpan.FromMilliseconds(50)).WaitAsync(Wait);
        Assert.Equal(ClientCallStatus.TimedOut, result.Status);
        var call = kiosk.Drain().OfType<ClientCallEvent>().Single();
        Assert.False(ClientRpc.IsAwaitingAnswer(kiosk.Connection, call.CallId));
        Assert.False(h.Get<ClientRpc>().Answer(kiosk.Connection, call.CallId, new ClientCallResult(ClientCallStatus.Ok)));
        Assert.False(kiosk.Connection.IsClosed);
        Assert.Throws<ClientCallException>(() => result.EnsureSuccess());
    }

    [Fact]
    public async Task Calls_waiting_when_the_connection_closes_end_as_connection_lost()
    {
        await using var h = await EngineHarness.StartAsync(o => ClientHarnessExtensions.WithKinds(o));
        var kiosk = h.ConnectClient("kiosk", "k1");
        var calls = h.Get<IClientCalls>();
        var pending = Enumerable.Range(0, 5).Select(_ => calls.CallAsync(ClientTarget.ClientOf("kiosk", "k1"), "m", null, TimeSpan.FromMinutes(1))).ToList();
        using (var cts = new CancellationTokenSource(Wait))
        {
            while (kiosk.Drain().OfType<ClientCallEvent>().Count() < 5) await Task.Delay(5, cts.Token);
        }

        kiosk.Connection.Close(DisconnectCode.IdleTimeout);
        var results = await Task.WhenAll(pending).WaitAsync(Wait);
        Assert.All(results, r => Assert.Equal(ClientCallStatus.ConnectionLost, r.Status));
        kiosk.Disconnect();
        var after = await calls.CallAsync(ClientTarget.ClientOf("kiosk", "k1"), "m", null, TimeSpan.FromSeconds(1));
        Assert.Equal(ClientCallStatus.NotConnected, after.Status);
    }

    [Fact]
    public async Task Hundreds_of_concurrent_calls_are_matched_to_their_answers()
    {
        await using var h = await EngineHarness.StartAsync(o => ClientHarnessExtensions.WithKinds(o));
        var kiosk = h.ConnectClient("kiosk", "k1");
        var calls = h.Get<IClientCalls>();
        var rpc = h.Get<ClientRpc>();
        const int count = 500;
        var pending = Enumerable.Range(0, count)
            .Select(i => calls.CallAsync(ClientTarget.ClientOf("kiosk", "k1"), "echo", Json(new { n = i }), TimeSpan.FromSeconds(30)))
            .ToList();
        var seen = new List<ClientCallEvent>();
        using (var cts = new CancellationTokenSource(Wait))
        {
            while (seen.Count < count)
            {
                seen = kiosk.Drain().OfType<ClientCallEvent>().ToList();
                await Task.Delay(5, cts.Token);
            }
        }

        // Answer in a shuffled order from several threads.
        var shuffled = seen.OrderBy(_ => Random.Shared.Next()).ToArray();
        await Parallel.ForEachAsync(shuffled, async (call, _) =>
        {
            await Task.Yield();
            rpc.Answer(kiosk.Connection, call.CallId, new ClientCallResult(ClientCallStatus.Ok, Json(new { n = call.Payload!.Value.GetProperty("n").GetInt32() * 2 })));
        });
        var results = await Task.WhenAll(pending).WaitAsync(Wait);
        for (var i = 0; i < count; i++) Assert.Equal(i * 2, results[i].Data!.Value.GetProperty("n").GetInt32());
        Assert.Equal(count, seen.Select(c => c.CallId).Distinct().Count());
    }

    [Fact]
    public async Task In_flight_calls_per_connection_are_bounded()
    {
        await using var h = await EngineHarness.StartAsync(o => ClientHarnessExtensions.WithKinds(o, k => k.MaxCallsInFlight = 2));
        h.ConnectClient("kiosk", "k1");
        var calls = h.Get<IClientCalls>();
        var target = ClientTarget.ClientOf("kiosk", "k1");
        var first = calls.CallAsync(target, "m", null, TimeSpan.FromMilliseconds(300));
        var second = calls.CallAsync(target, "m", null, TimeSpan.FromMilliseconds(300));
        var third = await calls.CallAsync(target, "m", null, TimeSpan.FromMilliseconds(300));
        Assert.Equal(ClientCallStatus.TooManyCalls, third.Status);
        Assert.Equal(ClientCallStatus.TimedOut, (await first.WaitAsync(Wait)).Status);
        await second.WaitAsync(Wait);
        // Slots come back once calls end.
        Assert.Equal(ClientCallStatus.TimedOut, (await calls.CallAsync(target, "m", null, TimeSpan.FromMilliseconds(10)).WaitAsync(Wait)).Status);
    }

    [Fact]
    public async Task A_cancelled_caller_gets_cancellation_and_the_call_is_forgotten()
    {
        await using var h = await EngineHarness.StartAsync(o => ClientHarnessExtensions.WithKinds(o));
        var kiosk = h.ConnectClient("kiosk", "k1");
        using var cts = new CancellationTokenSource();
        var pending = h.Get<IClientCalls>().CallAsync(ClientTarget.ClientOf("kiosk", "k1"), "m", null, TimeSpan.FromMinutes(1), cts.Token);
        var call = await kiosk.WaitForAsync<ClientCallEvent>();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending.WaitAsync(Wait));
        Assert.False(ClientRpc.IsAwaitingAnswer(kiosk.Connection, call.CallId));
    }

    [Fact]
    public async Task Invalid_requests_and_absent_targets_fail_without_reaching_anyone()
    {
        await using var h = await EngineHarness.StartAsync(o => ClientHarnessExtensions.WithKinds(o));
        var alice = await h.UserAsync("alice");
        var calls = h.Get<IClientCalls>();
        var kiosk = ClientTarget.ClientOf("kiosk", "k1");
        Assert.Equal(ClientCallStatus.Invalid, (await calls.CallAsync(kiosk, "", null)).Status);
        Assert.Equal(ClientCallStatus.Invalid, (await calls.CallAsync(kiosk, "has space", null)).Status);
        Assert.Equal(ClientCallStatus.Invalid, (await calls.CallAsync(kiosk, new string('m', 129), null)).Status);
        Assert.Equal(ClientCallStatus.Invalid, (await calls.CallAsync(kiosk, "m", null, TimeSpan.Zero)).Status);
        Assert.Equal(ClientCallStatus.Invalid, (await calls.CallAsync(kiosk, "m", null, TimeSpan.FromHours(2))).Status);
        Assert.Equal(ClientCallStatus.Invalid, (await calls.CallAsync(default, "m", null)).Status);
        Assert.Equal(ClientCallStatus.NotConnected, (await calls.CallAsync(kiosk, "m", null, TimeSpan.FromSeconds(1))).Status);
        Assert.Equal(ClientCallStatus.NotConnected, (await calls.CallAsync(ClientTarget.User(alice.Id), "m", null, TimeSpan.FromSeconds(1))).Status);
        // A user connection on a transport that carries no calls (STOMP, MobileIMSDK) is not a target either.
        h.Connect(alice);
        Assert.Equal(ClientCallStatus.NotConnected, (await calls.CallAsync(ClientTarget.User(alice.Id), "m", null, TimeSpan.FromSeconds(1))).Status);
    }

    [Fact]
    public async Task A_call_to_a_user_goes_to_the_newest_connection_that_takes_calls()
    {
        await using var h = await EngineHarness.StartAsync(o => ClientHarnessExtensions.WithKinds(o));
        var alice = await h.UserAsync("alice");
        var older = h.Connect(alice);
        older.Connection.EnableCalls();
        var newer = h.Connect(alice);
        newer.Connection.EnableCalls();
        var stomp = h.Connect(alice); // newest, but no calls

        var pending = h.Get<IClientCalls>().CallAsync(ClientTarget.User(alice.Id), "m", null, TimeSpan.FromSeconds(5));
        var call = await newer.WaitForAsync<ClientCallEvent>();
        Assert.Empty(older.Drain().OfType<ClientCallEvent>());
        Assert.Empty(stomp.Drain().OfType<ClientCallEvent>());
        h.Get<ClientRpc>().Answer(newer.Connection, call.CallId, new ClientCallResult(ClientCallStatus.ClientError, null, 1001, "busy"));
        var result = await pending.WaitAsync(Wait);
        Assert.Equal((ClientCallStatus.ClientError, 1001, "busy"), (result.Status, result.ErrorCode, result.ErrorMessage));
    }

    [Fact]
    public async Task The_dispatcher_seam_can_be_replaced()
    {
        var routed = new List<ClientCallRequest>();
        await using var h = await EngineHarness.StartAsync(o => ClientHarnessExtensions.WithKinds(o),
            s => Microsoft.Extensions.DependencyInjection.ServiceCollectionServiceExtensions.AddSingleton<IClientCallDispatcher>(s, new RecordingDispatcher(routed)));
        var result = await h.Get<IClientCalls>().CallAsync(ClientTarget.ClientOf("kiosk", "far"), "m", null, TimeSpan.FromSeconds(3));
        Assert.Equal(ClientCallStatus.Ok, result.Status);
        Assert.Equal(TimeSpan.FromSeconds(3), routed.Single().Timeout);
        Assert.False(h.Get<LocalClientCallDispatcher>().IsLocal(ClientTarget.ClientOf("kiosk", "far")));
    }

    private sealed class RecordingDispatcher(List<ClientCallRequest> routed) : IClientCallDispatcher
    {
        public Task<ClientCallResult> DispatchAsync(ClientCallRequest request, CancellationToken ct)
        {
            routed.Add(request);
            return Task.FromResult(new ClientCallResult(ClientCallStatus.Ok));
        }
    }
}
