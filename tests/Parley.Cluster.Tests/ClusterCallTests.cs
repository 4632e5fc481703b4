using System.Net;
using System.Net.WebSockets;
using Parley.Cluster.Tests.Infrastructure;
using Parley.IntegrationTests.Infrastructure;

namespace Parley.Cluster.Tests;

/// <summary>Server-to-client calls made on one node reach a user's or a client's connection on another, and answer.</summary>
[Collection(RabbitMqCollection.Name)]
public sealed class ClusterCallTests(RabbitMqServer rabbit) : IAsyncLifetime
{
    private const string KioskSecret = "kiosk-secret-0123456789";
    private const string ScreenSecret = "screen-secret-0123456789";
    private InProcessCluster _cluster = null!;

    public async Task InitializeAsync() =>
        _cluster = await InProcessCluster.StartAsync(rabbit, 3, new Dictionary<string, string?>
        {
            ["Parley:Clients:Kinds:kiosk:Secret"] = KioskSecret,
            ["Parley:Clients:Kinds:screen:Secret"] = ScreenSecret,
            ["Parley:Clients:Kinds:screen:OnDuplicate"] = "RejectNew",
        });

    private async Task<string> ClientTokenAsync(string kind, string id, string secret)
    {
        using var http = _cluster[0].CreateHttpClient();
        return (await http.PostJsonAsync("api/clients/token", new { kind, clientId = id, secret }).Expect(HttpStatusCode.OK)).GetProperty("token").GetString()!;
    }

    [Fact]
    public async Task A_client_identity_is_connected_once_in_the_whole_cluster()
    {
        // Replace-old kind: connecting on node 2 closes the connection on node 1 (4012 replaced).
        var kioskToken = await ClientTokenAsync("kiosk", "k7", KioskSecret);
        await using var first = await TestSocket.ConnectAsync(_cluster[1], kioskToken);
        await using var second = await TestSocket.ConnectAsync(_cluster[2], kioskToken);
        Assert.Equal((WebSocketCloseStatus)4012, await first.ClosedAsync());

        // Reject-new kind: while node 1 holds it, node 2 refuses another (HTTP 409 before the upgrade).
        var screenToken = await ClientTokenAsync("screen", "s1", ScreenSecret);
        await using var screen = await TestSocket.ConnectAsync(_cluster[1], screenToken);
        using var refused = new ClientWebSocket();
        refused.Options.CollectHttpResponseDetails = true;
        await Assert.ThrowsAsync<WebSocketException>(() =>
            refused.ConnectAsync(new Uri(_cluster[2].WebSocketUri + "?access_token=" + Uri.EscapeDataString(screenToken)), CancellationToken.None)
                .WaitAsync(TestSocket.Timeout));
        Assert.Equal(HttpStatusCode.Conflict, refused.HttpStatusCode);
    }

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task A_call_reaches_a_connection_on_another_node_and_its_answer_comes_back()
    {
        var admin = await _cluster[0].CreateUserAsync("admin");
        var bob = await _cluster[0].CreateUserAsync("bob");
        using var http = _cluster[0].CreateHttpClient(admin.Token);

        // A client identity (no user) connected to node 2.
        var token = (await _cluster[1].CreateHttpClient().PostJsonAsync("api/clients/token", new { kind = "kiosk", clientId = "k1", secret = KioskSecret })
            .Expect(HttpStatusCode.OK)).GetProperty("token").GetString()!;
        await using var kiosk = await TestSocket.ConnectAsync(_cluster[2], token);
        var calling = http.PostJsonAsync("api/admin/calls", new { kind = "kiosk", clientId = "k1", method = "display.show", payload = new { ticket = "A12" } });
        var call = await kiosk.NextAsync("call");
        Assert.Equal("A12", call.GetProperty("payload").GetProperty("ticket").GetString());
        await kiosk.SendAsync(new { type = "callResult", callId = call.GetProperty("callId").GetString(), data = new { shown = true } });
        var answered = await calling.Expect(HttpStatusCode.OK);
        Assert.True(answered.GetProperty("data").GetProperty("shown").GetBoolean());

        // A user connected to node 1; the client's own error comes back as such.
        await using var b = await TestSocket.ConnectAsync(_cluster[1], bob.Token);
        // Presence reaches the other nodes a moment after the connect; a call made before that is "not connected".
        using (var seen = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
        {
            while (!(await http.GetJsonAsync("api/admin/online")).Body.EnumerateArray().Any(u => u.GetProperty("account").GetString() == "bob"))
                await Task.Delay(50, seen.Token);
        }
        var failing = http.PostJsonAsync("api/admin/calls", new { user = "bob", method = "print" });
        var userCall = await b.NextAsync("call");
        await b.SendAsync(new { type = "callError", callId = userCall.GetProperty("callId").GetString(), code = 1042, message = "out of paper" });
        var (status, body) = await failing;
        Assert.Equal((HttpStatusCode.BadGateway, 1042), (status, body.GetProperty("clientCode").GetInt32()));

        // Nobody anywhere: not connected, without waiting for the call's timeout.
        var (missing, _) = await http.PostJsonAsync("api/admin/calls", new { kind = "kiosk", clientId = "nobody", method = "m", timeoutMs = 60_000 });
        Assert.Equal(HttpStatusCode.NotFound, missing);
    }
}
