using Microsoft.Extensions.DependencyInjection;
using Parley.Abstractions.Hooks;
using Parley.IntegrationTests.Infrastructure;
using Parley.Protocol.Stomp;

namespace Parley.IntegrationTests.Stomp;

/// <summary>Free topics are guarded by <see cref="ParleyHooks.AuthorizeTopicAsync"/>; presence reaches co-members.</summary>
public sealed class StompPolicyTests : IAsyncLifetime
{
    private ParleyTestServer _server = null!;

    private sealed class TopicPolicy : ParleyHooks
    {
        // Anyone may listen to /topic/news; only "editor*" accounts may publish there; /topic/secret is closed.
        public override ValueTask<bool> AuthorizeTopicAsync(IConnectionInfo connection, string destination, bool publish, CancellationToken ct) =>
            ValueTask.FromResult(destination switch
            {
                "/topic/news" => !publish || connection.UserName.StartsWith("editor", StringComparison.Ordinal),
                "/topic/secret" => false,
                _ => true,
            });
    }

    public async Task InitializeAsync() =>
        _server = await ParleyTestServer.StartAsync(services: s => s.AddSingleton<ParleyHooks, TopicPolicy>());

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task The_topic_hook_decides_who_may_subscribe_and_publish()
    {
        var editor = await _server.CreateUserAsync("editor1");
        var reader = await _server.CreateUserAsync("reader1");
        var (e, _) = await RawStompClient.ConnectAsync(_server, editor.Token);
        var (r, _) = await RawStompClient.ConnectAsync(_server, reader.Token);
        await using var _e = e;
        await using var _r = r;
        await r.SubscribeAsync("n", "/topic/news");
        await r.SubscribeAsync("x", "/user/queue/errors");

        await r.SendAsync("SEND\ndestination:/topic/news\n\nfake news\0");
        var refused = await r.NextAsync(StompCommand.Message);
        Assert.Equal("/user/queue/errors", refused.GetHeader("destination"));
        Assert.Contains("\"code\":204", System.Text.Encoding.UTF8.GetString(refused.Body.Span));

        await e.SendAsync("SEND\ndestination:/topic/news\n\nreal news\0");
        var news = await r.NextAsync(StompCommand.Message);
        Assert.Equal("/topic/news", news.GetHeader("destination"));
        Assert.Equal("real news", System.Text.Encoding.UTF8.GetString(news.Body.Span));

        await e.SendAsync("SUBSCRIBE\nid:s\ndestination:/topic/secret\n\n\0");
        Assert.Contains("not allowed", (await e.NextAsync(StompCommand.Error)).GetHeader("message"));
    }

    [Fact]
    public async Task Presence_of_fellow_group_members_arrives_on_topic_presence()
    {
        var alice = await _server.CreateUserAsync("palice");
        var bob = await _server.CreateUserAsync("pbob");
        using (var http = _server.CreateHttpClient(alice.Token))
        {
            var created = await System.Net.Http.Json.HttpClientJsonExtensions.PostAsJsonAsync(http, "api/groups", new { name = "presence" });
            created.EnsureSuccessStatusCode();
            var id = System.Text.Json.JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetInt64();
            using var b = _server.CreateHttpClient(bob.Token);
            (await b.PostAsync($"api/groups/{id}/join", null)).EnsureSuccessStatusCode();
        }
        var (a, _) = await RawStompClient.ConnectAsync(_server, alice.Token);
        await using var _a = a;
        await a.SubscribeAsync("p", "/topic/presence");

        await using var native = await TestSocket.ConnectAsync(_server, bob.Token);

        var presence = System.Text.Json.JsonDocument.Parse((await a.NextAsync(StompCommand.Message)).Body).RootElement;
        Assert.Equal(bob.Id, presence.GetProperty("user").GetInt64());
        Assert.True(presence.GetProperty("online").GetBoolean());
    }
}
