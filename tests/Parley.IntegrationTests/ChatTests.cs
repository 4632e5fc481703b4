using Parley.IntegrationTests.Infrastructure;

namespace Parley.IntegrationTests;

public sealed class ChatTests : IAsyncLifetime
{
    private ParleyTestServer _server = null!;

    public async Task InitializeAsync() => _server = await ParleyTestServer.StartAsync();
    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Two_users_chat_with_acks_carrying_sequence_numbers()
    {
        var alice = await _server.CreateUserAsync("alice");
        var bob = await _server.CreateUserAsync("bob");
        await using var a = await TestSocket.ConnectAsync(_server, alice.Token);
        await using var b = await TestSocket.ConnectAsync(_server, bob.Token);

        var ack1 = await a.SendMessageAsync(new { to = "bob" }, "hello bob", "c-1");
        Assert.Equal("ack", ack1.GetProperty("type").GetString());
        Assert.Equal(1, ack1.GetProperty("seq").GetInt64());
        var conversation = ack1.GetProperty("conversation").GetString();
        Assert.Equal($"d:{alice.Id}:{bob.Id}", conversation);

        var received = (await b.MessagesAsync(1))[0];
        Assert.Equal("hello bob", received.GetProperty("text").GetString());
        Assert.Equal(alice.Id, received.GetProperty("from").GetInt64());
        Assert.Equal("alice", received.GetProperty("fromName").GetString());
        Assert.Equal(1, received.GetProperty("seq").GetInt64());

        var ack2 = await b.SendMessageAsync(new { to = alice.Id }, "hi alice");
        Assert.Equal(2, ack2.GetProperty("seq").GetInt64());
        var reply = (await a.MessagesAsync(1))[0];
        Assert.Equal("hi alice", reply.GetProperty("text").GetString());
    }
}
