using System.Net;
using System.Text.Json;
using Parley.IntegrationTests.Infrastructure;
using Parley.IntegrationTests.Stomp;
using Parley.Protocol.Stomp;

namespace Parley.IntegrationTests;

/// <summary>Changes to a user's friends and groups made by someone else reach the user live, as <c>notice</c> frames.</summary>
public sealed class SocialNoticeTests : IAsyncLifetime
{
    private ParleyTestServer _server = null!;

    public async Task InitializeAsync() => _server = await ParleyTestServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static void AssertNotice(JsonElement notice, string kind, TestUser by, long? requestId = null, long? group = null)
    {
        Assert.Equal(kind, notice.GetProperty("kind").GetString());
        Assert.Equal(by.Id, notice.GetProperty("user").GetInt64());
        Assert.Equal(by.Account, notice.GetProperty("userName").GetString());
        if (requestId is not null) Assert.Equal(requestId, notice.GetProperty("requestId").GetInt64());
        else Assert.False(notice.TryGetProperty("requestId", out _));
        if (group is not null) Assert.Equal(group, notice.GetProperty("group").GetInt64());
        else Assert.False(notice.TryGetProperty("group", out _));
    }

    private static int Notices(TestSocket socket) => socket.Seen.Count(f => f.GetProperty("type").GetString() == "notice");

    [Fact]
    public async Task Friend_requests_their_answers_and_removals_are_told_to_the_other_side()
    {
        var ann = await _server.CreateUserAsync("nann");
        var ben = await _server.CreateUserAsync("nben");
        using var annHttp = _server.CreateHttpClient(ann.Token);
        using var benHttp = _server.CreateHttpClient(ben.Token);
        await using var annSocket = await TestSocket.ConnectAsync(_server, ann.Token);
        await using var benSocket = await TestSocket.ConnectAsync(_server, ben.Token);

        var first = (await annHttp.PostJsonAsync("api/friends/requests", new { user = ben.Account }).Expect(HttpStatusCode.Created)).GetProperty("id").GetInt64();
        AssertNotice(await benSocket.NextAsync("notice"), "friendRequest", ann, first);
        await benHttp.PostJsonAsync($"api/friends/requests/{first}/decline").Expect(HttpStatusCode.OK);
        AssertNotice(await annSocket.NextAsync("notice"), "friendDeclined", ben, first);

        var second = (await annHttp.PostJsonAsync("api/friends/requests", new { user = ben.Account }).Expect(HttpStatusCode.Created)).GetProperty("id").GetInt64();
        AssertNotice(await benSocket.NextAsync("notice"), "friendRequest", ann, second);
        await annHttp.DeleteJsonAsync($"api/friends/requests/{second}").Expect(HttpStatusCode.NoContent);
        AssertNotice(await benSocket.NextAsync("notice"), "friendCancelled", ann, second);

        var third = (await annHttp.PostJsonAsync("api/friends/requests", new { user = ben.Account }).Expect(HttpStatusCode.Created)).GetProperty("id").GetInt64();
        AssertNotice(await benSocket.NextAsync("notice"), "friendRequest", ann, third);
        await benHttp.PostJsonAsync($"api/friends/requests/{third}/accept").Expect(HttpStatusCode.OK);
        AssertNotice(await annSocket.NextAsync("notice"), "friendAccepted", ben, third);

        await benHttp.DeleteJsonAsync($"api/friends/{ann.Account}").Expect(HttpStatusCode.NoContent);
        AssertNotice(await annSocket.NextAsync("notice"), "friendRemoved", ben);

        // Asking someone who already asked you accepts their request: they hear it as an acceptance.
        var fourth = (await annHttp.PostJsonAsync("api/friends/requests", new { user = ben.Account }).Expect(HttpStatusCode.Created)).GetProperty("id").GetInt64();
        AssertNotice(await benSocket.NextAsync("notice"), "friendRequest", ann, fourth);
        await benHttp.PostJsonAsync("api/friends/requests", new { user = ann.Account }).Expect(HttpStatusCode.Created);
        AssertNotice(await annSocket.NextAsync("notice"), "friendAccepted", ben, fourth);

        // The one who acted hears nothing of their own doing.
        await annSocket.SendAsync(new { type = "ping", id = "p" });
        await annSocket.NextAsync("pong");
        await benSocket.SendAsync(new { type = "ping", id = "p" });
        await benSocket.NextAsync("pong");
        Assert.Equal(4, Notices(annSocket));
        Assert.Equal(5, Notices(benSocket));
    }

