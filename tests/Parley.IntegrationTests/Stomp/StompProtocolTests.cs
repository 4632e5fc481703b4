using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Parley.IntegrationTests.Infrastructure;
using Parley.Protocol.Stomp;

namespace Parley.IntegrationTests.Stomp;

[Collection(StompCollection.Name)]
public sealed class StompProtocolTests(StompFixture fixture)
{
    private ParleyTestServer Server => fixture.Server;

    private static JsonElement Json(StompFrame frame) => JsonDocument.Parse(frame.Body).RootElement;

    [Theory]
    [InlineData("v12.stomp")]
    [InlineData("v11.stomp")]
    [InlineData("v10.stomp")]
    public async Task The_server_picks_the_clients_sub_protocol(string protocol)
    {
        await using var client = await RawStompClient.OpenAsync(Server, protocol);
        Assert.Equal(protocol, client.SubProtocol);
    }

    [Fact]
    public async Task A_stomp_client_and_a_native_client_chat_with_each_other()
    {
        var alice = await fixture.UserAsync("xa");
        var bob = await fixture.UserAsync("xb");
        var (stomp, _) = await RawStompClient.ConnectAsync(Server, alice.Token);
        await using var _ = stomp;
        await using var native = await TestSocket.ConnectAsync(Server, bob.Token);
        await stomp.SubscribeAsync("m", "/user/queue/messages");
        await stomp.SubscribeAsync("r", "/user/queue/receipts");

        await stomp.SendAsync($"SEND\ndestination:/app/chat/{bob.Account}\nreceipt:s1\ncontent-type:text/plain\n\nhello from stomp\0");
        var ack = await stomp.NextAsync(StompCommand.Message);
        Assert.Equal("/user/queue/receipts", ack.GetHeader("destination"));
        Assert.Equal(1, Json(ack).GetProperty("seq").GetInt64());
        Assert.Equal("s1", (await stomp.NextAsync(StompCommand.Receipt)).GetHeader("receipt-id"));
        var atBob = (await native.MessagesAsync(1))[0];
        Assert.Equal("hello from stomp", atBob.GetProperty("text").GetString());

        await native.SendMessageAsync(new { to = alice.Account }, "hello from native");
        var atAlice = await stomp.NextAsync(StompCommand.Message);
        Assert.Equal("/user/queue/messages", atAlice.GetHeader("destination"));
        Assert.Equal("m", atAlice.GetHeader("subscription"));
        Assert.Equal("application/json", atAlice.GetHeader("content-type"));
        Assert.NotNull(atAlice.GetHeader("message-id"));
        Assert.Equal("hello from native", Json(atAlice).GetProperty("text").GetString());
        Assert.Equal(2, Json(atAlice).GetProperty("seq").GetInt64());
    }

    [Fact]
    public async Task Frames_split_across_and_combined_within_websocket_messages_are_reassembled()
    {
        var user = await fixture.UserAsync("split");
        await using var client = await RawStompClient.OpenAsync(Server);
        var connect = $"CONNECT\naccept-version:1.1,1.2\nhost:parley\ntoken:{user.Token}\n\n\0";
        await client.SendAsync(connect[..5]);
        await client.SendAsync(connect[5..40]);
        await client.SendAsync(connect[40..]);
        var connected = await client.NextAsync();
        Assert.Equal(StompCommand.Connected, connected.Command);
        Assert.Equal("1.2", connected.GetHeader("version"));

        // Two frames and a heart-beat in one message; a content-length body may hold NUL.
        await client.SendBytesAsync(Encoding.UTF8.GetBytes("SUBSCRIBE\nid:t\ndestination:/topic/split-room\nreceipt:a\n\n\0\n"
            + "SEND\ndestination:/topic/split-room\ncontent-type:application/octet-stream\ncontent-length:5\n\nab\0cd\0"));
        Assert.Equal("a", (await client.NextAsync(StompCommand.Receipt)).GetHeader("receipt-id"));
        var message = await client.NextAsync(StompCommand.Message);
        Assert.Equal("ab\0cd", Encoding.UTF8.GetString(message.Body.Span));
        Assert.Equal("application/octet-stream", message.GetHeader("content-type"));

        // A whole frame and the start of the next in one message, the rest of it in the next message.
        var second = "SEND\ndestination:/topic/split-room\n\nsecond\0";
        await client.SendAsync("SEND\ndestination:/topic/split-room\n\nfirst\0" + second[..20]);
        await client.SendAsync(second[20..]);
        Assert.Equal("first", Encoding.UTF8.GetString((await client.NextAsync(StompCommand.Message)).Body.Span));
        Assert.Equal("second", Encoding.UTF8.GetString((await client.NextAsync(StompCommand.Message)).Body.Span));
    }

