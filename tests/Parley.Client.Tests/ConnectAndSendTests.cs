using System.Text.Json;
using System.Text.Json.Nodes;

namespace Parley.Client.Tests;

public sealed class ConnectAndSendTests
{
    [Fact]
    public async Task Connect_receives_welcome_and_sends_token_in_query()
    {
        await using var server = await FakeParleyServer.StartAsync();
        await using var h = new ClientHarness(server);

        await h.Client.ConnectAsync().WaitAsync(FakeParleyServer.Timeout);

        Assert.Equal(ConnectionState.Connected, h.Client.State);
        Assert.Equal(1, h.Client.Welcome!.UserId);
        Assert.Equal("alice", h.Client.Welcome.UserName);
        Assert.Equal(["tok"], server.Tokens);
        Assert.Equal([ConnectionState.Connecting, ConnectionState.Connected], h.States.Select(s => s.State));
        var connection = await server.NextConnectionAsync();
        var sync = await connection.ReceiveAsync("sync");
        Assert.NotNull((string?)sync["id"]);
    }

    [Fact]
    public async Task Send_completes_with_the_ack()
    {
        await using var server = await FakeParleyServer.StartAsync();
        await using var h = new ClientHarness(server);
        await h.Client.ConnectAsync().WaitAsync(FakeParleyServer.Timeout);
        var connection = await server.NextConnectionAsync();

        var payload = JsonSerializer.SerializeToElement(new Dictionary<string, int> { ["w"] = 3 });
        var sending = h.Client.SendAsync("bob", "hi", kind: "custom", payload: payload);
        var frame = await connection.ReceiveAsync("send");
        Assert.Equal("bob", (string?)frame["to"]);
        Assert.Equal("hi", (string?)frame["text"]);
        Assert.Equal("custom", (string?)frame["kind"]);
        Assert.Equal(3, (int?)frame["payload"]!["w"]);
        var clientMsgId = (string?)frame["clientMsgId"];
        Assert.True(Guid.TryParse(clientMsgId, out var guid) && guid.Version == 7);
        Assert.Null(frame["group"]);

        await connection.SendAsync(new JsonObject
        {
            ["type"] = "ack", ["id"] = (string?)frame["id"], ["clientMsgId"] = clientMsgId, ["conversation"] = "d:1:2",
            ["seq"] = 5, ["messageId"] = "0199", ["ts"] = 1000, ["duplicate"] = false,
        });
        var receipt = await sending.WaitAsync(FakeParleyServer.Timeout);

        Assert.Equal(new SendReceipt("d:1:2", 5, "0199", 1000, false, clientMsgId!), receipt);
    }

    [Fact]
    public async Task Send_error_throws_request_exception_with_code()
    {
        await using var server = await FakeParleyServer.StartAsync();
        await using var h = new ClientHarness(server);
        await h.Client.ConnectAsync().WaitAsync(FakeParleyServer.Timeout);
        var connection = await server.NextConnectionAsync();

        var sending = h.Client.SendToGroupAsync(7, "hi");
        var frame = await connection.ReceiveAsync("send");
        Assert.Equal(7, (long?)frame["group"]);
        await connection.SendAsync(new JsonObject { ["type"] = "error", ["id"] = (string?)frame["id"], ["code"] = 201, ["message"] = "not a member" });

        var ex = await Assert.ThrowsAsync<ParleyRequestException>(() => sending.WaitAsync(FakeParleyServer.Timeout));
        Assert.Equal(ParleyErrorCodes.NotMember, ex.Code);
        Assert.Equal("not a member", ex.ServerMessage);
        Assert.Equal(ConnectionState.Connected, h.Client.State);
    }

    [Fact]
    public async Task Send_times_out_without_ack()
    {
        await using var server = await FakeParleyServer.StartAsync();
        await using var h = new ClientHarness(server, new ParleyClientOptions { RequestTimeout = TimeSpan.FromMilliseconds(200) });
        await h.Client.ConnectAsync().WaitAsync(FakeParleyServer.Timeout);

        await Assert.ThrowsAsync<TimeoutException>(() => h.Client.SendToConversationAsync("g:7", "hi").WaitAsync(FakeParleyServer.Timeout));
    }

