using System.Net;
using System.Text.Json;
using Parley.IntegrationTests.Infrastructure;

namespace Parley.IntegrationTests;

public sealed class ConversationListTests : IAsyncLifetime
{
    private ParleyTestServer _server = null!;

    public async Task InitializeAsync() => _server = await ParleyTestServer.StartAsync();
    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task A_direct_conversation_says_how_far_the_peer_got_so_receipts_survive_a_reload()
    {
        var alice = await _server.CreateUserAsync("alice");
        var bob = await _server.CreateUserAsync("bob");
        using var a = _server.CreateHttpClient(alice.Token);
        using var b = _server.CreateHttpClient(bob.Token);
        string conversation = "";
        for (var i = 1; i <= 3; i++)
            conversation = (await a.PostJsonAsync("api/messages", new { to = "bob", text = $"m{i}" }).Expect(HttpStatusCode.Created)).GetProperty("conversation").GetString()!;

        JsonElement Direct(JsonElement list) => list.EnumerateArray().Single(c => c.GetProperty("conversation").GetString() == conversation);
        var before = Direct(await a.GetJsonAsync("api/conversations").Expect(HttpStatusCode.OK));
        Assert.Equal(0, before.GetProperty("peerReadSeq").GetInt64());

        await b.PostJsonAsync($"api/conversations/{conversation}/read", new { seq = 2 }).Expect(HttpStatusCode.NoContent);
        var after = Direct(await a.GetJsonAsync("api/conversations").Expect(HttpStatusCode.OK));
        Assert.Equal(2, after.GetProperty("peerReadSeq").GetInt64());
        Assert.True(after.GetProperty("peerDeliveredSeq").GetInt64() >= 2);
        Assert.Equal(3, after.GetProperty("lastSeq").GetInt64());

        var group = await Http.GroupAsync(_server, alice, bob);
        await a.PostJsonAsync("api/messages", new { group, text = "hello team" }).Expect(HttpStatusCode.Created);
        var inGroup = (await a.GetJsonAsync("api/conversations").Expect(HttpStatusCode.OK)).EnumerateArray()
            .Single(c => c.GetProperty("conversation").GetString() == $"g:{group}");
        // no single peer in a group (null fields are left out of the JSON)
        Assert.False(inGroup.TryGetProperty("peerReadSeq", out _));
        Assert.False(inGroup.TryGetProperty("peerDeliveredSeq", out _));
    }
}
