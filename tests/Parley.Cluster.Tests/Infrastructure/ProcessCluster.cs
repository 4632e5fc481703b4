using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Parley.IntegrationTests.Infrastructure;

namespace Parley.Cluster.Tests.Infrastructure;

/// <summary>
/// N real Parley node processes on free loopback ports sharing one store and a real RabbitMQ, with a plain TCP
/// balancer in front (no sticky sessions). Every process is stopped (or was killed) at the end.
/// </summary>
public sealed class ProcessCluster : IAsyncDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "parley-nodes-" + Guid.NewGuid().ToString("N")[..12]);
    private readonly Dictionary<string, string?> _settings;

    private ProcessCluster(Dictionary<string, string?> settings)
    {
        _settings = settings;
        Balancer = new TcpBalancer(() => Nodes.Where(n => !n.HasExited).Select(n => new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, n.BaseUri.Port)).ToList());
    }

    public List<NodeProcess> Nodes { get; } = [];
    public NodeProcess this[int index] => Nodes[index];
    public TcpBalancer Balancer { get; }

    /// <param name="storage">The store every node uses (PostgreSQL for a real cluster).</param>
    public static async Task<ProcessCluster> StartAsync(RabbitMqServer rabbit, IReadOnlyDictionary<string, string?> storage, int count = 3)
    {
        var exchange = "parley-proc-" + Guid.NewGuid().ToString("N")[..12];
        var settings = rabbit.Settings(exchange);
        settings["Parley:Auth:SigningKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        settings["Parley:Cluster:HeartbeatMs"] = "250";
        settings["Parley:Cluster:NodeTimeoutMs"] = "2500";
        settings["Parley:Admins:0"] = "admin";
        foreach (var (k, v) in storage) settings[k] = v;
        var cluster = new ProcessCluster(settings);
        try
        {
            // One at a time: the first creates the schema; the machine has two cores.
            for (var i = 0; i < count; i++)
                cluster.Nodes.Add(await NodeProcess.StartAsync("node" + i, settings, cluster._dir).ConfigureAwait(false));
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
        return cluster;
    }

    public HttpClient Http(int node, string? token = null)
    {
        var http = new HttpClient { BaseAddress = this[node].BaseUri, Timeout = TimeSpan.FromSeconds(30) };
        if (token is not null) http.DefaultRequestHeaders.Authorization = new("Bearer", token);
        return http;
    }

    public async Task<TestUser> CreateUserAsync(string account, int node = 0)
    {
        using var http = Http(node);
        var register = await http.PostAsJsonAsync("api/auth/register", new { account, password = "password123" });
        register.EnsureSuccessStatusCode();
        return await LoginAsync(account, node);
    }

    public async Task<TestUser> LoginAsync(string account, int node = 0)
    {
        using var http = Http(node);
        var login = await http.PostAsJsonAsync("api/auth/login", new { account, password = "password123" });
        login.EnsureSuccessStatusCode();
        var body = await login.Content.ReadFromJsonAsync<JsonElement>();
        return new TestUser(body.GetProperty("user").GetProperty("id").GetInt64(), account, body.GetProperty("token").GetString()!, "password123");
    }

    /// <summary>The nodes that hold a connection of the user (from each node's administration API).</summary>
    public async Task<List<int>> NodesHoldingAsync(string adminToken, long userId)
    {
        var result = new List<int>();
        for (var i = 0; i < Nodes.Count; i++)
        {
            if (Nodes[i].HasExited) continue;
            using var http = Http(i, adminToken);
            var connections = await http.GetFromJsonAsync<JsonElement>("api/admin/connections");
            if (connections.EnumerateArray().Any(c => c.GetProperty("userId").GetInt64() == userId)) result.Add(i);
        }
        return result;
    }

    public async ValueTask DisposeAsync()
    {
        await Balancer.DisposeAsync();
        foreach (var node in Nodes) await node.DisposeAsync();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
