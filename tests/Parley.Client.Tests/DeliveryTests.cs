using System.Text.Json.Nodes;

namespace Parley.Client.Tests;

public sealed class DeliveryTests
{
    private static JsonObject Synced(JsonObject request, bool more = false, JsonObject? cursors = null) => new()
    {
        ["type"] = "synced", ["id"] = (string?)request["id"], ["more"] = more, ["cursors"] = cursors ?? new JsonObject(),
    };

    [Fact]
    public async Task Duplicates_and_out_of_order_messages_are_delivered_once_in_order()
    {
        await using var server = await FakeParleyServer.StartAsync();
        await using var h = new ClientHarness(server);
        await h.Client.ConnectAsync().WaitAsync(FakeParleyServer.Timeout);
        var c = await server.NextConnectionAsync();
        await c.ReceiveAsync("sync");

        foreach (var seq in new[] { 1, 3, 2, 3 })
        {
            await c.SendMessageAsync("g:7", seq, $"m{seq}");
        }

        var got = await h.MessagesAsync(3);
        Assert.Equal([1L, 2L, 3L], got.Select(m => m.Seq));
        Assert.Equal("m2", got[1].Text);
        await h.Client.PingAsync().WaitAsync(FakeParleyServer.Timeout); // every frame above has been processed
        Assert.False(h.HasMoreMessages);
        Assert.Equal(3, h.Client.GetCursors()["g:7"]);
    }

    [Fact]
    public async Task A_gap_triggers_sync_with_the_cursor_and_is_filled_in_order()
    {
        await using var server = await FakeParleyServer.StartAsync();
        server.Responder = null;
        await using var h = new ClientHarness(server, new ParleyClientOptions { InitialCursors = new Dictionary<string, long> { ["g:7"] = 4, ["d:1:2"] = 9 } });
        await h.Client.ConnectAsync().WaitAsync(FakeParleyServer.Timeout);
        var c = await server.NextConnectionAsync();
        var first = await c.ReceiveAsync("sync");
        Assert.Equal(4, (long?)first["cursors"]!["g:7"]);
        Assert.Equal(9, (long?)first["cursors"]!["d:1:2"]);
        await c.SendAsync(Synced(first));

        await c.SendMessageAsync("g:7", 7, "seven");
        var gapSync = await c.ReceiveAsync("sync");
        Assert.Equal(4, (long?)gapSync["cursors"]!["g:7"]);
        await c.SendMessageAsync("g:7", 5);
        await c.SendMessageAsync("g:7", 6);
        await c.SendMessageAsync("g:7", 7, "seven");
        await c.SendAsync(Synced(gapSync));

        var got = await h.MessagesAsync(3);
        Assert.Equal([5L, 6L, 7L], got.Select(m => m.Seq));
        Assert.Equal("seven", got[2].Text);
    }

    [Fact]
    public async Task Sync_loops_while_more_with_returned_cursors()
    {
        await using var server = await FakeParleyServer.StartAsync();
        server.Responder = null;
        await using var h = new ClientHarness(server);
        await h.Client.ConnectAsync().WaitAsync(FakeParleyServer.Timeout);
        var c = await server.NextConnectionAsync();
        var first = await c.ReceiveAsync("sync");
        await c.SendMessageAsync("d:1:2", 3);
        await c.SendAsync(Synced(first, more: true, new JsonObject { ["d:1:2"] = 3, ["g:9"] = 12 }));

        var second = await c.ReceiveAsync("sync");
        Assert.Equal(3, (long?)second["cursors"]!["d:1:2"]);
        Assert.Equal(12, (long?)second["cursors"]!["g:9"]);
        await c.SendMessageAsync("d:1:2", 4);
        await c.SendAsync(Synced(second));

        Assert.Equal([3L, 4L], (await h.MessagesAsync(2)).Select(m => m.Seq));
    }

