using System.Net;
using System.Net.WebSockets;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Parley.IntegrationTests.Infrastructure;

namespace Parley.IntegrationTests.Clients;

/// <summary>Client kinds on the real server: tokens, what such a connection may do, revocation, duplicates.</summary>
public sealed class ClientTokenTests : IAsyncLifetime
{
    private ParleyTestServer _server = null!;

    public async Task InitializeAsync() => _server = await ClientKindServer.StartAsync();
    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task A_device_connects_with_its_kind_token_and_has_no_user()
    {
        await using var kiosk = await _server.ConnectClientAsync("kiosk", "lobby-1");
        Assert.Equal("kiosk", kiosk.Welcome.GetProperty("clientKind").GetString());
        Assert.Equal("lobby-1", kiosk.Welcome.GetProperty("clientId").GetString());
        Assert.False(kiosk.Welcome.TryGetProperty("userId", out _));

        // Not a chat user: chat commands are refused, the connection stays.
        var send = await kiosk.RequestAsync(new { type = "send", id = "s1", to = "root", text = "hi" }, "s1");
        Assert.Equal(("error", 201), (send.GetProperty("type").GetString(), send.GetProperty("code").GetInt32()));
        foreach (var type in new[] { "sync", "history", "typing", "online" })
        {
            var reply = await kiosk.RequestAsync(new { type, id = type, conversation = "d:1:2", group = 1 }, type);
            Assert.Equal(201, reply.GetProperty("code").GetInt32());
        }
        Assert.Equal("pong", (await kiosk.RequestAsync(new { type = "ping", id = "p" }, "p")).GetProperty("type").GetString());

        var root = await _server.AdminAsync();
        using var admin = _server.CreateHttpClient(root.Token);
        var connections = await admin.GetJsonAsync("api/admin/connections").Expect(HttpStatusCode.OK);
        var listed = connections.EnumerateArray().Single(c => c.GetProperty("clientKind").GetString() == "kiosk");
        Assert.Equal(("lobby-1", 0L), (listed.GetProperty("clientId").GetString(), listed.GetProperty("userId").GetInt64()));
    }

    [Fact]
    public async Task Bad_credentials_and_bad_input_are_refused_clearly()
    {
        using var http = _server.CreateHttpClient();
        async Task<HttpStatusCode> Post(object body) => (await http.PostJsonAsync("api/clients/token", body)).Status;
        Assert.Equal(HttpStatusCode.Unauthorized, await Post(new { kind = "kiosk", clientId = "k1", secret = "wrong-secret-0000000000" }));
        Assert.Equal(HttpStatusCode.Unauthorized, await Post(new { kind = "ghost", clientId = "k1", secret = ClientKindServer.KioskSecret }));
        Assert.Equal(HttpStatusCode.Unauthorized, await Post(new { kind = "kiosk", clientId = "k1" }));
        Assert.Equal(HttpStatusCode.Unauthorized, await Post(new { kind = "kiosk", clientId = "k1", secret = new string('x', 100_000) }));
        Assert.Equal(HttpStatusCode.BadRequest, await Post(new { kind = "kiosk", clientId = "has space", secret = ClientKindServer.KioskSecret }));
        Assert.Equal(HttpStatusCode.BadRequest, await Post(new { kind = "kiosk", clientId = new string('a', 65), secret = ClientKindServer.KioskSecret }));
        Assert.Equal(HttpStatusCode.BadRequest, await Post(new { kind = "", clientId = "k1", secret = ClientKindServer.KioskSecret }));
        Assert.Equal(HttpStatusCode.BadRequest, await Post(new { kind = 5, clientId = "k1", secret = ClientKindServer.KioskSecret }));
        using var raw = new StringContent("{\"kind\":", System.Text.Encoding.UTF8, "application/json");
        Assert.Equal(HttpStatusCode.BadRequest, (await http.PostAsync("api/clients/token", raw)).StatusCode);

        // A user token naming the client is only for kinds that allow users, and must itself be valid.
        var alice = await _server.CreateUserAsync("alice");
        using var asAlice = _server.CreateHttpClient(alice.Token);
        var forbidden = await asAlice.PostJsonAsync("api/clients/token", new { kind = "kiosk", clientId = "k1", secret = ClientKindServer.KioskSecret });
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.Status);
        using var badBearer = _server.CreateHttpClient("not-a-token");
        Assert.Equal(HttpStatusCode.Unauthorized,
            (await badBearer.PostJsonAsync("api/clients/token", new { kind = "screen", clientId = "s1", secret = ClientKindServer.ScreenSecret })).Status);

