using System.Net;
using System.Text.Json;
using Parley.IntegrationTests.Infrastructure;

namespace Parley.IntegrationTests;

public sealed class ConnectionLimitTests
{
    [Fact]
    public async Task A_silent_connection_is_closed_after_the_idle_timeout_and_a_pinging_one_is_not()
    {
        await using var server = await ParleyTestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Parley:Connections:IdleTimeoutMs"] = "4000",
            ["Parley:Connections:HeartbeatMs"] = "1000",
        });
        var alice = await server.CreateUserAsync("alice");
        await using var silent = await TestSocket.ConnectAsync(server, alice.Token);
        await using var chatty = await TestSocket.ConnectAsync(server, alice.Token);
        var closing = silent.ClosedAsync(TimeSpan.FromSeconds(15));
        var pings = 0;
        while (!closing.IsCompleted)
        {
            await chatty.RequestAsync(new { type = "ping", id = $"p{pings}" }, $"p{pings}");
            pings++;
            await Task.WhenAny(closing, Task.Delay(200));
        }
        Assert.Equal(4008, (int?)await closing);
        Assert.Equal("idle_timeout", silent.CloseReason);
        Assert.Equal("pong", (await chatty.RequestAsync(new { type = "ping", id = "last" }, "last")).GetProperty("type").GetString());
    }

    [Fact]
    public async Task Floods_are_rate_limited_with_300_then_closed_with_4029()
    {
        await using var server = await ParleyTestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Parley:Connections:RatePerSecond"] = "5",
            ["Parley:Connections:RateBurst"] = "10",
            ["Parley:Connections:FloodDropThreshold"] = "50",
        });
        var alice = await server.CreateUserAsync("alice");
        await using var bystander = await TestSocket.ConnectAsync(server, (await server.LoginAsync("alice")).Token);
        await using var socket = await TestSocket.ConnectAsync(server, alice.Token);
        for (var i = 0; i < 200 && socket.CloseStatus is null && !socket.Completion.IsCompleted; i++)
            await socket.SendRawAsync("{\"type\":\"ping\"}");
        Assert.Equal(300, (await socket.NextAsync("error")).GetProperty("code").GetInt32());
        Assert.Equal(4029, (int?)await socket.ClosedAsync());
        Assert.Equal("pong", (await bystander.RequestAsync(new { type = "ping", id = "ok" }, "ok")).GetProperty("type").GetString());
    }

    [Fact]
    public async Task Dropped_frames_without_an_id_are_reported_once_per_window_and_those_with_an_id_each()
    {
        await using var server = await ParleyTestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Parley:Connections:RatePerSecond"] = "1",
            ["Parley:Connections:RateBurst"] = "1",
            ["Parley:Connections:FloodDropThreshold"] = "1000",
            ["Parley:Connections:FloodWindowMs"] = "600000",
        });
        var alice = await server.CreateUserAsync("alice");
        await using var socket = await TestSocket.ConnectAsync(server, alice.Token);
        Assert.Equal("pong", (await socket.RequestAsync(new { type = "ping", id = "first" }, "first")).GetProperty("type").GetString());
        for (var i = 0; i < 30; i++) await socket.SendRawAsync("{\"type\":\"ping\"}");
        var last = await socket.RequestAsync(new { type = "ping", id = "last" }, "last");
        // A frame with an id is always answered, dropped or not: its sender waits for that reply.
        Assert.True(last.GetProperty("type").GetString() == "pong" || last.GetProperty("code").GetInt32() == 300, last.GetRawText());

        // Replies come in order, so every answer to the 30 id-less pings came before the reply to "last". A token
        // comes back each second, so a slow machine may admit a few of them: those get a pong, the rest are dropped.
        static bool Anonymous(JsonElement f) => !f.TryGetProperty("id", out var id) || id.ValueKind == JsonValueKind.Null;
        var admitted = socket.Seen.Count(f => f.GetProperty("type").GetString() == "pong" && Anonymous(f));
        var reported = socket.Seen.Count(f => f.GetProperty("type").GetString() == "error" && Anonymous(f));
        Assert.True(30 - admitted >= 10, $"only {30 - admitted} frames were dropped");
        Assert.Equal(1, reported);

        Assert.Null(socket.CloseStatus);
    }

    [Fact]
    public async Task Login_floods_get_429()
    {
        await using var server = await ParleyTestServer.StartAsync(new Dictionary<string, string?> { ["Parley:Http:AuthPermitsPerMinute"] = "3" });
        using var http = server.CreateHttpClient();
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++) statuses.Add((await http.PostJsonAsync("api/auth/login", new { account = "x", password = "yyyyyyyy" })).Status);
        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], statuses);
        var (_, problem) = await http.PostJsonAsync("api/auth/login", new { account = "x", password = "yyyyyyyy" });
        Assert.Equal(429, problem.GetProperty("status").GetInt32());
    }
}
