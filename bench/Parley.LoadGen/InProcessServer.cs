using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Parley.Server.Hosting;

namespace Parley.LoadGen;

/// <summary>The real server on 127.0.0.1 with an ephemeral port and a temporary data directory.</summary>
internal sealed class InProcessServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string _dir;

    private InProcessServer(WebApplication app, string dir, Uri baseUri)
    {
        _app = app;
        _dir = dir;
        BaseUri = baseUri;
    }

    public Uri BaseUri { get; }

    public static async Task<InProcessServer> StartAsync(LoadGenOptions options)
    {
        var dir = Path.Combine(Path.GetTempPath(), "parley-loadgen-" + Guid.NewGuid().ToString("N"));
        var settings = new Dictionary<string, string?>
        {
            ["urls"] = "http://127.0.0.1:0",
            ["Parley:DataDirectory"] = dir,
            ["Parley:Sqlite:Synchronous"] = options.Synchronous,
            ["Parley:Http:AuthPermitsPerMinute"] = "100000",
            // The load generator is one client per user sending as fast as acks come back: lift the per-connection
            // rate limit (20/s, burst 100 by default) so it measures the server, not the limiter.
            ["Parley:Connections:RatePerSecond"] = "100000",
            ["Parley:Connections:RateBurst"] = "100000",
            ["Parley:Connections:FloodDropThreshold"] = "1000000",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        if (options.CommitBatchSize > 0) settings["Parley:Messaging:CommitBatchSize"] = options.CommitBatchSize.ToString(CultureInfo.InvariantCulture);
        var builder = ParleyServer.CreateBuilder([], b => b.Configuration.AddInMemoryCollection(settings));
        var app = ParleyServer.Build(builder);
        await app.StartAsync().WaitAsync(TimeSpan.FromSeconds(30));
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new InProcessServer(app, dir, new Uri(address.TrimEnd('/') + "/"));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().WaitAsync(TimeSpan.FromSeconds(30));
        await _app.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
