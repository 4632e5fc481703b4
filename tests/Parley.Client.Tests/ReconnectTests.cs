using System.Net;
using System.Text.Json.Nodes;

namespace Parley.Client.Tests;

public sealed class ReconnectTests
{
    [Fact]
    public async Task After_a_drop_it_reconnects_resends_with_the_same_clientMsgId_and_syncs_cursors()
    {
        await using var server = await FakeParleyServer.StartAsync();
        await using var h = new ClientHarness(server);
        await h.Client.ConnectAsync().WaitAsync(FakeParleyServer.Timeout);
        var c1 = await server.NextConnectionAsync();
        await c1.ReceiveAsync("sync");
        await c1.SendMessageAsync("g:7", 1);
        await h.NextMessageAsync();

        var sending = h.Client.SendToGroupAsync(7, "important");
        var first = await c1.ReceiveAsync("send");
        c1.Abort();

        await h.WaitForStateAsync(ConnectionState.Reconnecting);
        var c2 = await server.NextConnectionAsync();
        var resent = await c2.ReceiveAsync("send");
        Assert.Equal((string?)first["clientMsgId"], (string?)resent["clientMsgId"]);
        Assert.Equal("important", (string?)resent["text"]);
        var sync = await c2.ReceiveAsync("sync");
        Assert.Equal(1, (long?)sync["cursors"]!["g:7"]);

        await c2.SendAsync(new JsonObject
        {
            ["type"] = "ack", ["id"] = (string?)resent["id"], ["clientMsgId"] = (string?)resent["clientMsgId"],
            ["conversation"] = "g:7", ["seq"] = 2, ["messageId"] = "x", ["ts"] = 1, ["duplicate"] = true,
        });
        var receipt = await sending.WaitAsync(FakeParleyServer.Timeout);
        Assert.True(receipt.Duplicate);
        Assert.Equal(2, receipt.Seq);
        Assert.Equal(ConnectionState.Connected, h.Client.State);
    }

    [Theory]
    [InlineData(4002)]
    [InlineData(4003)]
    [InlineData(4004)]
    public async Task Does_not_reconnect_after_terminal_close_codes(int code)
    {
        await using var server = await FakeParleyServer.StartAsync();
        await using var h = new ClientHarness(server);
        await h.Client.ConnectAsync().WaitAsync(FakeParleyServer.Timeout);
        var c = await server.NextConnectionAsync();
        await c.ReceiveAsync("sync");
        var sending = h.Client.SendAsync("bob", "lost");
        await c.ReceiveAsync("send");

        await c.CloseAsync(code, "bye");

        var state = await h.WaitForStateAsync(ConnectionState.Disconnected);
        Assert.Equal(code, state.CloseCode);
        Assert.DoesNotContain(h.States, s => s.State == ConnectionState.Reconnecting);
        await Assert.ThrowsAsync<ParleyConnectionException>(() => sending.WaitAsync(FakeParleyServer.Timeout));
        Assert.Equal(1, server.ConnectionCount);
    }

    [Fact]
    public async Task Reconnects_after_server_shutdown_close()
    {
        await using var server = await FakeParleyServer.StartAsync();
        await using var h = new ClientHarness(server);
        await h.Client.ConnectAsync().WaitAsync(FakeParleyServer.Timeout);
        var c1 = await server.NextConnectionAsync();
        await c1.CloseAsync(4011, "server_shutdown");

        var reconnecting = await h.WaitForStateAsync(ConnectionState.Reconnecting);
        Assert.Equal(4011, reconnecting.CloseCode);
        var c2 = await server.NextConnectionAsync();
        await c2.ReceiveAsync("sync");
        await h.WaitForStateAsync(ConnectionState.Connected);
    }

    [Fact]
    public async Task Unauthorized_close_asks_the_token_provider_again()
    {
        await using var server = await FakeParleyServer.StartAsync();
        var n = 0;
        await using var h = new ClientHarness(server, tokens: _ => ValueTask.FromResult("tok" + Interlocked.Increment(ref n)));
        await h.Client.ConnectAsync().WaitAsync(FakeParleyServer.Timeout);
        var c1 = await server.NextConnectionAsync();
        await c1.CloseAsync(4001, "unauthorized");

        var c2 = await server.NextConnectionAsync();
        await c2.ReceiveAsync("sync");
        Assert.Equal(["tok1", "tok2"], server.Tokens);
    }

