using System.Net;
using System.Net.WebSockets;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Parley.Core.Sessions;
using Parley.IntegrationTests.Infrastructure;

namespace Parley.IntegrationTests.Stomp;

/// <summary>Origins and the per-session send limits (a STOMP subscriber that stops reading is closed, not waited for).</summary>
public sealed class StompLimitTests
{
    private static Uri StompUri(ParleyTestServer server) => new(server.BaseUri.ToString().Replace("http://", "ws://") + "stomp");

    private static async Task<ClientWebSocket> OpenAsync(ParleyTestServer server, string? origin)
    {
        var socket = new ClientWebSocket();
        socket.Options.AddSubProtocol("v12.stomp");
        if (origin is not null) socket.Options.SetRequestHeader("Origin", origin);
        await socket.ConnectAsync(StompUri(server), CancellationToken.None).WaitAsync(TestSocket.Timeout);
        return socket;
    }

    [Fact]
    public async Task Foreign_origins_are_refused_and_configured_or_same_origins_allowed()
    {
        await using var server = await ParleyTestServer.StartAsync(new Dictionary<string, string?> { ["Parley:Stomp:AllowedOrigins:0"] = "https://app.example.com" });
        var refused = await Assert.ThrowsAnyAsync<WebSocketException>(() => OpenAsync(server, "https://evil.example"));
        Assert.Contains("403", refused.Message);
        using (await OpenAsync(server, "https://app.example.com")) { }
        using (await OpenAsync(server, server.BaseUri.ToString().TrimEnd('/'))) { }
        using (await OpenAsync(server, null)) { }

        using var http = server.CreateHttpClient();
        using var foreign = new HttpRequestMessage(HttpMethod.Get, "stomp/sockjs/info");
        foreign.Headers.Add("Origin", "https://evil.example");
        Assert.Equal(HttpStatusCode.Forbidden, (await http.SendAsync(foreign)).StatusCode);
        using var allowed = new HttpRequestMessage(HttpMethod.Get, "stomp/sockjs/info");
        allowed.Headers.Add("Origin", "https://app.example.com");
        using var response = await http.SendAsync(allowed);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("https://app.example.com", response.Headers.GetValues("Access-Control-Allow-Origin").Single());
    }

    [Fact]
    public async Task A_subscriber_that_stops_reading_is_closed_and_the_sender_is_not_held_up()
    {
        await using var server = await ParleyTestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Parley:Stomp:SendBufferSizeLimitBytes"] = "65536",
            ["Parley:Stomp:SendTimeLimitMs"] = "500",
            ["Parley:Connections:RatePerSecond"] = "100000",
            ["Parley:Connections:RateBurst"] = "100000",
        });
        var alice = await server.CreateUserAsync("alice");
        var bob = await server.CreateUserAsync("bob");
        var socket = await OpenAsync(server, null);
        await socket.SendAsync(Encoding.UTF8.GetBytes($"CONNECT\naccept-version:1.2\nheart-beat:0,0\nAuthorization:Bearer {bob.Token}\n\n\0SUBSCRIBE\nid:0\ndestination:/user/queue/messages\n\n\0"),
            WebSocketMessageType.Text, true, CancellationToken.None);
        var buffer = new byte[4096];
        var first = await socket.ReceiveAsync(buffer, CancellationToken.None).WaitAsync(TestSocket.Timeout);
        Assert.StartsWith("CONNECTED", Encoding.UTF8.GetString(buffer, 0, first.Count));
        // From here on bob never reads again.

        var registry = server.Services.GetRequiredService<SessionRegistry>();
        Assert.Single(registry.Get(bob.Id));
        await using var a = await TestSocket.ConnectAsync(server, alice.Token);
        var text = new string('x', 16_000);
        var sent = 0;
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (registry.Get(bob.Id).Length > 0)
        {
            deadline.Token.ThrowIfCancellationRequested();
            var ack = await a.SendMessageAsync(new { to = "bob" }, text);
            Assert.Equal("ack", ack.GetProperty("type").GetString());
            sent++;
        }
        Assert.True(sent > 4, $"closed after {sent} messages: the buffer limit should allow a few");
        // Alice is unaffected and everything stays stored for bob's next sync.
        Assert.Equal("ack", (await a.SendMessageAsync(new { to = "bob" }, "still fine")).GetProperty("type").GetString());
        using var hb = server.CreateHttpClient(bob.Token);
        var conversation = $"d:{alice.Id}:{bob.Id}";
        var page = await hb.GetJsonAsync($"api/conversations/{conversation}/messages?limit=1").Expect(HttpStatusCode.OK);
        Assert.Equal(sent + 1, page.GetProperty("messages")[0].GetProperty("seq").GetInt64());
        socket.Abort();
    }
}
