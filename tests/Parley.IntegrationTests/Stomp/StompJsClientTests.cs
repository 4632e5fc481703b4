using Parley.IntegrationTests.Infrastructure;

namespace Parley.IntegrationTests.Stomp;

/// <summary>The real @stomp/stompjs and sockjs-client (npm), started by the tests, against the in-process server.</summary>
[Collection(StompCollection.Name)]
public sealed class StompJsClientTests(StompFixture fixture)
{
    private const string Script = "stomp-scenarios.js";

    [Theory]
    [InlineData("ws")]
    [InlineData("websocket")]
    [InlineData("xhr-streaming")]
    [InlineData("xhr-polling")]
    public async Task Two_users_chat_privately_and_in_a_group_with_receipts(string mode)
    {
        var alice = await fixture.UserAsync("alice");
        var bob = await fixture.UserAsync("bob");
        var group = await fixture.GroupAsync(alice, bob);

        var result = await NodeScenario.RunAsync(Script, "chat", new
        {
            baseUrl = fixture.Server.BaseUri.ToString(),
            mode,
            alice = new { token = alice.Token, account = alice.Account, id = alice.Id },
            bob = new { token = bob.Token, account = bob.Account, id = bob.Id },
            groupId = group,
        });

        result.AssertSucceeded();
        var connected = result.Event("connected");
        Assert.Equal("1.2", connected.GetProperty("version").GetString());
        Assert.Equal(alice.Account, connected.GetProperty("user").GetString());
        var ack = result.Event("ack");
        Assert.Equal($"d:{alice.Id}:{bob.Id}", ack.GetProperty("conversation").GetString());
        Assert.Equal(1, ack.GetProperty("seq").GetInt64());
        Assert.Equal("js-1", ack.GetProperty("clientMsgId").GetString());
        Assert.False(ack.GetProperty("duplicate").GetBoolean());
        var messages = result.Events.Where(e => e.GetProperty("event").GetString() == "message").ToList();
        var toBob = messages.Single(m => m.GetProperty("to").GetString() == "bob");
        Assert.Equal("/user/queue/messages", toBob.GetProperty("destination").GetString());
        Assert.Equal("application/json", toBob.GetProperty("contentType").GetString());
        Assert.Equal("hello bob", toBob.GetProperty("message").GetProperty("text").GetString());
        Assert.Equal(alice.Id, toBob.GetProperty("message").GetProperty("from").GetInt64());
        var toAlice = messages.Single(m => m.GetProperty("to").GetString() == "alice");
        Assert.Equal("hi alice", toAlice.GetProperty("message").GetProperty("text").GetString());
        Assert.Equal(2, toAlice.GetProperty("message").GetProperty("seq").GetInt64());
        var inGroup = result.Event("group");
        Assert.Equal($"/topic/groups/{group}", inGroup.GetProperty("destination").GetString());
        Assert.Equal("hello group", inGroup.GetProperty("atBob").GetProperty("text").GetString());
        Assert.Equal($"g:{group}", inGroup.GetProperty("atBob").GetProperty("conversation").GetString());
    }

    [Theory]
    [InlineData("ws")]
    [InlineData("xhr-polling")]
    public async Task A_refused_token_gets_an_error_frame(string mode)
    {
        var result = await NodeScenario.RunAsync(Script, "refused", new { baseUrl = fixture.Server.BaseUri.ToString(), mode, token = "not-a-token" });

        result.AssertSucceeded();
        Assert.Contains("unauthorized", result.Event("refused").GetProperty("message").GetString());
    }

    [Fact]
    public async Task Heart_beats_flow_both_ways_and_keep_the_session_alive()
    {
        var user = await fixture.UserAsync("beat");
        var result = await NodeScenario.RunAsync(Script, "heartbeat", new
        {
            baseUrl = fixture.Server.BaseUri.ToString(),
            token = user.Token,
            heartbeatMs = StompFixture.HeartbeatMs,
            stayMs = 3000,
        });

        result.AssertSucceeded();
        Assert.Equal($"{StompFixture.HeartbeatMs},{StompFixture.HeartbeatMs}", result.Event("connected").GetProperty("heartBeat").GetString());
        var beats = result.Event("heartbeats");
        Assert.False(beats.GetProperty("closed").GetBoolean());
        Assert.True(beats.GetProperty("serverBeats").GetInt32() >= 3, beats.GetRawText());
        Assert.True(beats.GetProperty("clientBeats").GetInt32() >= 3, beats.GetRawText());
    }
}