        // Client tokens do not open REST or the other transports' user endpoints.
        var device = await _server.ClientTokenAsync("kiosk", "k1");
        using var asDevice = _server.CreateHttpClient(device);
        Assert.Equal(HttpStatusCode.Unauthorized, (await asDevice.GetJsonAsync("api/me")).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, await _server.UpgradeStatusAsync("garbage.token.value"));
    }

    [Fact]
    public async Task A_token_that_names_a_user_chats_as_that_user()
    {
        var alice = await _server.CreateUserAsync("alice");
        var bob = await _server.CreateUserAsync("bob");
        await using var bobSocket = await TestSocket.ConnectAsync(_server, bob.Token);
        await using var screen = await TestSocket.ConnectAsync(_server, await _server.ClientTokenAsync("screen", "desk-3", alice.Token));
        Assert.Equal(alice.Id, screen.Welcome.GetProperty("userId").GetInt64());
        Assert.Equal("desk-3", screen.Welcome.GetProperty("clientId").GetString());

        var ack = await screen.SendMessageAsync(new { to = "bob" }, "from the desk");
        Assert.Equal("ack", ack.GetProperty("type").GetString());
        var message = (await bobSocket.MessagesAsync(1)).Single();
        Assert.Equal("alice", message.GetProperty("fromName").GetString());

        // Logging the user out everywhere ends the client token too.
        using var asAlice = _server.CreateHttpClient(alice.Token);
        await asAlice.PostJsonAsync("api/auth/logout?everywhere=true").Expect(HttpStatusCode.NoContent);
        Assert.Equal((WebSocketCloseStatus)4002, await screen.ClosedAsync());
    }

    [Fact]
    public async Task Client_logout_revokes_the_token_and_closes_its_connection()
    {
        var token = await _server.ClientTokenAsync("kiosk", "k1");
        await using var kiosk = await TestSocket.ConnectAsync(_server, token);
        using var http = _server.CreateHttpClient(token);
        await http.PostJsonAsync("api/clients/logout").Expect(HttpStatusCode.NoContent);
        Assert.Equal((WebSocketCloseStatus)4002, await kiosk.ClosedAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, await _server.UpgradeStatusAsync(token));
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.PostJsonAsync("api/clients/logout")).Status);
        var alice = await _server.CreateUserAsync("alice");
        using var asAlice = _server.CreateHttpClient(alice.Token);
        Assert.Equal(HttpStatusCode.Unauthorized, (await asAlice.PostJsonAsync("api/clients/logout")).Status);
    }

    [Fact]
    public async Task A_second_login_replaces_the_first_unless_the_kind_refuses_duplicates()
    {
        await using var first = await _server.ConnectClientAsync("kiosk", "k1");
        await using var second = await _server.ConnectClientAsync("kiosk", "k1");
        Assert.Equal((WebSocketCloseStatus)4012, await first.ClosedAsync());
        Assert.Equal("replaced", first.CloseReason);
        Assert.Equal("pong", (await second.RequestAsync(new { type = "ping", id = "p" }, "p")).GetProperty("type").GetString());

        await using var screen = await _server.ConnectClientAsync("screen", "s1");
        Assert.Equal(HttpStatusCode.Conflict, await _server.UpgradeStatusAsync(await _server.ClientTokenAsync("screen", "s1")));
        Assert.Equal("pong", (await screen.RequestAsync(new { type = "ping", id = "p" }, "p")).GetProperty("type").GetString());
    }

    [Fact]
    public async Task Administrators_kick_a_client_and_others_may_not()
    {
        await using var kiosk = await _server.ConnectClientAsync("kiosk", "k1");
        var alice = await _server.CreateUserAsync("alice");
        using var asAlice = _server.CreateHttpClient(alice.Token);
        Assert.Equal(HttpStatusCode.Forbidden, (await asAlice.PostJsonAsync("api/admin/clients/kiosk/k1/kick")).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await asAlice.PostJsonAsync("api/admin/calls", new { kind = "kiosk", clientId = "k1", method = "m" })).Status);

        using var admin = _server.CreateHttpClient((await _server.AdminAsync()).Token);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PostJsonAsync("api/admin/clients/KIOSK/k1/kick")).Status);
        var kicked = await admin.PostJsonAsync("api/admin/clients/kiosk/k1/kick").Expect(HttpStatusCode.OK);
        Assert.Equal(1, kicked.GetProperty("closed").GetInt32());
        Assert.Equal((WebSocketCloseStatus)4003, await kiosk.ClosedAsync());
        Assert.Equal(0, (await admin.PostJsonAsync("api/admin/clients/kiosk/k1/kick").Expect(HttpStatusCode.OK)).GetProperty("closed").GetInt32());
    }

    [Fact]
    public void Bad_client_kind_settings_are_refused_at_start_without_showing_the_secret()
    {
        var configuration = new Microsoft.Extensions.Configuration.ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Parley:Clients:Kinds:Bad Kind:Secret"] = "0123456789abcdef-hidden",
            ["Parley:Clients:Kinds:tiny:Secret"] = "short-hidden",
            ["Parley:Clients:Kinds:both:Secret"] = "0123456789abcdef-hidden",
            ["Parley:Clients:Kinds:both:SecretSha256"] = new string('a', 64),
            ["Parley:Clients:Kinds:hash:SecretSha256"] = "not-hex-hidden",
            ["Parley:Clients:Kinds:rate:Secret"] = "0123456789abcdef-hidden",
            ["Parley:Clients:Kinds:rate:RateBurst"] = "0",
            ["Parley:Clients:Kinds:fine:Secret"] = "0123456789abcdef-hidden",
        }).Build();
        var options = new Core.Options.ParleyOptions();
        Microsoft.Extensions.Configuration.ConfigurationBinder.Bind(configuration.GetSection("Parley"), options);
        var result = new Server.Hosting.ParleyOptionsValidation().Validate(null, options);
        Assert.True(result.Failed);
        var text = result.FailureMessage;
        Assert.Contains("Parley:Clients:Kinds:Bad Kind: a kind name", text);
        Assert.Contains("Parley:Clients:Kinds:tiny:Secret must be at least 16 characters", text);
        Assert.Contains("Parley:Clients:Kinds:both: set exactly one of Secret and SecretSha256", text);
        Assert.Contains("Parley:Clients:Kinds:hash:SecretSha256 must be 64 hex digits", text);
        Assert.Contains("Parley:Clients:Kinds:rate:RateBurst", text);
        Assert.DoesNotContain("Kinds:fine", text);
        Assert.DoesNotContain("hidden", text);
    }
}
