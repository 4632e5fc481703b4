using System.Diagnostics;
using Parley.Cluster.RabbitMq;
using RabbitMQ.Client;

namespace Parley.Cluster.Tests.Infrastructure;

/// <summary>
/// A real RabbitMQ server (Debian's <c>rabbitmq-server</c>, installed by <c>.ci/run</c>) for this test run: its own
/// epmd, AMQP and distribution ports (free ones, on 127.0.0.1), its own HOME, cookie and database in a temporary
/// directory, no plugins. Stoppable (as a crash: SIGKILL) and restartable on the same port for outage tests;
/// killed and deleted at the end.
/// </summary>
public sealed class RabbitMqServer : IAsyncLifetime
{
    private const string ServerScript = "/usr/lib/rabbitmq/bin/rabbitmq-server";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(120);
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "parley-rmq-" + Guid.NewGuid().ToString("N")[..12]);
    private Process? _epmd;
    private Process? _server;

    public int Port { get; } = FreePort.Next();
    private int EpmdPort { get; } = FreePort.Next();
    private int DistPort { get; } = FreePort.Next();
    private string NodeName => $"parley-test-{Port}@localhost";

    /// <summary>Options for a node of a test cluster; a fresh exchange keeps concurrent tests apart.</summary>
    public RabbitMqOptions Options(string? exchange = null) => new()
    {
        Host = "127.0.0.1",
        Port = Port,
        Exchange = exchange ?? "parley-test-" + Guid.NewGuid().ToString("N")[..12],
        ReconnectMinMs = 100,
        ReconnectMaxMs = 1000,
        HeartbeatSeconds = 2,
    };

    /// <summary>Settings for a Parley node on this broker.</summary>
    public Dictionary<string, string?> Settings(string exchange) => new()
    {
        ["Parley:Cluster:Provider"] = "rabbitmq",
        ["Parley:Cluster:RabbitMq:Host"] = "127.0.0.1",
        ["Parley:Cluster:RabbitMq:Port"] = Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Parley:Cluster:RabbitMq:Exchange"] = exchange,
        ["Parley:Cluster:RabbitMq:ReconnectMinMs"] = "100",
        ["Parley:Cluster:RabbitMq:ReconnectMaxMs"] = "1000",
        ["Parley:Cluster:RabbitMq:HeartbeatSeconds"] = "2",
    };

    public async Task InitializeAsync()
    {
        if (!File.Exists(ServerScript))
            throw new InvalidOperationException($"{ServerScript} not found: install Debian's rabbitmq-server (.ci/run does)");
        Directory.CreateDirectory(_dir);
        await File.WriteAllTextAsync(Path.Combine(_dir, "enabled_plugins"), "[].\n");
        await File.WriteAllTextAsync(Path.Combine(_dir, "rabbitmq.conf"), "loopback_users = none\n");
        _epmd = Start("epmd", $"-address 127.0.0.1 -port {EpmdPort}", Path.Combine(_dir, "epmd.log"));
        // Erlang starts a daemon epmd of its own (not ours to stop) if ours is not listening yet.
        await WaitForPortAsync(EpmdPort);
        await StartAsync();
    }

    /// <summary>Starts the server (again) and waits until it accepts AMQP connections.</summary>
    public async Task StartAsync()
    {
        _server = Start(ServerScript, "", Path.Combine(_dir, "server.log"));
        var deadline = Stopwatch.StartNew();
        var factory = new ConnectionFactory { HostName = "127.0.0.1", Port = Port, RequestedConnectionTimeout = TimeSpan.FromSeconds(2) };
        while (true)
        {
            if (_server.HasExited)
                throw new InvalidOperationException($"rabbitmq-server exited with {_server.ExitCode}: {Tail(Path.Combine(_dir, "server.log"))}");
            try
            {
                await using var connection = await factory.CreateConnectionAsync();
                return;
            }
            catch (Exception) when (deadline.Elapsed < StartTimeout)
            {
                await Task.Delay(200);
            }
        }
    }

    /// <summary>Kills the server (SIGKILL: what a crash or a pulled cable looks like to the nodes).</summary>
    public async Task KillAsync()
    {
        if (_server is null) return;
        try { _server.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
        await _server.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        _server.Dispose();
        _server = null;
    }

    private Process Start(string file, string arguments, string log)
    {
        // exec keeps the PID ours (the script execs erl), and output goes to a file, not the test console.
        var info = new ProcessStartInfo("/bin/sh", ["-c", $"exec {file} {arguments} >>{log} 2>&1"]) { UseShellExecute = false };
        info.Environment["HOME"] = _dir;
        info.Environment["ERL_EPMD_PORT"] = EpmdPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        info.Environment["ERL_EPMD_ADDRESS"] = "127.0.0.1";
        info.Environment["RABBITMQ_NODENAME"] = NodeName;
        info.Environment["RABBITMQ_NODE_IP_ADDRESS"] = "127.0.0.1";
        info.Environment["RABBITMQ_NODE_PORT"] = Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        info.Environment["RABBITMQ_DIST_PORT"] = DistPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        info.Environment["RABBITMQ_MNESIA_BASE"] = Path.Combine(_dir, "mnesia");
        info.Environment["RABBITMQ_LOG_BASE"] = Path.Combine(_dir, "log");
        info.Environment["RABBITMQ_PID_FILE"] = Path.Combine(_dir, "rabbit.pid");
        info.Environment["RABBITMQ_CONFIG_FILE"] = Path.Combine(_dir, "rabbitmq");
        info.Environment["RABBITMQ_ENABLED_PLUGINS_FILE"] = Path.Combine(_dir, "enabled_plugins");
        info.Environment["RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS"] = "-kernel inet_dist_use_interface {127,0,0,1}";
        return Process.Start(info) ?? throw new InvalidOperationException("could not start " + file);
    }

    private static async Task WaitForPortAsync(int port)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var client = new System.Net.Sockets.TcpClient();
                await client.ConnectAsync(System.Net.IPAddress.Loopback, port);
                return;
            }
            catch (System.Net.Sockets.SocketException) when (deadline.Elapsed < TimeSpan.FromSeconds(30))
            {
                await Task.Delay(50);
            }
        }
    }

    private static string Tail(string path)
    {
        try { return string.Join('\n', File.ReadLines(path).TakeLast(20)); }
        catch (IOException) { return "(no log)"; }
    }

    public async Task DisposeAsync()
    {
        await KillAsync();
        if (_epmd is not null)
        {
            try { _epmd.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            await _epmd.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            _epmd.Dispose();
        }
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

/// <summary>One RabbitMQ server for every test that needs one (starting it takes seconds).</summary>
[CollectionDefinition(Name)]
public sealed class RabbitMqCollection : ICollectionFixture<RabbitMqServer>
{
    public const string Name = "rabbitmq";
}
