using System.Net;
using Parley.IntegrationTests.Infrastructure;

namespace Parley.IntegrationTests;

public sealed class SocialGraphTests : IAsyncLifetime
{
    private ParleyTestServer _server = null!;
    private TestUser _alice = null!, _bob = null!, _carol = null!;
    private HttpClient _a = null!, _b = null!, _c = null!;

    public async Task InitializeAsync()
    {
        _server = await ParleyTestServer.StartAsync();
        _alice = await _server.CreateUserAsync("alice");
        _bob = await _server.CreateUserAsync("bob");
        _carol = await _server.CreateUserAsync("carol");
        (_a, _b, _c) = (_server.CreateHttpClient(_alice.Token), _server.CreateHttpClient(_bob.Token), _server.CreateHttpClient(_carol.Token));
    }

    public async Task DisposeAsync()
    {
        _a.Dispose(); _b.Dispose(); _c.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Friend_requests_go_through_their_lifecycle()
    {
        var request = await _a.PostJsonAsync("api/friends/requests", new { user = "bob", message = "hi!" }).Expect(HttpStatusCode.Created);
        Assert.Equal("outgoing", request.GetProperty("direction").GetString());
        Assert.Equal("pending", request.GetProperty("status").GetString());
        var id = request.GetProperty("id").GetInt64();

        var incoming = await _b.GetJsonAsync("api/friends/requests").Expect(HttpStatusCode.OK);
        Assert.Equal("incoming", incoming[0].GetProperty("direction").GetString());
        Assert.Equal("alice", incoming[0].GetProperty("from").GetProperty("account").GetString());

        await _a.PostJsonAsync($"api/friends/requests/{id}/accept").Expect(HttpStatusCode.Forbidden);
        await _c.PostJsonAsync($"api/friends/requests/{id}/accept").Expect(HttpStatusCode.NotFound);
        var accepted = await _b.PostJsonAsync($"api/friends/requests/{id}/accept").Expect(HttpStatusCode.OK);
        Assert.Equal("accepted", accepted.GetProperty("status").GetString());
        await _b.PostJsonAsync($"api/friends/requests/{id}/accept").Expect(HttpStatusCode.Conflict);
        Assert.Equal("bob", (await _a.GetJsonAsync("api/friends").Expect(HttpStatusCode.OK))[0].GetProperty("account").GetString());
        await _a.PostJsonAsync("api/friends/requests", new { user = "bob" }).Expect(HttpStatusCode.Conflict);

        await _a.DeleteJsonAsync("api/friends/bob").Expect(HttpStatusCode.NoContent);
        await _a.DeleteJsonAsync("api/friends/bob").Expect(HttpStatusCode.NotFound);
        Assert.Equal(0, (await _b.GetJsonAsync("api/friends").Expect(HttpStatusCode.OK)).GetArrayLength());

        var declined = await _c.PostJsonAsync("api/friends/requests", new { user = _alice.Id.ToString() }).Expect(HttpStatusCode.Created);
        await _a.PostJsonAsync($"api/friends/requests/{declined.GetProperty("id").GetInt64()}/decline").Expect(HttpStatusCode.OK);
        var cancelled = await _c.PostJsonAsync("api/friends/requests", new { user = "bob" }).Expect(HttpStatusCode.Created);
        await _b.DeleteJsonAsync($"api/friends/requests/{cancelled.GetProperty("id").GetInt64()}").Expect(HttpStatusCode.NotFound);
        await _c.DeleteJsonAsync($"api/friends/requests/{cancelled.GetProperty("id").GetInt64()}").Expect(HttpStatusCode.NoContent);
        Assert.Equal(0, (await _b.GetJsonAsync("api/friends/requests").Expect(HttpStatusCode.OK)).GetArrayLength());

        // Asking someone who already asked you makes you friends at once.
        await _b.PostJsonAsync("api/friends/requests", new { user = "carol" }).Expect(HttpStatusCode.Created);
        var mutual = await _c.PostJsonAsync("api/friends/requests", new { user = "bob" }).Expect(HttpStatusCode.Created);
        Assert.Equal("accepted", mutual.GetProperty("status").GetString());

        await _a.PostJsonAsync("api/friends/requests", new { user = "alice" }).Expect(HttpStatusCode.BadRequest);
        await _a.PostJsonAsync("api/friends/requests", new { user = "ghost" }).Expect(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Blocks_are_listed_and_stop_friend_requests()
    {
        await _a.PutJsonAsync("api/blocks/bob").Expect(HttpStatusCode.NoContent);
        Assert.Equal("bob", (await _a.GetJsonAsync("api/blocks").Expect(HttpStatusCode.OK))[0].GetProperty("account").GetString());
        await _b.PostJsonAsync("api/friends/requests", new { user = "alice" }).Expect(HttpStatusCode.Forbidden);
        await _a.DeleteJsonAsync("api/blocks/bob").Expect(HttpStatusCode.NoContent);
        await _a.DeleteJsonAsync("api/blocks/bob").Expect(HttpStatusCode.NotFound);
        await _a.PutJsonAsync("api/blocks/alice").Expect(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Groups_open_and_invite_only_membership_and_ownership()
    {
        var created = await _a.PostJsonAsync("api/groups", new { name = "  Book club  " }).Expect(HttpStatusCode.Created);
        var id = created.GetProperty("id").GetInt64();
        Assert.Equal("Book club", created.GetProperty("name").GetString());
        Assert.Equal(_alice.Id, created.GetProperty("ownerId").GetInt64());
        await _a.PostJsonAsync("api/groups", new { name = "" }).Expect(HttpStatusCode.BadRequest);

        await _b.PostJsonAsync($"api/groups/{id}/join").Expect(HttpStatusCode.OK);
        await _b.PatchJsonAsync($"api/groups/{id}", new { name = "mine now" }).Expect(HttpStatusCode.Forbidden);
        var renamed = await _a.PatchJsonAsync($"api/groups/{id}", new { name = "Readers", inviteOnly = true }).Expect(HttpStatusCode.OK);
        Assert.True(renamed.GetProperty("inviteOnly").GetBoolean());

        await _c.GetJsonAsync($"api/groups/{id}").Expect(HttpStatusCode.NotFound);
        await _c.PostJsonAsync($"api/groups/{id}/join").Expect(HttpStatusCode.Forbidden);
        await _b.PostJsonAsync($"api/groups/{id}/invites", new { user = "carol" }).Expect(HttpStatusCode.Forbidden);
        await _a.PostJsonAsync($"api/groups/{id}/invites", new { user = "carol" }).Expect(HttpStatusCode.NoContent);
        Assert.Equal("Readers", (await _c.GetJsonAsync($"api/groups/{id}").Expect(HttpStatusCode.OK)).GetProperty("name").GetString());
        Assert.Equal(3, (await _c.PostJsonAsync($"api/groups/{id}/join").Expect(HttpStatusCode.OK)).GetProperty("memberCount").GetInt32());

        await using (var socket = await TestSocket.ConnectAsync(_server, _bob.Token))
        {
            var members = await _a.GetJsonAsync($"api/groups/{id}/members").Expect(HttpStatusCode.OK);
            Assert.Equal(["alice", "bob", "carol"], members.EnumerateArray().Select(m => m.GetProperty("account").GetString()));
            Assert.Equal("owner", members[0].GetProperty("role").GetString());
            Assert.True(members.EnumerateArray().Single(m => m.GetProperty("account").GetString() == "bob").GetProperty("online").GetBoolean());
            Assert.False(members.EnumerateArray().Single(m => m.GetProperty("account").GetString() == "carol").GetProperty("online").GetBoolean());
            var online = await _a.GetJsonAsync($"api/groups/{id}/online").Expect(HttpStatusCode.OK);
            Assert.Equal(["bob"], online.EnumerateArray().Select(u => u.GetProperty("account").GetString()));
        }

        await _b.DeleteJsonAsync($"api/groups/{id}/members/carol").Expect(HttpStatusCode.Forbidden);
        await _a.DeleteJsonAsync($"api/groups/{id}/members/carol").Expect(HttpStatusCode.NoContent);
        await _c.GetJsonAsync($"api/groups/{id}/members").Expect(HttpStatusCode.Forbidden);
        Assert.Equal(0, (await _c.GetJsonAsync("api/groups").Expect(HttpStatusCode.OK)).GetArrayLength());

        // The owner leaving hands the group to the longest-standing member.
        await _a.PostJsonAsync($"api/groups/{id}/leave").Expect(HttpStatusCode.NoContent);
        var after = await _b.GetJsonAsync($"api/groups/{id}").Expect(HttpStatusCode.OK);
        Assert.Equal(_bob.Id, after.GetProperty("ownerId").GetInt64());
        await _b.DeleteJsonAsync($"api/groups/{id}").Expect(HttpStatusCode.NoContent);
        await _b.GetJsonAsync($"api/groups/{id}").Expect(HttpStatusCode.NotFound);
        await _b.PostJsonAsync($"api/groups/{id}/join").Expect(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Leaving_a_group_stops_its_messages_and_its_history()
    {
        var id = await Http.GroupAsync(_server, _alice, _bob);
        await using var a = await TestSocket.ConnectAsync(_server, _alice.Token);
        await using var b = await TestSocket.ConnectAsync(_server, _bob.Token);
        await a.SendMessageAsync(new { group = id }, "while bob is in");
        await b.MessagesAsync(1);
        await _b.PostJsonAsync($"api/groups/{id}/leave").Expect(HttpStatusCode.NoContent);
        await a.SendMessageAsync(new { group = id }, "after bob left");
        Assert.Equal(201, (await b.SendMessageAsync(new { group = id }, "can I?")).GetProperty("code").GetInt32());
        await _b.GetJsonAsync($"api/conversations/g:{id}/messages").Expect(HttpStatusCode.Forbidden);
        Assert.Single(b.Seen, f => f.GetProperty("type").GetString() == "message");
    }
}
