using System.Net;
using Parley.IntegrationTests.Infrastructure;

namespace Parley.IntegrationTests;

/// <summary>User and group search (for the web page's "start a chat" and "find a group").</summary>
public sealed class SearchTests : IAsyncLifetime
{
    private ParleyTestServer _server = null!;
    private TestUser _alice = null!, _alfred = null!, _bob = null!;
    private HttpClient _a = null!;

    public async Task InitializeAsync()
    {
        _server = await ParleyTestServer.StartAsync();
        _alice = await _server.CreateUserAsync("alice");
        _alfred = await _server.CreateUserAsync("alfred");
        _bob = await _server.CreateUserAsync("bob");
        _a = _server.CreateHttpClient(_alice.Token);
    }

    public async Task DisposeAsync()
    {
        _a.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Users_are_found_by_name_without_the_searcher_and_strangers_read_offline()
    {
        await using var alfredOnline = await TestSocket.ConnectAsync(_server, _alfred.Token);
        await using var bobOnline = await TestSocket.ConnectAsync(_server, _bob.Token);
        await Http.BefriendAsync(_server, _alice, _bob);

        var found = await _a.GetJsonAsync("api/users?q=AL").Expect(HttpStatusCode.OK);
        Assert.Equal(["alfred"], found.EnumerateArray().Select(u => u.GetProperty("account").GetString()));
        // alfred is online, but not alice's friend: his presence is not hers to see
        Assert.False(found[0].GetProperty("online").GetBoolean());
        Assert.Equal("ALFRED", found[0].GetProperty("displayName").GetString());

        var bob = await _a.GetJsonAsync("api/users?q=bob").Expect(HttpStatusCode.OK);
        Assert.True(bob[0].GetProperty("online").GetBoolean());

        Assert.Empty((await _a.GetJsonAsync("api/users?q=zzz").Expect(HttpStatusCode.OK)).EnumerateArray());
        Assert.Single((await _a.GetJsonAsync("api/users?q=a&limit=1").Expect(HttpStatusCode.OK)).EnumerateArray());
    }

    [Theory]
    [InlineData("api/users")]
    [InlineData("api/users?q=")]
    [InlineData("api/users?q=%20%20")]
    [InlineData("api/groups/search")]
    [InlineData("api/groups/search?q=")]
    public async Task Search_without_text_is_refused(string path)
    {
        var problem = await _a.GetJsonAsync(path).Expect(HttpStatusCode.BadRequest);
        Assert.Contains("q", problem.GetProperty("title").GetString());
        Assert.True(problem.GetProperty("errors").TryGetProperty("q", out _));
    }

    [Fact]
    public async Task Hostile_search_input_is_refused_or_matched_literally()
    {
        await _a.GetJsonAsync("api/users?q=" + new string('a', 65)).Expect(HttpStatusCode.BadRequest);
        await _a.GetJsonAsync("api/groups/search?q=" + new string('a', 65)).Expect(HttpStatusCode.BadRequest);
        Assert.Empty((await _a.GetJsonAsync("api/users?q=%25").Expect(HttpStatusCode.OK)).EnumerateArray());
        Assert.Empty((await _a.GetJsonAsync("api/users?q=_").Expect(HttpStatusCode.OK)).EnumerateArray());
        Assert.Empty((await _a.GetJsonAsync("api/users?q=%27%20OR%201%3D1--").Expect(HttpStatusCode.OK)).EnumerateArray());
        await _a.GetJsonAsync("api/users?q=a&limit=abc").Expect(HttpStatusCode.BadRequest);
        // limits outside 1..50 are clamped, not errors
        Assert.Single((await _a.GetJsonAsync("api/users?q=alf&limit=-5").Expect(HttpStatusCode.OK)).EnumerateArray());
        await _server.CreateUserAsync("barbara");
        Assert.Equal(["barbara", "bob"], (await _a.GetJsonAsync("api/users?q=b&limit=100000").Expect(HttpStatusCode.OK)).EnumerateArray()
            .Select(u => u.GetProperty("account").GetString()).Order());
    }

    [Fact]
    public async Task Search_needs_a_token()
    {
        using var anonymous = _server.CreateHttpClient();
        await anonymous.GetJsonAsync("api/users?q=alice").Expect(HttpStatusCode.Unauthorized);
        await anonymous.GetJsonAsync("api/groups/search?q=x").Expect(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Only_open_live_groups_are_found_with_member_counts()
    {
        using var b = _server.CreateHttpClient(_bob.Token);
        var open = await b.PostJsonAsync("api/groups", new { name = "Hiking club" }).Expect(HttpStatusCode.Created);
        await b.PostJsonAsync("api/groups", new { name = "Hiking leaders", inviteOnly = true }).Expect(HttpStatusCode.Created);
        var gone = await b.PostJsonAsync("api/groups", new { name = "Hiking 2019" }).Expect(HttpStatusCode.Created);
        await b.DeleteJsonAsync($"api/groups/{gone.GetProperty("id").GetInt64()}").Expect(HttpStatusCode.NoContent);
        await _a.PostJsonAsync($"api/groups/{open.GetProperty("id").GetInt64()}/join").Expect(HttpStatusCode.OK);

        var found = await _a.GetJsonAsync("api/groups/search?q=hiking").Expect(HttpStatusCode.OK);
        Assert.Equal(1, found.GetArrayLength());
        Assert.Equal("Hiking club", found[0].GetProperty("name").GetString());
        Assert.Equal(2, found[0].GetProperty("memberCount").GetInt32());
    }
}