    [Fact]
    public async Task Free_topics_fan_out_to_every_subscriber()
    {
        var a = await fixture.UserAsync("ta");
        var b = await fixture.UserAsync("tb");
        var (ca, _) = await RawStompClient.ConnectAsync(Server, a.Token);
        var (cb, _) = await RawStompClient.ConnectAsync(Server, b.Token);
        await using var _a = ca;
        await using var _b = cb;
        await ca.SubscribeAsync("1", "/topic/room.42");
        await cb.SubscribeAsync("2", "/topic/room.42");

        await ca.SendAsync("SEND\ndestination:/topic/room.42\ncontent-type:text/plain\n\nhi all\0");

        foreach (var (client, sub) in new[] { (ca, "1"), (cb, "2") })
        {
            var message = await client.NextAsync(StompCommand.Message);
            Assert.Equal("/topic/room.42", message.GetHeader("destination"));
            Assert.Equal(sub, message.GetHeader("subscription"));
            Assert.Equal("hi all", Encoding.UTF8.GetString(message.Body.Span));
        }
    }

    [Fact]
    public async Task A_failed_send_is_reported_on_the_errors_queue_and_the_session_stays()
    {
        var user = await fixture.UserAsync("err");
        var (client, _) = await RawStompClient.ConnectAsync(Server, user.Token);
        await using var _ = client;
        await client.SubscribeAsync("e", "/user/queue/errors");

        await client.SendAsync("SEND\ndestination:/app/chat/nobody-here\ncontent-type:application/json\n\n{\"text\":\"x\",\"clientMsgId\":\"c9\"}\0");

        var error = Json(await client.NextAsync(StompCommand.Message));
        Assert.Equal(200, error.GetProperty("code").GetInt32());
        Assert.Equal("/app/chat/nobody-here", error.GetProperty("destination").GetString());
        Assert.Equal("c9", error.GetProperty("clientMsgId").GetString());
        await client.SendAsync("DISCONNECT\nreceipt:bye\n\n\0");
        Assert.Equal("bye", (await client.NextAsync(StompCommand.Receipt)).GetHeader("receipt-id"));
        Assert.Equal(WebSocketCloseStatus.NormalClosure, await client.ClosedAsync());
    }

    [Fact]
    public async Task A_silent_client_is_closed_after_twice_the_negotiated_interval()
    {
        var user = await fixture.UserAsync("silent");
        var (client, connected) = await RawStompClient.ConnectAsync(Server, user.Token, heartBeat: $"{StompFixture.HeartbeatMs},{StompFixture.HeartbeatMs}");
        await using var _ = client;
        Assert.Equal($"{StompFixture.HeartbeatMs},{StompFixture.HeartbeatMs}", connected.GetHeader("heart-beat"));

        var error = await client.NextAsync(StompCommand.Error, TimeSpan.FromSeconds(8));
        Assert.Equal("idle_timeout", error.GetHeader("message"));
        Assert.Equal((WebSocketCloseStatus)4008, await client.ClosedAsync());
        Assert.True(client.HeartbeatsReceived >= 1);
    }

