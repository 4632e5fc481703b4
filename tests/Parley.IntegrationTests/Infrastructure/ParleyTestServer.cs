using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Parley.Server.Hosting;

namespace Parley.IntegrationTests.Infrastructure;

/// <summary>
/// The real server on 127.0.0.1 with an ephemeral port and its own temporary data directory. Restartable on the
/// same directory, to prove durability.
/// </summary>
public sealed class ParleyTestServer : IAsyncDisposable
{
    private readonly Dictionary<string, string?> _settings;
    private readonly Action<IServiceCollection>? _services;
    private WebApplication? _app;

    private ParleyTestServer(string dataDirectory, Dictionary<string, string?> settings, Action<IServiceCollection>? services)
    {
        DataDirectory = dataDirectory;
        _settings = settings;
        _services = services;
    }

    public string DataDirectory { get; }
    public Uri BaseUri { get; private set; } = null!;
    public Uri WebSocketUri => new(BaseUri.ToString().Replace("http://", "ws://") + "ws");
    public IServiceProvider Services => _app!.Services;

    public static async Task<ParleyTestServer> StartAsync(IDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null,
        string? dataDirectory = null)
    {
        var dir = dataDirectory ?? Path.Combine(Path.GetTempPath(), "parley-it-" + Guid.NewGuid().ToString("N"));
        var all = new Dictionary<string, string?>
        {
            ["urls"] = "http://127.0.0.1:0",
            ["Parley:DataDirectory"] = dir,
            ["Parley:Http:AuthPermitsPerMinute"] = "100000",
            ["Parley:Sqlite:Synchronous"] = "Normal",
            ["Logging:LogLevel:Default"] = "Warning",
            // MobileIMSDK gateway: ephemeral ports so test servers never collide; WebSocket only at /websocket.
            ["Parley:MobileImSdk:Udp:Port"] = "0",
            ["Parley:MobileImSdk:Tcp:Port"] = "0",
            ["Parley:MobileImSdk:WebSocket:Port"] = "-1",
        };
        foreach (var (k, v) in settings ?? new Dictionary<string, string?>()) all[k] = v;
        var server = new ParleyTestServer(dir, all, services);
        await server.StartCoreAsync();
        return server;
    }

    private async Task StartCoreAsync()
    {
        var builder = ParleyServer.CreateBuilder([], b => b.Configuration.AddInMemoryCollection(_settings));
        _services?.Invoke(builder.Services);
        _app = ParleyServer.Build(builder);
        await _app.StartAsync().WaitAsync(TimeSpan.FromSeconds(30));
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseUri = new Uri(address.TrimEnd('/') + "/");
    }

    /// <summary>Stops and starts the server on the same data directory (a new port).</summary>
    public async Task RestartAsync()
    {
        await StopAsync();
        await StartCoreAsync();
    }

    private async Task StopAsync()
    {
        if (_app is null) return;
        await _app.StopAsync().WaitAsync(TimeSpan.FromSeconds(30));
        await _app.DisposeAsync();
        _app = null;
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    }

    public HttpClient CreateHttpClient(string? token = null)
    {
        var http = new HttpClient { BaseAddress = BaseUri, Timeout = TimeSpan.FromSeconds(30) };
        if (token is not null) http.DefaultRequestHeaders.Authorization = new("Bearer", token);
        return http;
    }

    /// <summary>Registers and logs in a user; returns its id and token.</summary>
    public async Task<TestUser> CreateUserAsync(string account, string password = "password123")
    {
        using var http = CreateHttpClient();
        var register = await http.PostAsJsonAsync("api/auth/register", new { account, password, displayName = account.ToUpperInvariant() });
        if (!register.IsSuccessStatusCode) throw new InvalidOperationException($"register {account}: {(int)register.StatusCode} {await register.Content.ReadAsStringAsync()}");
        return await LoginAsync(account, password);
    }

    public async Task<TestUser> LoginAsync(string account, string password = "password123")
    {
        using var http = CreateHttpClient();
        var login = await http.PostAsJsonAsync("api/auth/login", new { account, password });
        login.EnsureSuccessStatusCode();
        var body = await login.Content.ReadFromJsonAsync<JsonElement>();
        return new TestUser(body.GetProperty("user").GetProperty("id").GetInt64(), account, body.GetProperty("token").GetString()!, password);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try { Directory.Delete(DataDirectory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

public sealed record TestUser(long Id, string Account, string Token, string Password);
