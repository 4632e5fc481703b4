using System.Net;
using System.Text.Json;
using Parley.IntegrationTests.Infrastructure;

namespace Parley.IntegrationTests;

public sealed class AccountTests : IAsyncLifetime
{
    private ParleyTestServer _server = null!;

    public async Task InitializeAsync() => _server = await ParleyTestServer.StartAsync(new Dictionary<string, string?> { ["Parley:Admins:0"] = "root" });
    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Register_validates_and_refuses_duplicates_case_insensitively()
    {
        using var http = _server.CreateHttpClient();
        var created = await http.PostJsonAsync("api/auth/register", new { account = "Carol", password = "secret-pass", displayName = "Carol C" }).Expect(HttpStatusCode.Created);
        Assert.Equal("carol", created.GetProperty("account").GetString());
        Assert.False(created.TryGetProperty("passwordHash", out _));

        var dup = await http.PostJsonAsync("api/auth/register", new { account = "CAROL", password = "secret-pass" }).Expect(HttpStatusCode.Conflict);
        Assert.Equal(409, dup.GetProperty("status").GetInt32());

        var bad = await http.PostJsonAsync("api/auth/register", new { account = "9lives", password = "short" }).Expect(HttpStatusCode.BadRequest);
        Assert.True(bad.GetProperty("errors").TryGetProperty("account", out _));
        Assert.True(bad.GetProperty("errors").TryGetProperty("password", out _));

        await http.SendJsonAsync(HttpMethod.Post, "api/auth/register", null).Expect(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Login_returns_a_token_with_expiry_and_wrong_passwords_get_401()
    {
        await _server.CreateUserAsync("dave");
        using var http = _server.CreateHttpClient();
        var login = await http.PostJsonAsync("api/auth/login", new { account = "dave", password = "password123" }).Expect(HttpStatusCode.OK);
        Assert.True(login.GetProperty("expiresAt").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddDays(1));
        await http.PostJsonAsync("api/auth/login", new { account = "dave", password = "wrong-password" }).Expect(HttpStatusCode.Unauthorized);
        await http.PostJsonAsync("api/auth/login", new { account = "nobody", password = "password123" }).Expect(HttpStatusCode.Unauthorized);

        await http.GetJsonAsync("api/me").Expect(HttpStatusCode.Unauthorized);
        using var withToken = _server.CreateHttpClient(login.GetProperty("token").GetString());
        var me = await withToken.GetJsonAsync("api/me").Expect(HttpStatusCode.OK);
        Assert.Equal("dave", me.GetProperty("account").GetString());
        using var forged = _server.CreateHttpClient(login.GetProperty("token").GetString()![..^4] + "AAAA");
        await forged.GetJsonAsync("api/me").Expect(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Profile_update_and_password_change_revokes_older_tokens()
    {
        var erin = await _server.CreateUserAsync("erin");
        using var http = _server.CreateHttpClient(erin.Token);
        var updated = await http.PatchJsonAsync("api/me", new { displayName = "Erin E.", bio = "hi", directMessages = "friendsOnly" }).Expect(HttpStatusCode.OK);
        Assert.Equal("Erin E.", updated.GetProperty("displayName").GetString());
        Assert.Equal("friendsOnly", updated.GetProperty("directMessages").GetString());
        await http.PatchJsonAsync("api/me", new { displayName = new string('x', 65) }).Expect(HttpStatusCode.BadRequest);

        await http.PutJsonAsync("api/me/password", new { currentPassword = "wrong-one", newPassword = "another-pass" }).Expect(HttpStatusCode.Forbidden);
        var changed = await http.PutJsonAsync("api/me/password", new { currentPassword = "password123", newPassword = "another-pass" }).Expect(HttpStatusCode.OK);
        await http.GetJsonAsync("api/me").Expect(HttpStatusCode.Unauthorized);
        using var fresh = _server.CreateHttpClient(changed.GetProperty("token").GetString());
        await fresh.GetJsonAsync("api/me").Expect(HttpStatusCode.OK);
        await _server.LoginAsync("erin", "another-pass");
    }

    [Fact]
    public async Task Logout_revokes_the_token_everywhere_and_closes_its_connections()
    {
        var frank = await _server.CreateUserAsync("frank");
        var otherSession = await _server.LoginAsync("frank");
        await using var socket = await TestSocket.ConnectAsync(_server, frank.Token);
        await using var otherSocket = await TestSocket.ConnectAsync(_server, otherSession.Token);
        using var http = _server.CreateHttpClient(frank.Token);

        await http.PostJsonAsync("api/auth/logout").Expect(HttpStatusCode.NoContent);

        Assert.Equal(4002, (int?)await socket.ClosedAsync());
        Assert.Equal("logged_out", socket.CloseReason);
        await http.GetJsonAsync("api/me").Expect(HttpStatusCode.Unauthorized);
        var refused = await Assert.ThrowsAnyAsync<Exception>(() => TestSocket.ConnectAsync(_server, frank.Token));
        Assert.Contains("401", refused.Message);

        // The other session (another token) is unaffected until "everywhere".
        Assert.Equal("pong", (await otherSocket.RequestAsync(new { type = "ping", id = "p" }, "p")).GetProperty("type").GetString());
        using var other = _server.CreateHttpClient(otherSession.Token);
        await other.PostJsonAsync("api/auth/logout?everywhere=true").Expect(HttpStatusCode.NoContent);
        Assert.Equal(4002, (int?)await otherSocket.ClosedAsync());
    }

    [Fact]
    public async Task Admins_list_connections_kick_and_disable()
    {
        var root = await _server.CreateUserAsync("root");
        var gina = await _server.CreateUserAsync("gina");
        using var admin = _server.CreateHttpClient(root.Token);
        using var plain = _server.CreateHttpClient(gina.Token);
        await plain.GetJsonAsync("api/admin/connections").Expect(HttpStatusCode.Forbidden);

        await using (var socket = await TestSocket.ConnectAsync(_server, gina.Token))
        {
            var connections = await admin.GetJsonAsync("api/admin/connections").Expect(HttpStatusCode.OK);
            Assert.Contains(connections.EnumerateArray(), c => c.GetProperty("account").GetString() == "gina" && c.GetProperty("transport").GetString() == "ws");
            var online = await admin.GetJsonAsync("api/admin/online").Expect(HttpStatusCode.OK);
            Assert.Contains(online.EnumerateArray(), u => u.GetProperty("account").GetString() == "gina");

            var kicked = await admin.PostJsonAsync("api/admin/users/gina/kick").Expect(HttpStatusCode.OK);
            Assert.Equal(1, kicked.GetProperty("closed").GetInt32());
            Assert.Equal(4003, (int?)await socket.ClosedAsync());
            Assert.Equal("kicked", socket.CloseReason);
        }

        await using (var socket = await TestSocket.ConnectAsync(_server, gina.Token))
        {
            await admin.PostJsonAsync("api/admin/users/gina/disable").Expect(HttpStatusCode.NoContent);
            Assert.Equal(4004, (int?)await socket.ClosedAsync());
        }
        await plain.GetJsonAsync("api/me").Expect(HttpStatusCode.Unauthorized);
        using var anon = _server.CreateHttpClient();
        await anon.PostJsonAsync("api/auth/login", new { account = "gina", password = "password123" }).Expect(HttpStatusCode.Forbidden);
        await admin.PostJsonAsync("api/admin/users/gina/enable").Expect(HttpStatusCode.NoContent);
        await _server.LoginAsync("gina");
        await admin.PostJsonAsync("api/admin/users/nobody/kick").Expect(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Operations_endpoints_answer()
    {
        using var http = _server.CreateHttpClient();
        var health = await http.GetJsonAsync("health").Expect(HttpStatusCode.OK);
        Assert.Equal("Healthy", health.GetProperty("status").GetString());
        Assert.Equal("Healthy", health.GetProperty("checks").GetProperty("storage").GetProperty("status").GetString());
        await http.GetJsonAsync("health/live").Expect(HttpStatusCode.OK);
        await http.GetJsonAsync("health/ready").Expect(HttpStatusCode.OK);

        var openapi = await http.GetJsonAsync("openapi/v1.json").Expect(HttpStatusCode.OK);
        var paths = openapi.GetProperty("paths");
        foreach (var path in new[] { "/api/auth/register", "/api/auth/login", "/api/friends", "/api/groups", "/api/conversations", "/api/messages" })
            Assert.True(paths.TryGetProperty(path, out _), path);
        using var swagger = await http.GetAsync("swagger/index.html", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, swagger.StatusCode);

        var alice = await _server.CreateUserAsync("metricsuser");
        await _server.CreateUserAsync("metricspeer");
        await using var socket = await TestSocket.ConnectAsync(_server, alice.Token);
        await socket.SendMessageAsync(new { to = "metricspeer" }, "counted");
        var metrics = await http.GetStringAsync("metrics");
        Assert.Contains("# TYPE parley_connections gauge", metrics);
        Assert.Matches(@"parley_connections [1-9]", metrics);
        Assert.Contains("parley_connects_total{transport=\"ws\"} ", metrics);
        Assert.Matches(@"parley_messages_in_total [1-9]", metrics);
        Assert.Contains("# TYPE parley_store_commit_seconds histogram", metrics);
        Assert.Matches(@"parley_store_commit_seconds_count [1-9]", metrics);
        Assert.Contains("# TYPE parley_delivery_latency_seconds histogram", metrics);
    }

    [Fact]
    public async Task Oversize_request_bodies_get_413()
    {
        using var http = _server.CreateHttpClient();
        var huge = new string('a', 2 * 1024 * 1024);
        var (status, body) = await http.PostJsonAsync("api/auth/register", new { account = "big", password = huge });
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.Equal(JsonValueKind.Object, body.ValueKind);
    }
}
