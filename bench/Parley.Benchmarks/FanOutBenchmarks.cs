using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Microsoft.Extensions.DependencyInjection;
using Parley.Abstractions.Model;
using Parley.Core;
using Parley.Core.Auth;
using Parley.Core.Messaging;
using Parley.Core.Options;
using Parley.Core.Services;
using Parley.Core.Sessions;
using Parley.Storage.Sqlite;
using Parley.Transports.Native;

namespace Parley.Benchmarks;

/// <summary>
/// Engine fan-out: one committed group message handed by <see cref="Delivery"/> to the live connection of every
/// other member of a group of <see cref="Members"/>, then every connection's queue drained and its frame encoded
/// the way the native transport does (encoded once, bytes shared). The engine is the real one (DI, SQLite store in
/// a temp directory, as in tests/Parley.Core.Tests/EngineHarness.cs); commit is not part of this measurement.
/// The "Per delivery" column is Mean / (Members - 1).
/// </summary>
[MemoryDiagnoser]
[Config(typeof(FanOutConfig))]
public class FanOutBenchmarks
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "parley-bench-" + Guid.NewGuid().ToString("N"));
    private ServiceProvider _services = null!;
    private EngineLifetime _lifetime = null!;
    private Delivery _delivery = null!;
    private ClientConnection[] _connections = null!;
    private ChatMessage _message = null!;
    private long _origin;

    /// <summary>Group size; every member has one live connection.</summary>
    [Params(10, 100, 1000)]
    public int Members { get; set; }

    [GlobalSetup]
    public void Setup() => SetupAsync().GetAwaiter().GetResult();

    private async Task SetupAsync()
    {
        var collection = new ServiceCollection();
        collection.AddLogging();
        collection.AddMetrics();
        collection.AddOptions<ParleyOptions>().Configure(o => o.DataDirectory = _dir);
        collection.AddParleySqliteStorage(o =>
        {
            o.Path = Path.Combine(_dir, "parley.db");
            o.Synchronous = SqliteSynchronous.Normal;
        });
        collection.AddSingleton<IPasswordHashing, PlainHashing>();
        collection.AddParleyCore();
        _services = collection.BuildServiceProvider();
        _lifetime = _services.GetServices<Microsoft.Extensions.Hosting.IHostedService>().OfType<EngineLifetime>().Single();
        await _lifetime.StartAsync(CancellationToken.None);

        var accounts = _services.GetRequiredService<AccountService>();
        var groups = _services.GetRequiredService<GroupService>();
        var engine = _services.GetRequiredService<ChatEngine>();
        var members = new Account[Members];
        for (var i = 0; i < Members; i++) members[i] = await accounts.RegisterAsync($"member{i:D5}", "password123", $"Member {i}", CancellationToken.None);
        var group = await groups.CreateAsync(members[0].Id, "bench", inviteOnly: false, CancellationToken.None);
        for (var i = 1; i < Members; i++) await groups.JoinAsync(members[i].Id, group.Group.Id, CancellationToken.None);

        _connections = members.Select(m => engine.Open(new AuthenticatedUser(m, Guid.NewGuid().ToString("N"), DateTimeOffset.MaxValue), "bench", null)).ToArray();
        _origin = _connections[0].Id;
        Drain(); // presence announcements
        _message = Samples.Message() with { SenderId = members[0].Id, SenderName = members[0].Name, GroupId = group.Group.Id, ConversationId = ConversationId.Group(group.Group.Id).Value };
        // Warm the group directory cache, as a live group is.
        _delivery = _services.GetRequiredService<Delivery>();
        await _delivery.PublishAsync(_message, _origin);
        Drain();
    }

    [Benchmark(Description = "group fan-out: publish + drain + encode")]
    public async Task<int> PublishAndDrain()
    {
        await _delivery.PublishAsync(_message, _origin);
        return Drain();
    }

    private int Drain()
    {
        var bytes = 0;
        foreach (var connection in _connections)
        {
            while (connection.TryDequeue(out var ev)) bytes += NativeEventEncoder.Encode(ev).Length;
        }
        return bytes;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _lifetime.StopAsync(CancellationToken.None).GetAwaiter().GetResult();
        _services.DisposeAsync().AsTask().GetAwaiter().GetResult();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    private sealed class PlainHashing : IPasswordHashing
    {
        public string Hash(string password) => "plain:" + password;
        public bool Verify(string hash, string password, out bool rehash)
        {
            rehash = false;
            return hash == "plain:" + password;
        }
    }
}

/// <summary>Adds the per-delivery cost column.</summary>
public sealed class FanOutConfig : ManualConfig
{
    public FanOutConfig() => AddColumn(new PerDeliveryColumn());
}

/// <summary>Mean time divided by the number of connections a message was delivered to (Members - 1).</summary>
public sealed class PerDeliveryColumn : IColumn
{
    public string Id => nameof(PerDeliveryColumn);
    public string ColumnName => "Per delivery";
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => 0;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Time;
    public string Legend => "Mean / (Members - 1): cost per delivered message";
    public bool IsAvailable(Summary summary) => true;
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var report = summary[benchmarkCase];
        if (report?.ResultStatistics is not { } stats) return "NA";
        var members = benchmarkCase.Parameters.Items.FirstOrDefault(p => p.Name == nameof(FanOutBenchmarks.Members))?.Value is int m ? m : 0;
        if (members < 2) return "NA";
        var ns = stats.Mean / (members - 1);
        return ns >= 1000 ? $"{ns / 1000:N3} μs" : $"{ns:N1} ns";
    }
}
