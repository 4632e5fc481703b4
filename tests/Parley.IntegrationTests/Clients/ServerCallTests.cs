using System.Net;
using System.Net.WebSockets;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Parley.Abstractions.Calls;
using Parley.Client;
using Parley.IntegrationTests.Infrastructure;

namespace Parley.IntegrationTests.Clients;

/// <summary>Server → client calls on the real server: REST and C# API, raw protocol and SDK, every outcome.</summary>
public sealed class ServerCallTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private ParleyTestServer _server = null!;

    public async Task InitializeAsync() => _server = await ClientKindServer.StartAsync();
    public async Task DisposeAsync() => await _server.DisposeAsync();

    private ParleyClient Device(string kind, string id) => ParleyClient.ForClientKind(_server.BaseUri, kind, id, ClientKindServer.SecretOf(kind));

    [Fact]
    public async Task Rest_call_reaches_a_raw_client_and_returns_its_answer()
    {
        await using var kiosk = await _server.ConnectClientAsync("kiosk", "k1");
        var calling = _server.AdminCallAsync(new { kind = "kiosk", clientId = "k1", method = "display.show", payload = new { ticket = "A12" }, timeoutMs = 5000 });
        var call = await kiosk.NextAsync("call");
        Assert.Equal("display.show", call.GetProperty("method").GetString());
        Assert.Equal("A12", call.GetProperty("payload").GetProperty("ticket").GetString());
        Assert.Equal(5000, call.GetProperty("timeoutMs").GetInt32());
        var callId = call.GetProperty("callId").GetString();
        await kiosk.SendAsync(new { type = "callResult", callId, data = new { shown = true, at = 3 } });

        var (status, body) = await calling.WaitAsync(Deadline);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True(body.GetProperty("data").GetProperty("shown").GetBoolean());
    }

    [Fact]
    public async Task Rest_outcomes_map_to_statuses()
    {
        // Not connected.
        var (status, body) = await _server.AdminCallAsync(new { kind = "kiosk", clientId = "nobody", method = "m" });
        Assert.Equal((HttpStatusCode.NotFound, "not_connected"), (status, body.GetProperty("outcome").GetString()));

        await using var kiosk = await _server.ConnectClientAsync("kiosk", "k1");
        // Timed out; the late answer is dropped without a reply and the connection carries on.
        (status, body) = await _server.AdminCallAsync(new { kind = "kiosk", clientId = "k1", method = "slow", timeoutMs = 200 });
        Assert.Equal((HttpStatusCode.GatewayTimeout, "timed_out"), (status, body.GetProperty("outcome").GetString()));
        var late = await kiosk.NextAsync("call");
        // The client is told the server stopped waiting.
        var timedOut = await kiosk.NextAsync("callCancel");
        Assert.Equal(late.GetProperty("callId").GetString(), timedOut.GetProperty("callId").GetString());
        await kiosk.SendAsync(new { type = "callResult", callId = late.GetProperty("callId").GetString(), data = 1 });
        Assert.Equal("pong", (await kiosk.RequestAsync(new { type = "ping", id = "p1" }, "p1")).GetProperty("type").GetString());
        Assert.DoesNotContain(kiosk.Seen, f => f.GetProperty("type").GetString() == "error");

        // The client reports a failure.
        var failing = _server.AdminCallAsync(new { kind = "kiosk", clientId = "k1", method = "print" });
        var call = await kiosk.NextAsync("call", c => c.GetProperty("method").GetString() == "print");
        await kiosk.SendAsync(new { type = "callError", callId = call.GetProperty("callId").GetString(), code = 1042, message = "out of paper" });
        (status, body) = await failing.WaitAsync(Deadline);
        Assert.Equal((HttpStatusCode.BadGateway, "client_error", 1042, "out of paper"),
            (status, body.GetProperty("outcome").GetString(), body.GetProperty("clientCode").GetInt32(), body.GetProperty("title").GetString()));

        // A callError without a code is a failure all the same.
        failing = _server.AdminCallAsync(new { kind = "kiosk", clientId = "k1", method = "bare" });
        call = await kiosk.NextAsync("call", c => c.GetProperty("method").GetString() == "bare");
        await kiosk.SendAsync(new { type = "callError", callId = call.GetProperty("callId").GetString() });
        (status, body) = await failing.WaitAsync(Deadline);
        Assert.Equal((HttpStatusCode.BadGateway, 500), (status, body.GetProperty("clientCode").GetInt32()));

        // The connection is lost while waiting.
        var lost = _server.AdminCallAsync(new { kind = "kiosk", clientId = "k1", method = "never", timeoutMs = 60_000 });
        await kiosk.NextAsync("call", c => c.GetProperty("method").GetString() == "never");
        await kiosk.DisposeAsync();
        (status, body) = await lost.WaitAsync(Deadline);
        Assert.Equal((HttpStatusCode.BadGateway, "connection_lost"), (status, body.GetProperty("outcome").GetString()));
    }

    [Fact]
    public async Task Rest_calls_with_bad_input_are_refused()
    {
        await using var kiosk = await _server.ConnectClientAsync("kiosk", "k1");
        async Task<HttpStatusCode> Call(object body) => (await _server.AdminCallAsync(body)).Status;
        Assert.Equal(HttpStatusCode.BadRequest, await Call(new { method = "m" }));
        Assert.Equal(HttpStatusCode.BadRequest, await Call(new { user = "root", kind = "kiosk", clientId = "k1", method = "m" }));
        Assert.Equal(HttpStatusCode.BadRequest, await Call(new { kind = "kiosk", method = "m" }));
        Assert.Equal(HttpStatusCode.BadRequest, await Call(new { kind = "kiosk", clientId = "k1" }));
        Assert.Equal(HttpStatusCode.BadRequest, await Call(new { kind = "kiosk", clientId = "k1", method = "no spaces" }));
        Assert.Equal(HttpStatusCode.BadRequest, await Call(new { kind = "kiosk", clientId = "k1", method = "m", timeoutMs = 0 }));
        Assert.Equal(HttpStatusCode.BadRequest, await Call(new { kind = "kiosk", clientId = "k1", method = "m", timeoutMs = 3_600_001 }));
        Assert.Equal(HttpStatusCode.BadRequest, await Call(new { user = true, method = "m" }));
        Assert.Equal(HttpStatusCode.BadRequest, await Call(new { kind = "kiosk", clientId = "k1", method = "m", timeoutMs = "soon" }));
        Assert.Equal(HttpStatusCode.NotFound, await Call(new { user = "ghost", method = "m" }));
        Assert.DoesNotContain(kiosk.Seen, f => f.GetProperty("type").GetString() == "call");
    }

    [Fact]
    public async Task Hostile_answers_get_errors_or_are_dropped()
    {
        await using var kiosk = await _server.ConnectClientAsync("kiosk", "k1");
        var none = await kiosk.RequestAsync(new { type = "callResult", id = "x1", data = 1 }, "x1");
        Assert.Equal(102, none.GetProperty("code").GetInt32());
        var bad = await kiosk.RequestAsync(new { type = "callResult", id = "x2", callId = "abc" }, "x2");
        Assert.Equal(102, bad.GetProperty("code").GetInt32());
        var negative = await kiosk.RequestAsync(new { type = "callError", id = "x3", callId = -4 }, "x3");
        Assert.Equal(102, negative.GetProperty("code").GetInt32());
        var badCode = await kiosk.RequestAsync(new { type = "callError", id = "x4", callId = "1", code = "E1" }, "x4");
        Assert.Equal(102, badCode.GetProperty("code").GetInt32());
        // A well-formed answer to a call that does not exist: dropped without a reply.
        await kiosk.SendAsync(new { type = "callResult", id = "x5", callId = "999999", data = new { a = 1 } });
        await kiosk.SendAsync(new { type = "callError", id = "x6", callId = 999998, code = 1, message = new string('m', 5000) });
        Assert.Equal("pong", (await kiosk.RequestAsync(new { type = "ping", id = "p" }, "p")).GetProperty("type").GetString());
        Assert.DoesNotContain(kiosk.Seen, f => f.TryGetProperty("id", out var id) && id.GetString() is "x5" or "x6");
    }

    [Fact]
    public async Task A_caller_that_gives_up_cancels_the_call_on_the_client()
    {
        await using var kiosk = await _server.ConnectClientAsync("kiosk", "k1");
        var calls = _server.Services.GetRequiredService<IClientCalls>();
        using var caller = new CancellationTokenSource();
        var calling = calls.CallAsync(ClientTarget.ClientOf("kiosk", "k1"), "long.job", null, TimeSpan.FromMinutes(1), caller.Token);
        var call = await kiosk.NextAsync("call");
        await caller.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => calling.WaitAsync(Deadline));
        var cancel = await kiosk.NextAsync("callCancel");
        Assert.Equal(call.GetProperty("callId").GetString(), cancel.GetProperty("callId").GetString());

        // An answer after the cancel is dropped, and the connection carries on.
        await kiosk.SendAsync(new { type = "callResult", callId = call.GetProperty("callId").GetString(), data = 1 });
        Assert.Equal("pong", (await kiosk.RequestAsync(new { type = "ping", id = "p1" }, "p1")).GetProperty("type").GetString());
        Assert.DoesNotContain(kiosk.Seen, f => f.GetProperty("type").GetString() == "error");
    }

    [Fact]
    public async Task Sdk_handlers_answer_calls_by_user_and_by_client()
    {
        var alice = await _server.CreateUserAsync("alice");
        await using var app = new ParleyClient(_server.BaseUri, alice.Token);
        using var reg = app.RegisterCallHandler("app.version", (_, _) => Task.FromResult<JsonElement?>(JsonSerializer.SerializeToElement("1.2.3")));
        await app.ConnectAsync().WaitAsync(Deadline);
        var (status, body) = await _server.AdminCallAsync(new { user = "alice", method = "app.version" });
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("1.2.3", body.GetProperty("data").GetString());
        (status, _) = await _server.AdminCallAsync(new { user = alice.Id, method = "app.version" });
        Assert.Equal(HttpStatusCode.OK, status);

        await using var screen = Device("kiosk", "lobby");
        screen.RegisterCallHandler("sum", (call, _) =>
            Task.FromResult<JsonElement?>(JsonSerializer.SerializeToElement(call.Payload!.Value.EnumerateArray().Sum(e => e.GetInt32()))));
        screen.RegisterCallHandler("refuse", (_, _) => throw new ParleyCallException(1099, "not today"));
        screen.RegisterCallHandler("crash", (_, _) => throw new InvalidOperationException("device internals"));
        screen.RegisterCallHandler("quiet", (_, _) => Task.FromResult<JsonElement?>(null));
        await screen.ConnectAsync().WaitAsync(Deadline);
        Assert.Equal(("kiosk", "lobby", false), (screen.Welcome!.ClientKind, screen.Welcome.ClientId, screen.Welcome.HasUser));

        var calls = _server.Services.GetRequiredService<IClientCalls>();
        var target = ClientTarget.ClientOf("kiosk", "lobby");
        var sum = await calls.CallAsync(target, "sum", JsonSerializer.SerializeToElement(new[] { 1, 2, 3 })).WaitAsync(Deadline);
        Assert.Equal(6, sum.EnsureSuccess()!.Value.GetInt32());
        var refused = await calls.CallAsync(target, "refuse").WaitAsync(Deadline);
        Assert.Equal((ClientCallStatus.ClientError, 1099, "not today"), (refused.Status, refused.ErrorCode, refused.ErrorMessage));
        var crashed = await calls.CallAsync(target, "crash").WaitAsync(Deadline);
        Assert.Equal((ClientCallStatus.ClientError, 500, "handler failed"), (crashed.Status, crashed.ErrorCode, crashed.ErrorMessage));
        var unknown = await calls.CallAsync(target, "no.such.method").WaitAsync(Deadline);
        Assert.Equal((ClientCallStatus.ClientError, ParleyErrorCodes.UnknownMethod), (unknown.Status, unknown.ErrorCode));
        var quiet = await calls.CallAsync(target, "quiet").WaitAsync(Deadline);
        Assert.Equal((ClientCallStatus.Ok, null), (quiet.Status, quiet.Data));
    }

    [Fact]
    public async Task Hundreds_of_concurrent_calls_to_one_client_are_all_matched_even_under_a_tight_rate_limit()
    {
        // The "slow" kind admits 2 frames/s: answers to the server's own calls pass anyway.
        await using var device = Device("slow", "s1");
        device.RegisterCallHandler("double", async (call, ct) =>
        {
            await Task.Yield();
            return JsonSerializer.SerializeToElement(call.Payload!.Value.GetInt32() * 2);
        });
        await device.ConnectAsync().WaitAsync(Deadline);
        var calls = _server.Services.GetRequiredService<IClientCalls>();
        var target = ClientTarget.ClientOf("slow", "s1");
        const int count = 400;
        var results = await Task.WhenAll(Enumerable.Range(0, count).Select(i =>
            calls.CallAsync(target, "double", JsonSerializer.SerializeToElement(i), TimeSpan.FromSeconds(30)))).WaitAsync(Deadline);
        for (var i = 0; i < count; i++)
        {
            Assert.Equal(ClientCallStatus.Ok, results[i].Status);
            Assert.Equal(i * 2, results[i].Data!.Value.GetInt32());
        }
        Assert.Equal(ConnectionState.Connected, device.State);
    }

    [Fact]
    public async Task A_replaced_sdk_client_does_not_reconnect_and_the_newer_one_answers()
    {
        await using var first = Device("kiosk", "k1");
        first.RegisterCallHandler("who", (_, _) => Task.FromResult<JsonElement?>(JsonSerializer.SerializeToElement("first")));
        var closed = new TaskCompletionSource<int?>(TaskCreationOptions.RunContinuationsAsynchronously);
        first.ConnectionStateChanged += (_, s) => { if (s.State == ConnectionState.Disconnected) closed.TrySetResult(s.CloseCode); };
        await first.ConnectAsync().WaitAsync(Deadline);
        await using var second = Device("kiosk", "k1");
        second.RegisterCallHandler("who", (_, _) => Task.FromResult<JsonElement?>(JsonSerializer.SerializeToElement("second")));
        await second.ConnectAsync().WaitAsync(Deadline);

        Assert.Equal(ParleyCloseCodes.Replaced, await closed.Task.WaitAsync(Deadline));
        var who = await _server.Services.GetRequiredService<IClientCalls>().CallAsync(ClientTarget.ClientOf("kiosk", "k1"), "who").WaitAsync(Deadline);
        Assert.Equal("second", who.Data!.Value.GetString());
        Assert.Equal(ConnectionState.Disconnected, first.State);
    }
}