    [Fact]
    public async Task Ping_history_and_online_are_correlated_by_id()
    {
        await using var server = await FakeParleyServer.StartAsync();
        server.Responder = async (c, f) =>
        {
            await FakeParleyServer.DefaultResponder(c, f);
            var id = (string?)f["id"];
            switch ((string?)f["type"])
            {
                case "history":
                    await c.SendAsync(new JsonObject
                    {
                        ["type"] = "result", ["id"] = id,
                        ["data"] = new JsonObject { ["messages"] = new JsonArray(FakeConnection.Message("g:7", 3, "old")), ["hasMore"] = true },
                    });
                    break;
                case "online":
                    await c.SendAsync(new JsonObject
                    {
                        ["type"] = "result", ["id"] = id,
                        ["data"] = new JsonObject { ["users"] = new JsonArray(new JsonObject { ["id"] = 2, ["name"] = "bob" }) },
                    });
                    break;
            }
        };
        await using var h = new ClientHarness(server);
        await h.Client.ConnectAsync().WaitAsync(FakeParleyServer.Timeout);

        var rtt = await h.Client.PingAsync().WaitAsync(FakeParleyServer.Timeout);
        var page = await h.Client.GetHistoryAsync("g:7", before: 4).WaitAsync(FakeParleyServer.Timeout);
        var online = await h.Client.GetOnlineMembersAsync(7).WaitAsync(FakeParleyServer.Timeout);

        Assert.True(rtt > TimeSpan.Zero);
        Assert.True(page.HasMore);
        Assert.Equal("old", Assert.Single(page.Messages).Text);
        Assert.Equal(new OnlineMember(2, "bob"), Assert.Single(online));
    }

    [Fact]
    public async Task Receipts_presence_typing_and_unclaimed_errors_raise_events()
    {
        await using var server = await FakeParleyServer.StartAsync();
        await using var h = new ClientHarness(server);
        var receipt = new TaskCompletionSource<ReceiptInfo>();
        var presence = new TaskCompletionSource<PresenceInfo>();
        var typing = new TaskCompletionSource<TypingInfo>();
        var error = new TaskCompletionSource<ServerError>();
        h.Client.ReceiptReceived += (_, r) => receipt.TrySetResult(r);
        h.Client.PresenceChanged += (_, p) => presence.TrySetResult(p);
        h.Client.TypingReceived += (_, t) => typing.TrySetResult(t);
        h.Client.ErrorReceived += (_, e) => error.TrySetResult(e);
        await h.Client.ConnectAsync().WaitAsync(FakeParleyServer.Timeout);
        var c = await server.NextConnectionAsync();

        await c.SendRawAsync("""{"type":"receipt","conversation":"d:1:2","seq":4,"user":2,"userName":"bob","status":"read"}""");
        await c.SendRawAsync("""{"type":"presence","user":2,"userName":"bob","online":true}""");
        await c.SendRawAsync("""{"type":"typing","conversation":"d:1:2","user":2,"userName":"bob"}""");
        await c.SendRawAsync("""{"type":"error","code":300,"message":"slow down"}""");

        Assert.Equal(new ReceiptInfo("d:1:2", 4, 2, "bob", "read"), await receipt.Task.WaitAsync(FakeParleyServer.Timeout));
        Assert.Equal(new PresenceInfo(2, "bob", true), await presence.Task.WaitAsync(FakeParleyServer.Timeout));
        Assert.Equal(new TypingInfo("d:1:2", 2, "bob"), await typing.Task.WaitAsync(FakeParleyServer.Timeout));
        Assert.Equal(new ServerError(null, 300, "slow down"), await error.Task.WaitAsync(FakeParleyServer.Timeout));
    }

    [Theory]
    [InlineData("http://host:5000/", "ws://host:5000/ws?access_token=a%20b")]
    [InlineData("https://host/chat", "wss://host/chat/ws?access_token=a%20b")]
    [InlineData("wss://host/ws", "wss://host/ws?access_token=a%20b")]
    public async Task Builds_the_websocket_uri(string baseUri, string expected)
    {
        await using var client = new ParleyClient(new Uri(baseUri), "a b");
        Assert.Equal(expected, client.BuildWebSocketUri("a b").AbsoluteUri);
    }
}