    [Fact]
    public async Task Group_invitations_joins_leaves_removals_and_dissolution_are_told_to_who_they_concern()
    {
        var owner = await _server.CreateUserAsync("gowner");
        var joe = await _server.CreateUserAsync("gjoe");
        var kim = await _server.CreateUserAsync("gkim");
        using var ownerHttp = _server.CreateHttpClient(owner.Token);
        using var joeHttp = _server.CreateHttpClient(joe.Token);
        using var kimHttp = _server.CreateHttpClient(kim.Token);
        await using var ownerSocket = await TestSocket.ConnectAsync(_server, owner.Token);
        await using var joeSocket = await TestSocket.ConnectAsync(_server, joe.Token);
        var (kimStomp, _) = await RawStompClient.ConnectAsync(_server, kim.Token);
        await using var _kim = kimStomp;
        await kimStomp.SubscribeAsync("n", "/user/queue/notices");

        var group = (await ownerHttp.PostJsonAsync("api/groups", new { name = "Notice board", inviteOnly = true }).Expect(HttpStatusCode.Created))
            .GetProperty("id").GetInt64();
        await ownerHttp.PostJsonAsync($"api/groups/{group}/invites", new { user = joe.Account }).Expect(HttpStatusCode.NoContent);
        var invited = await joeSocket.NextAsync("notice");
        AssertNotice(invited, "groupInvited", owner, group: group);
        Assert.Equal("Notice board", invited.GetProperty("groupName").GetString());

        await joeHttp.PostJsonAsync($"api/groups/{group}/join").Expect(HttpStatusCode.OK);
        AssertNotice(await ownerSocket.NextAsync("notice"), "memberJoined", joe, group: group);

        // A STOMP client subscribed to /user/queue/notices gets the same notices as JSON bodies.
        await ownerHttp.PostJsonAsync($"api/groups/{group}/invites", new { user = kim.Account }).Expect(HttpStatusCode.NoContent);
        var stompInvite = await kimStomp.NextAsync(StompCommand.Message);
        Assert.Equal("/user/queue/notices", stompInvite.GetHeader("destination"));
        AssertNotice(JsonDocument.Parse(stompInvite.Body).RootElement, "groupInvited", owner, group: group);
        await kimHttp.PostJsonAsync($"api/groups/{group}/join").Expect(HttpStatusCode.OK);
        AssertNotice(await ownerSocket.NextAsync("notice"), "memberJoined", kim, group: group);
        AssertNotice(await joeSocket.NextAsync("notice"), "memberJoined", kim, group: group);

        await kimHttp.PostJsonAsync($"api/groups/{group}/leave").Expect(HttpStatusCode.NoContent);
        AssertNotice(await ownerSocket.NextAsync("notice"), "memberLeft", kim, group: group);
        AssertNotice(await joeSocket.NextAsync("notice"), "memberLeft", kim, group: group);

        await ownerHttp.DeleteJsonAsync($"api/groups/{group}/members/{joe.Account}").Expect(HttpStatusCode.NoContent);
        AssertNotice(await joeSocket.NextAsync("notice"), "groupRemoved", owner, group: group);
        AssertNotice(await ownerSocket.NextAsync("notice"), "memberLeft", joe, group: group);

        await ownerHttp.PostJsonAsync($"api/groups/{group}/invites", new { user = kim.Account }).Expect(HttpStatusCode.NoContent);
        AssertNotice(JsonDocument.Parse((await kimStomp.NextAsync(StompCommand.Message)).Body).RootElement, "groupInvited", owner, group: group);
        await kimHttp.PostJsonAsync($"api/groups/{group}/join").Expect(HttpStatusCode.OK);
        AssertNotice(await ownerSocket.NextAsync("notice"), "memberJoined", kim, group: group);
        await ownerHttp.DeleteJsonAsync($"api/groups/{group}").Expect(HttpStatusCode.NoContent);
        var dissolved = JsonDocument.Parse((await kimStomp.NextAsync(StompCommand.Message)).Body).RootElement;
        AssertNotice(dissolved, "groupDissolved", owner, group: group);
    }

    [Fact]
    public async Task An_owner_leaving_tells_the_remaining_members_who_owns_the_group_now()
    {
        var owner = await _server.CreateUserAsync("nown2");
        var joe = await _server.CreateUserAsync("njoe2");
        var kim = await _server.CreateUserAsync("nkim2");
        using var ownerHttp = _server.CreateHttpClient(owner.Token);
        using var joeHttp = _server.CreateHttpClient(joe.Token);
        using var kimHttp = _server.CreateHttpClient(kim.Token);
        var group = (await ownerHttp.PostJsonAsync("api/groups", new { name = "Heirs" }).Expect(HttpStatusCode.Created)).GetProperty("id").GetInt64();
        await joeHttp.PostJsonAsync($"api/groups/{group}/join").Expect(HttpStatusCode.OK);
        await kimHttp.PostJsonAsync($"api/groups/{group}/join").Expect(HttpStatusCode.OK);
        await using var joeSocket = await TestSocket.ConnectAsync(_server, joe.Token);
        await using var kimSocket = await TestSocket.ConnectAsync(_server, kim.Token);

        await ownerHttp.PostJsonAsync($"api/groups/{group}/leave").Expect(HttpStatusCode.NoContent);
        foreach (var socket in new[] { joeSocket, kimSocket })
        {
            AssertNotice(await socket.NextAsync("notice"), "memberLeft", owner, group: group);
            var handedOver = await socket.NextAsync("notice");
            AssertNotice(handedOver, "groupOwnerChanged", joe, group: group); // joined first
            Assert.Equal("Heirs", handedOver.GetProperty("groupName").GetString());
        }

        // A member leaving who is not the owner hands nothing over.
        await kimHttp.PostJsonAsync($"api/groups/{group}/leave").Expect(HttpStatusCode.NoContent);
        AssertNotice(await joeSocket.NextAsync("notice"), "memberLeft", kim, group: group);
        // Notices are queued before the request returns, so one sent would be ahead of this pong.
        Assert.Equal("pong", (await joeSocket.RequestAsync(new { type = "ping", id = "p" }, "p")).GetProperty("type").GetString());
        await Assert.ThrowsAsync<TimeoutException>(() => joeSocket.NextAsync("notice", timeout: TimeSpan.FromMilliseconds(50)));
    }
}
