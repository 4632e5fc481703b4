using System.Net;
using System.Net.WebSockets;
using System.Text;
using Parley.IntegrationTests.Infrastructure;

namespace Parley.IntegrationTests;

/// <summary>Hostile and mistaken input: a clear error or a documented close, and nothing else breaks.</summary>
public sealed class BadInputTests : IAsyncLifetime
{
    private ParleyTestServer _server = null!;
    private TestUser _alice = null!;
    private TestUser _bob = null!;

    public async Task InitializeAsync()
    {
        _server = await ParleyTestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Parley:Connections:MaxFrameBytes"] = "4096",
            ["Parley:Messaging:MaxTextChars"] = "1000",
        });
        _alice = await _server.CreateUserAsync("alice");
        _bob = await _server.CreateUserAsync("bob");
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private async Task AssertStillServes(TestSocket socket)
    {
        var pong = await socket.RequestAsync(new { type = "ping", id = "alive" }, "alive");
        Assert.Equal("pong", pong.GetProperty("type").GetString());
    }

    [Theory]
    [InlineData("{not json", 100)]
    [InlineData("[1,2,3]", 100)]
    [InlineData("\"just a string\"", 100)]
    [InlineData("{\"id\":\"x\"}", 100)]
    [InlineData("{\"type\":\"launch-missiles\",\"id\":\"x\"}", 101)]
    [InlineData("{\"type\":\"send\",\"id\":\"x\",\"to\":{\"nested\":1},\"text\":\"hi\"}", 102)]
    [InlineData("{\"type\":\"send\",\"id\":\"x\",\"to\":\"bob\",\"text\":5}", 102)]
    [InlineData("{\"type\":\"send\",\"id\":\"x\",\"to\":\"bob\",\"group\":1,\"text\":\"a\"}", 102)]
    [InlineData("{\"type\":\"send\",\"id\":\"x\",\"to\":\"bob\"}", 102)]
    [InlineData("{\"type\":\"send\",\"id\":\"x\",\"to\":\"bob\",\"text\":\"a\",\"kind\":\"NOT A KIND\"}", 102)]
    [InlineData("{\"type\":\"sync\",\"id\":\"x\",\"cursors\":{\"d:1:2\":-5}}", 102)]
    [InlineData("{\"type\":\"ack\",\"id\":\"x\",\"conversation\":\"d:1:2\"}", 102)]
    [InlineData("{\"type\":\"history\",\"id\":\"x\",\"conversation\":\"garbage\"}", 102)]
    [InlineData("{\"type\":\"send\",\"id\":\"x\",\"to\":\"nobody-here\",\"text\":\"a\"}", 200)]
    [InlineData("{\"type\":\"send\",\"id\":\"x\",\"group\":999,\"text\":\"a\"}", 200)]
    [InlineData("{\"type\":\"online\",\"id\":\"x\",\"group\":999}", 200)]
    public async Task Bad_frames_get_an_error_with_the_documented_code_and_the_connection_survives(string frame, int code)
    {
        await using var socket = await TestSocket.ConnectAsync(_server, _alice.Token);
        await socket.SendRawAsync(frame);
        var error = await socket.NextAsync("error");
        Assert.Equal(code, error.GetProperty("code").GetInt32());
        Assert.DoesNotContain("Exception", error.GetProperty("message").GetString());
        Assert.DoesNotContain("   at ", error.GetProperty("message").GetString());
        await AssertStillServes(socket);
    }

    [Fact]
    public async Task Deeply_nested_json_is_refused_without_harm()
    {
        await using var socket = await TestSocket.ConnectAsync(_server, _alice.Token);
        await socket.SendRawAsync("{\"type\":\"send\",\"to\":\"bob\",\"payload\":" + new string('[', 100) + new string(']', 100) + "}");
        Assert.Equal(100, (await socket.NextAsync("error")).GetProperty("code").GetInt32());
        await AssertStillServes(socket);
    }

    [Fact]
    public async Task Oversize_text_is_refused_with_103()
    {
        await using var socket = await TestSocket.ConnectAsync(_server, _alice.Token);
        var error = await socket.SendMessageAsync(new { to = "bob" }, new string('x', 1001));
        Assert.Equal(103, error.GetProperty("code").GetInt32());
        await AssertStillServes(socket);
    }

    [Fact]
    public async Task Oversize_frames_close_with_4009_and_other_connections_are_unaffected()
    {
        await using var bystander = await TestSocket.ConnectAsync(_server, _bob.Token);
        await using var socket = await TestSocket.ConnectAsync(_server, _alice.Token);
        await socket.SendRawAsync("{\"type\":\"ping\",\"pad\":\"" + new string('x', 5000) + "\"}");
        Assert.Equal(4009, (int?)await socket.ClosedAsync());
        Assert.Equal("frame_too_large", socket.CloseReason);
        await AssertStillServes(bystander);
    }

    [Fact]
    public async Task Binary_frames_close_with_4030()
    {
        await using var socket = await TestSocket.ConnectAsync(_server, _alice.Token);
        await socket.SendBytesAsync([1, 2, 3], WebSocketMessageType.Binary);
        Assert.Equal(4030, (int?)await socket.ClosedAsync());
    }

    [Fact]
    public async Task Invalid_utf8_is_a_bad_request_not_a_crash()
    {
        await using var socket = await TestSocket.ConnectAsync(_server, _alice.Token);
        var bytes = Encoding.UTF8.GetBytes("{\"type\":\"ping\",\"id\":\"\"}");
        bytes[^3] = 0xFF;
        await socket.SendBytesAsync(bytes, WebSocketMessageType.Text);
        // Either an error reply on an open socket, or the socket fails the connection (RFC 6455 §8.1: 1007). A close
        // ends both waits: NextAsync faults ("closed before") as the receive loop completes, in either order, so the
        // outcome is read from the error's own result, not from which wait won.
        var error = socket.NextAsync("error");
        await Task.WhenAny(error, socket.Completion);
        if (error.IsCompletedSuccessfully) Assert.Equal(100, (await error).GetProperty("code").GetInt32());
        else Assert.Equal(WebSocketCloseStatus.InvalidPayloadData, await socket.ClosedAsync());
    }

    [Fact]
    public async Task Bad_wrong_and_missing_tokens_are_refused_before_the_upgrade()
    {
        foreach (var token in new[] { "", "garbage", _alice.Token[..^3] + "abc", _alice.Token.Replace('.', ',') })
        {
            var ex = await Assert.ThrowsAnyAsync<Exception>(() => TestSocket.ConnectAsync(_server, token));
            Assert.Contains("401", ex.Message);
        }
        using var http = new HttpClient();
        var response = await http.GetAsync(new Uri(_server.BaseUri, "ws"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Blocked_users_and_non_members_cannot_write_or_read()
    {
        var carol = await _server.CreateUserAsync("carol");
        var groupId = await Http.GroupAsync(_server, carol);
        using var hb = _server.CreateHttpClient(_bob.Token);
        await hb.PutJsonAsync("api/blocks/alice").Expect(HttpStatusCode.NoContent);

        await using var a = await TestSocket.ConnectAsync(_server, _alice.Token);
        Assert.Equal(202, (await a.SendMessageAsync(new { to = "bob" }, "let me in")).GetProperty("code").GetInt32());
        await using var b = await TestSocket.ConnectAsync(_server, _bob.Token);
        Assert.Equal(202, (await b.SendMessageAsync(new { to = "alice" }, "blocked you")).GetProperty("code").GetInt32());
        Assert.Equal(201, (await a.SendMessageAsync(new { group = groupId }, "not a member")).GetProperty("code").GetInt32());
        Assert.Equal(201, (await a.SendMessageAsync(new { conversation = $"d:{_bob.Id}:{carol.Id}" }, "not mine")).GetProperty("code").GetInt32());

        var history = await a.RequestAsync(new { type = "history", id = "h", conversation = $"d:{_bob.Id}:{carol.Id}" }, "h");
        Assert.Equal(201, history.GetProperty("code").GetInt32());
        using var ha = _server.CreateHttpClient(_alice.Token);
        await ha.GetJsonAsync($"api/conversations/d:{_bob.Id}:{carol.Id}/messages").Expect(HttpStatusCode.Forbidden);
        await ha.GetJsonAsync($"api/conversations/g:{groupId}/messages").Expect(HttpStatusCode.Forbidden);
        await ha.GetJsonAsync($"api/groups/{groupId}/members").Expect(HttpStatusCode.Forbidden);
        await ha.PostJsonAsync($"api/conversations/g:{groupId}/read", new { seq = 1 }).Expect(HttpStatusCode.Forbidden);
        await ha.PostJsonAsync("api/messages", new { conversation = $"d:{_bob.Id}:{carol.Id}", text = "x" }).Expect(HttpStatusCode.Forbidden);
        Assert.Equal(201, (await a.RequestAsync(new { type = "online", id = "o", group = groupId }, "o")).GetProperty("code").GetInt32());

        await hb.DeleteJsonAsync("api/blocks/alice").Expect(HttpStatusCode.NoContent);
        Assert.Equal("ack", (await a.SendMessageAsync(new { to = "bob" }, "unblocked")).GetProperty("type").GetString());
    }

    [Fact]
    public async Task Friends_only_setting_refuses_strangers_with_203()
    {
        await using var server = await ParleyTestServer.StartAsync(new Dictionary<string, string?> { ["Parley:Messaging:DirectMessages"] = "FriendsOnly" });
        var alice = await server.CreateUserAsync("alice");
        var bob = await server.CreateUserAsync("bob");
        await using var a = await TestSocket.ConnectAsync(server, alice.Token);
        Assert.Equal(203, (await a.SendMessageAsync(new { to = "bob" }, "hello stranger")).GetProperty("code").GetInt32());
        await Http.BefriendAsync(server, alice, bob);
        Assert.Equal("ack", (await a.SendMessageAsync(new { to = "bob" }, "hello friend")).GetProperty("type").GetString());
    }

    [Fact]
    public async Task A_users_own_friends_only_setting_applies_too()
    {
        using var hb = _server.CreateHttpClient(_bob.Token);
        await hb.PatchJsonAsync("api/me", new { directMessages = "friendsOnly" }).Expect(HttpStatusCode.OK);
        await using var a = await TestSocket.ConnectAsync(_server, _alice.Token);
        Assert.Equal(203, (await a.SendMessageAsync(new { to = "bob" }, "hi")).GetProperty("code").GetInt32());
    }
}
