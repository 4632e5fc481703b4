using System.Security.Cryptography;
using Parley.IntegrationTests.Infrastructure;

namespace Parley.Cluster.Tests.Infrastructure;

/// <summary>
/// Several real Parley servers in this process, one store (a shared SQLite file: enough while each conversation has
/// one writing node; the multi-writer tests run on PostgreSQL), one signing key, and a real RabbitMQ between them.
/// </summary>
public sealed class InProcessCluster : IAsyncDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "parley-cluster-" + Guid.NewGuid().ToString("N")[..12]);

    private InProcessCluster(List<ParleyTestServer> nodes) => Nodes = nodes;

    public List<ParleyTestServer> Nodes { get; }
    public ParleyTestServer this[int index] => Nodes[index];

    public static async Task<InProcessCluster> StartAsync(RabbitMqServer rabbit, int count, IDictionary<string, string?>? extra = null)
    {
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var exchange = "parley-it-" + Guid.NewGuid().ToString("N")[..12];
        var nodes = new List<ParleyTestServer>();
        var cluster = new InProcessCluster(nodes);
        Directory.CreateDirectory(cluster._dir);
        try
        {
            for (var i = 0; i < count; i++)
            {
                var settings = rabbit.Settings(exchange);
                settings["Parley:Auth:SigningKey"] = key;
                settings["Parley:Sqlite:Path"] = Path.Combine(cluster._dir, "parley.db");
                settings["Parley:Cluster:NodeId"] = "node" + i + "-" + exchange[^6..];
                settings["Parley:Cluster:HeartbeatMs"] = "200";
                settings["Parley:Cluster:NodeTimeoutMs"] = "2000";
                settings["Parley:Admins:0"] = "admin";
                foreach (var (k, v) in extra ?? new Dictionary<string, string?>()) settings[k] = v;
                nodes.Add(await ParleyTestServer.StartAsync(settings));
            }
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
        return cluster;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in Nodes) await node.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
