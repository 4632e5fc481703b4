using System.Net;
using System.Text;
using System.Text.Json;
using Parley.Abstractions.Calls;
using Parley.Core;
using Parley.IntegrationTests.Clients;
using Parley.IntegrationTests.Infrastructure;
using Parley.Protocol.Stomp;

namespace Parley.IntegrationTests.Stomp;

/// <summary>Server → client calls and client → server queries over STOMP: the bodies are the native protocol's frames.</summary>
public sealed class StompCallTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private ParleyTestServer _server = null!;

    public async Task InitializeAsync() => _server = await ClientKindServer.StartAsync(services: s => s
        .AddParleyClientMethod(ClientQueryKinds.Users, "me", (c, _) => ValueTask.FromResult<JsonElement?>(JsonSerializer.SerializeToElement(c.UserId))));

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static JsonElement Json(StompFrame frame) => JsonDocument.Parse(frame.Body).RootElement;

    private static Task SendJsonAsync(RawStompClient client, string destination, object body) =>
        client.SendAsync($"SEND\ndestination:{destination}\ncontent-type:application/json\n\n{JsonSerializer.Serialize(body)}\0");

    [Fact]
    public async Task A_session_that_subscribes_to_calls_answers_them_and_hears_when_the_server_stops_waiting()
    {
        var ada = await _server.CreateUserAsync("stompcalls");
        var (client, _) = await RawStompClient.ConnectAsync(_server, ada.Token);
        await using var _c = client;

        // Before it listens for calls the session is not offered any.
        var (status, body) = await _server.AdminCallAsync(new { user = ada.Account, method = "app.version", timeoutMs = 5000 });
        Assert.Equal((HttpStatusCode.NotFound, "not_connected"), (status, body.GetProperty("outcome").GetString()));

        await client.SubscribeAsync("c", "/user/queue/calls");
        await client.SubscribeAsync("e", "/user/queue/errors");
        var calling = _server.AdminCallAsync(new { user = ada.Account, method = "app.version", payload = new { verbose = true }, timeoutMs = 5000 });
        var message = await client.NextAsync(StompCommand.Message);
        Assert.Equal("/user/queue/calls", message.GetHeader("destination"));
        var call = Json(message);
        Assert.Equal(("call", "app.version", 5000), (call.GetProperty("type").GetString(), call.GetProperty("method").GetString(),
            call.GetProperty("timeoutMs").GetInt32()));
        Assert.True(call.GetProperty("payload").GetProperty("verbose").GetBoolean());
        await SendJsonAsync(client, "/app/calls", new { type = "callResult", callId = call.GetProperty("callId").GetString(), data = "1.2.3" });
        (status, body) = await calling.WaitAsync(Deadline);
        Assert.Equal((HttpStatusCode.OK, "1.2.3"), (status, body.GetProperty("data").GetString()));

        var failing = _server.AdminCallAsync(new { user = ada.Account, method = "print" });
        call = Json(await client.NextAsync(StompCommand.Message));
        await SendJsonAsync(client, "/app/calls", new { type = "callError", callId = call.GetProperty("callId").GetString(), code = 1042, message = "out of paper" });
        (status, body) = await failing.WaitAsync(Deadline);
        Assert.Equal((HttpStatusCode.BadGateway, 1042), (status, body.GetProperty("clientCode").GetInt32()));

        // Unanswered: the caller times out and the session is told to stop.
        (status, _) = await _server.AdminCallAsync(new { user = ada.Account, method = "slow", timeoutMs = 200 });
        Assert.Equal(HttpStatusCode.GatewayTimeout, status);
        var slow = Json(await client.NextAsync(StompCommand.Message));
        var cancel = Json(await client.NextAsync(StompCommand.Message));
        Assert.Equal(("callCancel", slow.GetProperty("callId").GetString()), (cancel.GetProperty("type").GetString(), cancel.GetProperty("callId").GetString()));

        // Bodies that are not answers get an error and the session stays.
        await client.SendAsync("SEND\ndestination:/app/calls\n\nnot json\0");
        var malformed = Json(await client.NextAsync(StompCommand.Message));
        Assert.Equal(("/app/calls", 100), (malformed.GetProperty("destination").GetString(), malformed.GetProperty("code").GetInt32()));
        await SendJsonAsync(client, "/app/calls", new { type = "query", id = "q", method = "me" });
        Assert.Equal(102, Json(await client.NextAsync(StompCommand.Message)).GetProperty("code").GetInt32());
        await SendJsonAsync(client, "/app/calls", new { type = "callResult", callId = "12345", data = 1 }); // unknown: dropped
        await client.SubscribeAsync("r", "/user/queue/replies");
        await SendJsonAsync(client, "/app/query", new { type = "query", id = "q2", method = "me" });
        var reply = Json(await client.NextAsync(StompCommand.Message));
        Assert.Equal(("result", "q2", ada.Id), (reply.GetProperty("type").GetString(), reply.GetProperty("id").GetString(), reply.GetProperty("data").GetInt64()));
        await SendJsonAsync(client, "/app/query", new { type = "query", id = "q3", method = "nope" });
        var unknown = Json(await client.NextAsync(StompCommand.Message));
        Assert.Equal(("error", "q3", 104), (unknown.GetProperty("type").GetString(), unknown.GetProperty("id").GetString(), unknown.GetProperty("code").GetInt32()));
    }

    [Fact]
    public async Task An_answer_to_a_call_passes_while_the_rate_limit_drops_other_frames()
    {
        await using var server = await ClientKindServer.StartAsync(new Dictionary<string, string?>
        {
            ["Parley:Connections:RatePerSecond"] = "1",
            ["Parley:Connections:RateBurst"] = "4",
        });
        var ada = await server.CreateUserAsync("stomprate");
        var (client, _) = await RawStompClient.ConnectAsync(server, ada.Token);
        await using var _c = client;
        await client.SubscribeAsync("c", "/user/queue/calls");
        await client.SubscribeAsync("e", "/user/queue/errors");
        var calling = server.AdminCallAsync(new { user = ada.Account, method = "app.version", timeoutMs = 20_000 });
        var call = Json(await client.NextAsync(StompCommand.Message));

        // Spend the bucket (two subscriptions took two of its four tokens) until a frame is dropped.
        for (var i = 0; i < 4; i++) await SendJsonAsync(client, "/app/query", new { type = "query", id = "q" + i, method = "me" });
        while (Json(await client.NextAsync(StompCommand.Message)) is var error && error.GetProperty("code").GetInt32() != 300) { }

        // A token comes back only after a second, and the answer is sent at once: it passes because it answers.
        await SendJsonAsync(client, "/app/calls", new { type = "callResult", callId = call.GetProperty("callId").GetString(), data = "1.2.3" });
        var (status, body) = await calling.WaitAsync(Deadline);
        Assert.Equal((HttpStatusCode.OK, "1.2.3"), (status, body.GetProperty("data").GetString()));
    }

    [Fact]
    public async Task Unsubscribing_from_calls_stops_new_calls_at_once_but_a_call_received_before_can_still_be_answered()
    {
        var ada = await _server.CreateUserAsync("stompuncall");
        var (client, _) = await RawStompClient.ConnectAsync(_server, ada.Token);
        await using var _c = client;
        await client.SubscribeAsync("c1", "/user/queue/calls");
        await client.SubscribeAsync("c2", "/user/queue/calls");

        var pending = _server.AdminCallAsync(new { user = ada.Account, method = "late", timeoutMs = 20_000 });
        var (first, copy) = (await client.NextAsync(StompCommand.Message), await client.NextAsync(StompCommand.Message));
        Assert.Equal(("c1", "c2"), (first.GetHeader("subscription"), copy.GetHeader("subscription"))); // one per subscription
        var call = Json(first);
        await client.SendAsync("UNSUBSCRIBE\nid:c1\nreceipt:u1\n\n\0");
        Assert.Equal("u1", (await client.NextAsync(StompCommand.Receipt)).GetHeader("receipt-id"));
        // c2 still listens
        var next = _server.AdminCallAsync(new { user = ada.Account, method = "still", timeoutMs = 20_000 });
        var stillFrame = await client.NextAsync(StompCommand.Message);
        Assert.Equal("c2", stillFrame.GetHeader("subscription"));
        var still = Json(stillFrame);
        await SendJsonAsync(client, "/app/calls", new { type = "callResult", callId = still.GetProperty("callId").GetString(), data = 2 });
        Assert.Equal(HttpStatusCode.OK, (await next.WaitAsync(Deadline)).Status);

        await client.SendAsync("UNSUBSCRIBE\nid:c2\nreceipt:u2\n\n\0");
        Assert.Equal("u2", (await client.NextAsync(StompCommand.Receipt)).GetHeader("receipt-id"));
        var (status, body) = await _server.AdminCallAsync(new { user = ada.Account, method = "app.version", timeoutMs = 20_000 }).WaitAsync(Deadline);
        Assert.Equal((HttpStatusCode.NotFound, "not_connected"), (status, body.GetProperty("outcome").GetString()));

        await SendJsonAsync(client, "/app/calls", new { type = "callResult", callId = call.GetProperty("callId").GetString(), data = "late but counted" });
        (status, body) = await pending.WaitAsync(Deadline);
        Assert.Equal((HttpStatusCode.OK, "late but counted"), (status, body.GetProperty("data").GetString()));

        // Subscribing again makes the session callable again.
        await client.SubscribeAsync("c3", "/user/queue/calls");
        var again = _server.AdminCallAsync(new { user = ada.Account, method = "again", timeoutMs = 20_000 });
        var third = Json(await client.NextAsync(StompCommand.Message));
        await SendJsonAsync(client, "/app/calls", new { type = "callResult", callId = third.GetProperty("callId").GetString(), data = 3 });
        Assert.Equal(HttpStatusCode.OK, (await again.WaitAsync(Deadline)).Status);
    }
}