    [Fact]
    public async Task Live_message_during_sync_does_not_hide_older_synced_messages()
    {
        await using var server = await FakeParleyServer.StartAsync();
        server.Responder = null;
        await using var h = new ClientHarness(server);
        await h.Client.ConnectAsync().WaitAsync(FakeParleyServer.Timeout);
        var c = await server.NextConnectionAsync();
        var sync = await c.ReceiveAsync("sync");

        await c.SendMessageAsync("g:3", 10, "live");
        await c.SendMessageAsync("g:3", 8);
        await c.SendMessageAsync("g:3", 9);
        await c.SendAsync(Synced(sync));

        Assert.Equal([8L, 9L, 10L], (await h.MessagesAsync(3)).Select(m => m.Seq));
    }

    [Fact]
    public async Task Own_acks_advance_the_cursor_and_fill_gaps()
    {
        await using var server = await FakeParleyServer.StartAsync();
        await using var h = new ClientHarness(server, new ParleyClientOptions { InitialCursors = new Dictionary<string, long> { ["g:7"] = 4 } });
        await h.Client.ConnectAsync().WaitAsync(FakeParleyServer.Timeout);
        var c = await server.NextConnectionAsync();
        await c.ReceiveAsync("sync");

        var sending = h.Client.SendToGroupAsync(7, "mine");
        var send = await c.ReceiveAsync("send");
        await c.SendAsync(new JsonObject
        {
            ["type"] = "ack", ["id"] = (string?)send["id"], ["clientMsgId"] = (string?)send["clientMsgId"],
            ["conversation"] = "g:7", ["seq"] = 6, ["messageId"] = "x", ["ts"] = 1, ["duplicate"] = false,
        });
        Assert.Equal(6, (await sending.WaitAsync(FakeParleyServer.Timeout)).Seq);

        await c.SendMessageAsync("g:7", 5, "theirs");
        await c.SendMessageAsync("g:7", 6, "mine, echoed");
        await c.SendMessageAsync("g:7", 7, "after");

        Assert.Equal(["theirs", "after"], (await h.MessagesAsync(2)).Select(m => m.Text));
        Assert.Equal(7, h.Client.GetCursors()["g:7"]);
    }

    [Fact]
    public async Task Auto_ack_is_coalesced_per_conversation()
    {
        await using var server = await FakeParleyServer.StartAsync();
        server.Responder = null;
        await using var h = new ClientHarness(server);
        h.Options.AckDelay = TimeSpan.FromMilliseconds(300);
        await h.Client.ConnectAsync().WaitAsync(FakeParleyServer.Timeout);
        var c = await server.NextConnectionAsync();
        var sync = await c.ReceiveAsync("sync");
        for (var seq = 1; seq <= 5; seq++)
        {
            await c.SendMessageAsync("d:1:2", seq);
        }

        await c.SendMessageAsync("g:7", 20);
        await c.SendAsync(Synced(sync));
        await h.MessagesAsync(6);

        var acks = new[] { await c.ReceiveAnyAsync(), await c.ReceiveAnyAsync() }
            .Select(a => ((string?)a["type"], (string?)a["conversation"], (long?)a["seq"])).OrderBy(a => a.Item2).ToList();
        Assert.Equal([("ack", "d:1:2", 5L), ("ack", "g:7", 20L)], acks);

        // Live messages after the sync: one ack for the batch.
        await c.SendMessageAsync("d:1:2", 6);
        await c.SendMessageAsync("d:1:2", 7);
        await h.MessagesAsync(2);
        var live = await c.ReceiveAnyAsync();
        Assert.Equal(("ack", 7L), ((string?)live["type"], (long?)live["seq"]));

        var ping = h.Client.PingAsync();
        var next = await c.ReceiveAnyAsync();
        Assert.Equal("ping", (string?)next["type"]); // no further acks were sent
        await c.SendAsync(new JsonObject { ["type"] = "pong", ["id"] = (string?)next["id"], ["serverTime"] = 1 });
        await ping.WaitAsync(FakeParleyServer.Timeout);
    }
}
