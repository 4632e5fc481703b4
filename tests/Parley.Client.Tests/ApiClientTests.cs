using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Parley.Client.Tests;

public sealed class ApiClientTests
{
    private sealed record Seen(string Method, string Path, string? Authorization, JsonNode? Body);

    private static async Task<(FakeParleyServer Server, List<Seen> Seen)> StartAsync(Func<HttpContext, JsonNode?, Task> respond)
    {
        var server = await FakeParleyServer.StartAsync();
        var seen = new List<Seen>();
        server.RestHandler = async ctx =>
        {
            var text = await new StreamReader(ctx.Request.Body).ReadToEndAsync();
            var body = text.Length > 0 ? JsonNode.Parse(text) : null;

            lock (seen)
            {
                seen.Add(new Seen(ctx.Request.Method, ctx.Request.Path + ctx.Request.QueryString, ctx.Request.Headers.Authorization.ToString(), body));
            }

            await respond(ctx, body);
        };
        return (server, seen);
    }

    private static Task Json(HttpContext ctx, int status, string json)
    {
        ctx.Response.StatusCode = status;
        if (json.Length == 0)
        {
            return Task.CompletedTask;
        }

        ctx.Response.ContentType = "application/json";
        return ctx.Response.WriteAsync(json);
    }

    private const string Profile = """{"id":1,"account":"alice","displayName":"Alice","avatarUrl":null,"bio":null,"directMessages":"anyone","createdAt":"2026-11-22T01:02:03Z"}""";

