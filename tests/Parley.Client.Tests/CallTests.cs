using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Parley.Client.Tests;

/// <summary>The SDK's side of calls: answering server calls, queries to the server, connecting as a client kind.</summary>
public sealed class CallTests
{
    private static Task<T> Within<T>(Task<T> task) => task.WaitAsync(FakeParleyServer.Timeout);

    private static JsonObject Call(string id, string method, JsonNode? payload = null, int timeoutMs = 5000) => new()
    {
        ["type"] = "call", ["callId"] = id, ["method"] = method, ["payload"] = payload, ["timeoutMs"] = timeoutMs,
    };

    // A "fast" call after a cancelled "slow" one: the first answer the server sees is the fast one's.
    private static async Task AssertCancelledHandlerSentNothingAsync(FakeConnection connection)
    {
        await connection.SendAsync(Call("2", "fast"));
        var next = await Within(connection.ReceiveAnyAsync());
        while ((string?)next["type"] == "sync") next = await Within(connection.ReceiveAnyAsync());
        Assert.Equal(("callResult", "2"), ((string?)next["type"], (string?)next["callId"]));
    }

    [Fact]
    public async Task Server_calls_are_answered_by_the_registered_handlers()
    {
        await using var server = await FakeParleyServer.StartAsync();
        await using var h = new ClientHarness(server);
        ServerCall? seen = null;
        h.Client.RegisterCallHandler("add", (call, _) =>
        {
            seen = call;
            return Task.FromResult<JsonElement?>(JsonSerializer.SerializeToElement(call.Payload!.Value.GetProperty("a").GetInt32() + 1));
        });
        h.Client.RegisterCallHandler("refuse", (_, _) => throw new ParleyCallException(1500, new string('r', 2000)));
        h.Client.RegisterCallHandler("crash", (_, _) => throw new InvalidOperationException("local secret"));
        await Within(h.Client.ConnectAsync().ContinueWith(_ => 0));
        var connection = await server.NextConnectionAsync();

        await connection.SendAsync(Call("7", "add", new JsonObject { ["a"] = 41 }, 1234));
        var result = await Within(connection.ReceiveAsync("callResult"));
        Assert.Equal(("7", 42), ((string?)result["callId"], (int?)result["data"]));
        Assert.Equal(TimeSpan.FromMilliseconds(1234), seen!.Timeout);

        await connection.SendAsync(Call("8", "nobody.home"));
        var unknown = await Within(connection.ReceiveAsync("callError"));
        Assert.Equal(("8", ParleyErrorCodes.UnknownMethod), ((string?)unknown["callId"], (int?)unknown["code"]));

        await connection.SendAsync(Call("9", "refuse"));
        var refused = await Within(connection.ReceiveAsync("callError"));
        Assert.Equal(("9", 1500, 1024), ((string?)refused["callId"], (int?)refused["code"], ((string?)refused["message"])!.Length));

        await connection.SendAsync(Call("10", "crash"));
        var crashed = await Within(connection.ReceiveAsync("callError"));
        Assert.Equal((ParleyErrorCodes.Internal, "handler failed"), ((int?)crashed["code"], (string?)crashed["message"]));
    }

    [Fact]
    public async Task A_handler_past_its_timeout_is_cancelled_and_sends_nothing()
    {
        await using var server = await FakeParleyServer.StartAsync();
        await using var h = new ClientHarness(server);
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        h.Client.RegisterCallHandler("slow", async (_, ct) =>
        {
            using var reg = ct.Register(() => cancelled.TrySetResult());
            await Task.Delay(Timeout.Infinite, ct);
            return null;
        });
        h.Client.RegisterCallHandler("fast", (_, _) => Task.FromResult<JsonElement?>(null));
        await Within(h.Client.ConnectAsync().ContinueWith(_ => 0));
        var connection = await server.NextConnectionAsync();
        await connection.SendAsync(Call("1", "slow", timeoutMs: 50));
        await Within(cancelled.Task.ContinueWith(_ => 0));
        await AssertCancelledHandlerSentNothingAsync(connection);
    }

    [Fact]
    public async Task A_call_the_server_cancels_cancels_its_handler_which_sends_nothing()
    {
        await using var server = await FakeParleyServer.StartAsync();
        await using var h = new ClientHarness(server);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        h.Client.RegisterCallHandler("slow", async (_, ct) =>
        {
            using var reg = ct.Register(() => cancelled.TrySetResult());
            started.TrySetResult();
            await Task.Delay(Timeout.Infinite, ct);
            return null;
        });
        h.Client.RegisterCallHandler("fast", (_, _) => Task.FromResult<JsonElement?>(null));
        await Within(h.Client.ConnectAsync().ContinueWith(_ => 0));
        var connection = await server.NextConnectionAsync();
        // A minute to run: only the cancel can stop it within the test's timeout.
        await connection.SendAsync(Call("1", "slow", timeoutMs: 60_000));
        await Within(started.Task.ContinueWith(_ => 0));
        await connection.SendAsync(new JsonObject { ["type"] = "callCancel", ["callId"] = "404" }); // unknown: ignored
        await connection.SendAsync(new JsonObject { ["type"] = "callCancel", ["callId"] = "1" });
        await Within(cancelled.Task.ContinueWith(_ => 0));
        await AssertCancelledHandlerSentNothingAsync(connection);
    }