    public static TheoryData<bool, string[], string> HostileInputs => new()
    {
        { false, ["SEND\ndestination:/app/chat/x\n\nhello\0"], "CONNECT expected" },
        { false, ["BOGUS\n\n\0"], "unknown command" },
        { true, ["FOO\nbar:baz\n\n\0"], "unknown command" },
        { true, ["SEND\ndestination:/topic/a\\qb\n\nx\0"], "invalid escape" },
        { true, ["SEND\ndestination:/topic/a\n\n" + new string('x', 9000) + "\0"], "exceeds" },
        { true, ["SEND\ndestination:/topic/a\n\nno terminator", new string('y', 4000), new string('z', 4500)], "exceeds" },
        { true, ["SEND\ndestination:/topic/a\ncontent-length:999999\n\nx\0"], "exceeds" },
        { true, ["SUBSCRIBE\nid:1\ndestination:/user/someone-else/queue/messages\n\n\0"], "another user" },
        { true, ["SUBSCRIBE\nid:1\ndestination:/topic/groups/999999\n\n\0"], "no such group" },
        { true, ["SUBSCRIBE\nid:1\ndestination:/nowhere\n\n\0"], "unknown destination" },
        { true, ["BEGIN\ntransaction:t1\n\n\0"], "not supported" },
    };

    [Theory]
    [MemberData(nameof(HostileInputs))]
    public async Task Hostile_input_gets_an_error_frame_and_a_close_and_nobody_else_is_affected(bool connectFirst, string[] messages, string error)
    {
        var user = await fixture.UserAsync("host");
        var (bystander, _) = await RawStompClient.ConnectAsync(Server, user.Token);
        await using var _b = bystander;
        await using var client = connectFirst ? (await RawStompClient.ConnectAsync(Server, user.Token)).Client : await RawStompClient.OpenAsync(Server);

        foreach (var message in messages) await client.SendAsync(message);

        var frame = await client.NextAsync(StompCommand.Error);
        Assert.Contains(error, frame.GetHeader("message"));
        Assert.NotEmpty(frame.Body.ToArray());
        Assert.NotNull(await client.ClosedAsync());
        await bystander.SubscribeAsync("still-here", "/user/queue/messages");
    }

    [Fact]
    public async Task Subscribing_to_a_group_needs_membership()
    {
        var owner = await fixture.UserAsync("own");
        var outsider = await fixture.UserAsync("out");
        var group = await fixture.GroupAsync(owner);
        var (member, _) = await RawStompClient.ConnectAsync(Server, owner.Token);
        await using var _m = member;
        await member.SubscribeAsync("g", $"/topic/groups/{group}");
        var (stranger, _) = await RawStompClient.ConnectAsync(Server, outsider.Token);
        await using var _s = stranger;

        await stranger.SendAsync($"SUBSCRIBE\nid:g\ndestination:/topic/groups/{group}\n\n\0");

        Assert.Contains("not a member", (await stranger.NextAsync(StompCommand.Error)).GetHeader("message"));
    }

    [Fact]
    public async Task Passcode_may_be_the_account_password_and_a_wrong_one_is_refused()
    {
        var user = await fixture.UserAsync("pw");
        await using var ok = await RawStompClient.OpenAsync(Server);
        await ok.SendAsync($"STOMP\naccept-version:1.2\nhost:parley\nlogin:{user.Account}\npasscode:{user.Password}\n\n\0");
        Assert.Equal(user.Account, (await ok.NextAsync(StompCommand.Connected)).GetHeader("user-name"));

        await using var bad = await RawStompClient.OpenAsync(Server);
        await bad.SendAsync($"CONNECT\naccept-version:1.2\nhost:parley\nlogin:{user.Account}\npasscode:wrong-password\n\n\0");
        Assert.NotNull((await bad.NextAsync(StompCommand.Error)).GetHeader("message"));
        Assert.NotNull(await bad.ClosedAsync());
    }
}