    [Fact]
    public async Task Refused_upgrade_with_401_twice_fails_connect()
    {
        await using var server = await FakeParleyServer.StartAsync();
        server.RejectUpgrades.Enqueue(401);
        server.RejectUpgrades.Enqueue(401);
        var n = 0;
        await using var h = new ClientHarness(server, tokens: _ => ValueTask.FromResult("tok" + Interlocked.Increment(ref n)));

        var ex = await Assert.ThrowsAsync<ParleyConnectionException>(() => h.Client.ConnectAsync().WaitAsync(FakeParleyServer.Timeout));
        Assert.Equal(HttpStatusCode.Unauthorized, ex.HttpStatus);
        Assert.Equal(2, n);
        Assert.Equal(ConnectionState.Disconnected, h.Client.State);
    }

    [Fact]
    public async Task Silent_connection_is_dropped_after_two_heartbeats_and_reconnected()
    {
        await using var server = await FakeParleyServer.StartAsync();
        server.HeartbeatMs = 100;
        server.Responder = null; // never answers, not even pings
        await using var h = new ClientHarness(server);
        await h.Client.ConnectAsync().WaitAsync(FakeParleyServer.Timeout);
        var c1 = await server.NextConnectionAsync();

        var ping = await c1.ReceiveAsync("ping");
        Assert.Null(ping["id"]);
        await h.WaitForStateAsync(ConnectionState.Reconnecting);
        await server.NextConnectionAsync();
    }

    [Fact]
    public async Task Disconnect_closes_normally_and_stops()
    {
        await using var server = await FakeParleyServer.StartAsync();
        await using var h = new ClientHarness(server);
        await h.Client.ConnectAsync().WaitAsync(FakeParleyServer.Timeout);
        var c = await server.NextConnectionAsync();

        await h.Client.DisconnectAsync().WaitAsync(FakeParleyServer.Timeout);

        Assert.Equal(System.Net.WebSockets.WebSocketCloseStatus.NormalClosure, await c.Closed.Task.WaitAsync(FakeParleyServer.Timeout));
        Assert.Equal(ConnectionState.Disconnected, h.Client.State);
        Assert.DoesNotContain(h.States, s => s.State == ConnectionState.Reconnecting);
        await Assert.ThrowsAsync<ParleyConnectionException>(() => h.Client.SendAsync("bob", "x"));
    }

    [Fact]
    public async Task A_send_made_while_reconnecting_goes_out_after_the_reconnect()
    {
        await using var server = await FakeParleyServer.StartAsync();
        await using var h = new ClientHarness(server);
        await h.Client.ConnectAsync().WaitAsync(FakeParleyServer.Timeout);
        var c1 = await server.NextConnectionAsync();
        lock (server.RejectUpgrades)
        {
            for (var i = 0; i < 10_000; i++)
            {
                server.RejectUpgrades.Enqueue(503);
            }
        }

        c1.Abort();
        await h.WaitForStateAsync(ConnectionState.Reconnecting);
        var sending = h.Client.SendAsync("bob", "queued");
        lock (server.RejectUpgrades)
        {
            server.RejectUpgrades.Clear();
        }

        var c2 = await server.NextConnectionAsync();
        var send = await c2.ReceiveAsync("send");
        Assert.Equal("queued", (string?)send["text"]);
        await c2.SendAsync(new JsonObject
        {
            ["type"] = "ack", ["id"] = (string?)send["id"], ["clientMsgId"] = (string?)send["clientMsgId"],
            ["conversation"] = "d:1:2", ["seq"] = 1, ["messageId"] = "x", ["ts"] = 1, ["duplicate"] = false,
        });
        Assert.Equal(1, (await sending.WaitAsync(FakeParleyServer.Timeout)).Seq);
    }
}
