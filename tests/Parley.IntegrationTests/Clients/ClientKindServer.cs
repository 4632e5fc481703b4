using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Parley.IntegrationTests.Infrastructure;

namespace Parley.IntegrationTests.Clients;

/// <summary>The real server with client kinds configured, an administrator, and helpers for client tokens.</summary>
public static class ClientKindServer
{
    public const string KioskSecret = "kiosk-secret-0123456789";
    public const string ScreenSecret = "screen-secret-0123456789";
    public const string SlowSecret = "slow-secret-0123456789ab";

    /// <summary>
    /// Kinds: <c>kiosk</c> (defaults), <c>screen</c> (users allowed, duplicates refused), <c>slow</c> (2 frames/s, burst 3,
    /// never closed for flooding).
    /// </summary>
    public static Task<ParleyTestServer> StartAsync(IDictionary<string, string?>? extra = null, Action<IServiceCollection>? services = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Parley:Admins:0"] = "root",
            ["Parley:Clients:Kinds:kiosk:Secret"] = KioskSecret,
            ["Parley:Clients:Kinds:screen:Secret"] = ScreenSecret,
            ["Parley:Clients:Kinds:screen:AllowUser"] = "true",
            ["Parley:Clients:Kinds:screen:OnDuplicate"] = "RejectNew",
            ["Parley:Clients:Kinds:slow:Secret"] = SlowSecret,
            ["Parley:Clients:Kinds:slow:RatePerSecond"] = "2",
            ["Parley:Clients:Kinds:slow:RateBurst"] = "3",
            ["Parley:Clients:Kinds:slow:FloodDropThreshold"] = "1000000",
        };
        foreach (var (k, v) in extra ?? new Dictionary<string, string?>()) settings[k] = v;
        return ParleyTestServer.StartAsync(settings, services);
    }

    public static string SecretOf(string kind) => kind switch
    {
        "kiosk" => KioskSecret,
        "screen" => ScreenSecret,
        "slow" => SlowSecret,
        _ => throw new ArgumentException(kind),
    };

    public static async Task<string> ClientTokenAsync(this ParleyTestServer server, string kind, string clientId, string? userToken = null)
    {
        using var http = server.CreateHttpClient(userToken);
        var body = await http.PostJsonAsync("api/clients/token", new { kind, clientId, secret = SecretOf(kind) }).Expect(HttpStatusCode.OK);
        return body.GetProperty("token").GetString()!;
    }

    public static async Task<TestSocket> ConnectClientAsync(this ParleyTestServer server, string kind, string clientId) =>
        await TestSocket.ConnectAsync(server, await server.ClientTokenAsync(kind, clientId));

    /// <summary>HTTP status of a WebSocket upgrade attempt at /ws (101 when it succeeded).</summary>
    public static async Task<HttpStatusCode> UpgradeStatusAsync(this ParleyTestServer server, string token)
    {
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        try
        {
            await socket.ConnectAsync(new Uri(server.WebSocketUri + "?access_token=" + Uri.EscapeDataString(token)), CancellationToken.None).WaitAsync(TestSocket.Timeout);
            await socket.CloseQuietlyAsync();
        }
        catch (WebSocketException)
        {
        }
        return socket.HttpStatusCode;
    }

    /// <summary>POST /api/admin/calls as the administrator.</summary>
    public static async Task<(HttpStatusCode Status, JsonElement Body)> AdminCallAsync(this ParleyTestServer server, object body)
    {
        var root = await server.AdminAsync();
        using var http = server.CreateHttpClient(root.Token);
        return await http.PostJsonAsync("api/admin/calls", body);
    }

    private static readonly SemaphoreSlim RootGate = new(1, 1);

    public static async Task<TestUser> AdminAsync(this ParleyTestServer server)
    {
        await RootGate.WaitAsync();
        try
        {
            using var http = server.CreateHttpClient();
            var login = await http.PostAsJsonAsync("api/auth/login", new { account = "root", password = "password123" });
            return login.IsSuccessStatusCode ? await server.LoginAsync("root") : await server.CreateUserAsync("root");
        }
        finally
        {
            RootGate.Release();
        }
    }
}