    [Fact]
    public async Task Handlers_register_once_per_method_and_can_be_removed()
    {
        await using var server = await FakeParleyServer.StartAsync();
        await using var h = new ClientHarness(server);
        var registration = h.Client.RegisterCallHandler("m", (_, _) => Task.FromResult<JsonElement?>(null));
        Assert.Throws<InvalidOperationException>(() => h.Client.RegisterCallHandler("m", (_, _) => Task.FromResult<JsonElement?>(null)));
        registration.Dispose();
        registration.Dispose();
        await Within(h.Client.ConnectAsync().ContinueWith(_ => 0));
        var connection = await server.NextConnectionAsync();
        await connection.SendAsync(Call("1", "m"));
        Assert.Equal(ParleyErrorCodes.UnknownMethod, (int?)(await Within(connection.ReceiveAsync("callError")))["code"]);
        using var again = h.Client.RegisterCallHandler("m", (_, _) => Task.FromResult<JsonElement?>(JsonSerializer.SerializeToElement(true)));
        await connection.SendAsync(Call("2", "m"));
        Assert.True((bool?)(await Within(connection.ReceiveAsync("callResult")))["data"]);
    }

    [Fact]
    public async Task Queries_complete_with_the_result_data_or_throw_the_error()
    {
        await using var server = await FakeParleyServer.StartAsync();
        server.Responder = async (c, frame) =>
        {
            if ((string?)frame["type"] != "query") return;
            var id = (string?)frame["id"];
            await c.SendAsync((string?)frame["method"] switch
            {
                "echo" => new JsonObject { ["type"] = "result", ["id"] = id, ["data"] = frame["payload"]?.DeepClone() },
                "none" => new JsonObject { ["type"] = "result", ["id"] = id, ["data"] = null },
                _ => new JsonObject { ["type"] = "error", ["id"] = id, ["code"] = 104, ["message"] = "unknown method" },
            });
        };
        await using var h = new ClientHarness(server);
        await Within(h.Client.ConnectAsync().ContinueWith(_ => 0));

        var echoed = await Within(h.Client.QueryAsync("echo", JsonSerializer.SerializeToElement(new { n = 3 })));
        Assert.Equal(3, echoed!.Value.GetProperty("n").GetInt32());
        Assert.Null(await Within(h.Client.QueryAsync("none")));
        var error = await Assert.ThrowsAsync<ParleyRequestException>(() => Within(h.Client.QueryAsync("other")));
        Assert.Equal(ParleyErrorCodes.UnknownMethod, error.Code);
        await Assert.ThrowsAsync<ArgumentException>(() => h.Client.QueryAsync(""));
    }

    [Fact]
    public async Task A_client_kind_gets_its_token_from_the_server_skips_sync_and_refetches_after_a_refusal()
    {
        await using var server = await FakeParleyServer.StartAsync();
        server.EditWelcome = w =>
        {
            w.Remove("userId");
            w.Remove("userName");
            w["clientKind"] = "kiosk";
            w["clientId"] = "k1";
        };
        var requests = new List<JsonObject>();
        server.RestHandler = async ctx =>
        {
            using var reader = new StreamReader(ctx.Request.Body, Encoding.UTF8);
            var body = JsonNode.Parse(await reader.ReadToEndAsync())!.AsObject();
            int n;
            lock (requests)
            {
                requests.Add(body);
                n = requests.Count;
            }
            ctx.Response.ContentType = "application/json";
            await ctx.Response.WriteAsync(new JsonObject
            {
                ["token"] = "client-token-" + n, ["expiresAt"] = DateTimeOffset.UtcNow.AddHours(1).ToString("O"),
                ["kind"] = "kiosk", ["clientId"] = "k1", ["userId"] = null,
            }.ToJsonString());
        };
        server.RejectUpgrades.Enqueue(401);
        var options = new ParleyClientOptions { ReconnectInitialDelay = TimeSpan.FromMilliseconds(10), ReconnectMaxDelay = TimeSpan.FromMilliseconds(50) };
        await using var client = ParleyClient.ForClientKind(server.BaseUri, "kiosk", "k1", "the-secret-0123456789", options);
        await client.ConnectAsync().WaitAsync(FakeParleyServer.Timeout);

        Assert.Equal(("kiosk", "k1", false), (client.Welcome!.ClientKind, client.Welcome.ClientId, client.Welcome.HasUser));
        Assert.Equal(["client-token-1", "client-token-2"], server.Tokens);
        Assert.Equal(("kiosk", "k1", "the-secret-0123456789"), ((string?)requests[0]["kind"], (string?)requests[0]["clientId"], (string?)requests[0]["secret"]));

        // No sync for a connection without a user: the first frame the server sees is the ping asked for here.
        var connection = await server.NextConnectionAsync();
        await Within(client.PingAsync());
        Assert.Equal("ping", (string?)(await Within(connection.ReceiveAnyAsync()))["type"]);

        // A reconnect reuses the still valid token.
        connection.Abort();
        await Within(server.NextConnectionAsync());
        Assert.Equal(["client-token-1", "client-token-2", "client-token-2"], server.Tokens);
        Assert.Equal(2, requests.Count);
    }

    [Fact]
    public async Task Close_4012_replaced_is_terminal()
    {
        await using var server = await FakeParleyServer.StartAsync();
        await using var h = new ClientHarness(server);
        await Within(h.Client.ConnectAsync().ContinueWith(_ => 0));
        var connection = await server.NextConnectionAsync();
        await connection.CloseAsync(ParleyCloseCodes.Replaced, "replaced");
        var change = await h.WaitForStateAsync(ConnectionState.Disconnected);
        Assert.Equal(ParleyCloseCodes.Replaced, change.CloseCode);
        Assert.Equal(1, server.ConnectionCount);
        Assert.True(ParleyCloseCodes.IsTerminal(ParleyCloseCodes.Replaced));
    }
}