    [Fact]
    public async Task Login_stores_the_token_and_later_calls_send_it_as_bearer()
    {
        var (server, seen) = await StartAsync((ctx, _) => ctx.Request.Path.Value switch
        {
            "/api/auth/login" => Json(ctx, 200, $$"""{"token":"jwt-1","expiresAt":1763777777000,"user":{{Profile}}}"""),
            "/api/me" => Json(ctx, 200, Profile),
            _ => Json(ctx, 204, ""),
        });
        await using var _ = server;
        using var api = new ParleyApiClient(server.BaseUri);

        var login = await api.LoginAsync("alice", "secret-pw").WaitAsync(FakeParleyServer.Timeout);
        var me = await api.GetMeAsync().WaitAsync(FakeParleyServer.Timeout);

        Assert.Equal("jwt-1", login.Token);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1763777777000), login.ExpiresAt);
        Assert.Equal("jwt-1", api.AccessToken);
        Assert.Equal(new DateTimeOffset(2026, 11, 22, 1, 2, 3, TimeSpan.Zero), me.CreatedAt);
        Assert.Equal("", seen[0].Authorization);
        Assert.Equal("alice", (string?)seen[0].Body!["account"]);
        Assert.Equal("Bearer jwt-1", seen[1].Authorization);
        Assert.Equal("GET", seen[1].Method);
    }

    [Fact]
    public async Task Problem_details_become_ParleyApiException()
    {
        var (server, _) = await StartAsync((ctx, _) =>
        {
            ctx.Response.StatusCode = 400;
            ctx.Response.ContentType = "application/problem+json";
            return ctx.Response.WriteAsync("""{"type":"about:blank","title":"Invalid","status":400,"detail":"bad account","errors":{"account":["too short"]}}""");
        });
        await using var _ = server;
        using var api = new ParleyApiClient(server.BaseUri);

        var ex = await Assert.ThrowsAsync<ParleyApiException>(() => api.RegisterAsync("a", "pw", "A").WaitAsync(FakeParleyServer.Timeout));

        Assert.Equal(HttpStatusCode.BadRequest, ex.StatusCode);
        Assert.Equal("Invalid", ex.Title);
        Assert.Equal("bad account", ex.Detail);
        Assert.Equal(["too short"], ex.Errors["account"]);
    }

    [Fact]
    public async Task Non_json_error_still_maps_status()
    {
        var (server, _) = await StartAsync((ctx, _) => { ctx.Response.StatusCode = 409; return Task.CompletedTask; });
        await using var _ = server;
        using var api = new ParleyApiClient(server.BaseUri) { AccessToken = "t" };

        var ex = await Assert.ThrowsAsync<ParleyApiException>(() => api.BlockAsync("bob").WaitAsync(FakeParleyServer.Timeout));
        Assert.Equal(HttpStatusCode.Conflict, ex.StatusCode);
    }

    [Fact]
    public async Task Paths_queries_and_bodies_follow_the_document()
    {
        var (server, seen) = await StartAsync((ctx, _) => ctx.Request.Path.Value switch
        {
            "/api/messages" => Json(ctx, 201, """{"conversation":"d:1:2","seq":3,"messageId":"m","ts":5,"duplicate":false}"""),
            "/api/conversations/d:1:2/messages" => Json(ctx, 200, """{"messages":[],"hasMore":false}"""),
            "/api/friends/requests" => Json(ctx, 201, """{"id":4,"from":{"id":1,"account":"alice","displayName":"A","avatarUrl":null,"online":true},"to":{"id":2,"account":"bob","displayName":"B","avatarUrl":null,"online":false},"message":"hi","status":"pending","direction":"outgoing","createdAt":"2026-01-01T00:00:00Z"}"""),
            "/api/groups/7/members" => Json(ctx, 200, """[{"userId":1,"account":"alice","displayName":"A","role":"owner","joinedAt":"2026-01-01T00:00:00Z","online":true}]"""),
            "/api/conversations" => Json(ctx, 200, """[{"conversation":"g:7","lastSeq":9,"deliveredSeq":8,"readSeq":7,"unread":2,"lastMessage":null,"group":{"id":7,"name":"team"}}]"""),
            _ => Json(ctx, 204, ""),
        });
        await using var _ = server;
        using var api = new ParleyApiClient(server.BaseUri) { AccessToken = "t" };
        var timeout = FakeParleyServer.Timeout;

        var sent = await api.SendMessageAsync(to: "42", text: "hi").WaitAsync(timeout);
        var page = await api.GetMessagesAsync("d:1:2", before: 10, limit: 20).WaitAsync(timeout);
        var request = await api.SendFriendRequestAsync("bob", "hi").WaitAsync(timeout);
        var members = await api.GetGroupMembersAsync(7).WaitAsync(timeout);
        var conversations = await api.GetConversationsAsync(10).WaitAsync(timeout);
        await api.MarkReadAsync("d:1:2", 3).WaitAsync(timeout);
        await api.InviteToGroupAsync(7, "bob").WaitAsync(timeout);
        await api.RemoveGroupMemberAsync(7, "bob").WaitAsync(timeout);
        await api.LogoutAsync(everywhere: true).WaitAsync(timeout);

        Assert.Equal(3, sent.Seq);
        Assert.False(page.HasMore);
        Assert.Equal("bob", request.To.Account);
        Assert.Equal("owner", Assert.Single(members).Role);
        Assert.Equal(new GroupRef(7, "team"), Assert.Single(conversations).Group);
        Assert.Null(api.AccessToken);
        Assert.Equal("42", (string?)seen[0].Body!["to"]);
        Assert.Null(seen[0].Body!["group"]);
        Assert.NotNull((string?)seen[0].Body!["clientMsgId"]);
        Assert.Equal("/api/conversations/d:1:2/messages?before=10&limit=20", seen[1].Path);
        Assert.Equal("/api/conversations?limit=10", seen[4].Path);
        Assert.Equal(3, (long?)seen[5].Body!["seq"]);
        Assert.Equal("bob", (string?)seen[6].Body!["user"]);
        Assert.Equal(("DELETE", "/api/groups/7/members/bob"), (seen[7].Method, seen[7].Path));
        Assert.Equal(("POST", "/api/auth/logout?everywhere=true"), (seen[8].Method, seen[8].Path));
    }
}
