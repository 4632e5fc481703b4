using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Parley.TestInfrastructure;

/// <summary>
/// A real PostgreSQL server for tests: <c>initdb</c> + <c>pg_ctl</c> from the Debian package (as the <c>postgres</c>
/// user when running as root, since PostgreSQL refuses root), listening on 127.0.0.1 on a free port, with its data
/// directory and socket in a fresh temporary directory that is deleted when the server stops.
/// <para>
/// <see cref="SharedAsync"/> gives one server per test process (stopped when the process exits); test classes take a
/// database each (<see cref="CreateDatabaseAsync"/>). Tests that stop or restart the server start their own with
/// <see cref="StartAsync"/>. Durability is relaxed (fsync off): these servers are thrown away, and a clean stop
/// still writes everything.
/// </para>
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private static readonly Lazy<Task<PostgresServer>> Shared = new(() => StartSharedAsync());
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(90);
    private const string DirectoryPrefix = "parley-pg-";
    private const string OwnerFile = "owner.pid";

    private readonly string _binDirectory;
    private readonly string _dataDirectory;
    private bool _running;
    private bool _disposed;

    private PostgresServer(string binDirectory, string baseDirectory)
    {
        _binDirectory = binDirectory;
        BaseDirectory = baseDirectory;
        _dataDirectory = Path.Combine(baseDirectory, "data");
    }

    /// <summary>The temporary directory holding data, socket and log.</summary>
    public string BaseDirectory { get; }

    /// <summary>Always 127.0.0.1.</summary>
    public string Host => "127.0.0.1";

    /// <summary>The TCP port (fixed for the server's lifetime, also across <see cref="StopAsync"/> / <see cref="RestartAsync"/>).</summary>
    public int Port { get; private set; }

    /// <summary>The server's log file (read it when a test fails).</summary>
    public string LogFile => Path.Combine(BaseDirectory, "postgres.log");

    /// <summary>True if this machine has the PostgreSQL server binaries (<c>/usr/lib/postgresql/*/bin/pg_ctl</c>).</summary>
    public static bool IsInstalled => FindBinDirectory() is not null;

    /// <summary>The server shared by the test classes of this process.</summary>
    public static Task<PostgresServer> SharedAsync() => Shared.Value;

    private static async Task<PostgresServer> StartSharedAsync()
    {
        var server = await StartAsync();
        // The test host may be ended moments after this handler starts, too soon for pg_ctl: signal the
        // postmaster directly (SIGQUIT = immediate shutdown); the next run deletes the files (RemoveLeftovers).
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.SignalImmediateShutdown();
        return server;
    }

    /// <summary>Starts a server of its own (dispose it to stop it and delete its files).</summary>
    public static async Task<PostgresServer> StartAsync()
    {
        var bin = FindBinDirectory() ?? throw new InvalidOperationException(
            "PostgreSQL server binaries not found (/usr/lib/postgresql/*/bin/pg_ctl): install the Debian package 'postgresql' (.ci/run does)");
        RemoveLeftovers();
        var baseDirectory = Path.Combine(Path.GetTempPath(), DirectoryPrefix + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(baseDirectory);
        await File.WriteAllTextAsync(Path.Combine(baseDirectory, OwnerFile), Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        // initdb and the server run as 'postgres' when we are root: they must be able to write here.
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(baseDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
            | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute);
        var server = new PostgresServer(bin, baseDirectory);
        try
        {
            await server.RunAsync("initdb", ["-D", server._dataDirectory, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8", "--no-locale"]);
            for (var attempt = 1; ; attempt++)
            {
                server.Port = FreePort();
                try
                {
                    await server.StartProcessAsync();
                    break;
                }
                catch (InvalidOperationException) when (attempt < 3)
                {
                    // most likely the port was taken between choosing and binding it: choose another
                }
            }
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Connection string for <paramref name="database"/> (superuser, trust auth, small pool).</summary>
    public string ConnectionString(string database = "postgres", int maxPoolSize = 20) =>
        new NpgsqlConnectionStringBuilder
        {
            Host = Host, Port = Port, Database = database, Username = "postgres", MaxPoolSize = maxPoolSize, Timeout = 5,
        }.ToString();

    /// <summary>Creates an empty database with a unique name and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string prefix = "t")
    {
        var name = $"{prefix}_{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 1 + 20, 60)].ToLowerInvariant();
        await using var connection = new NpgsqlConnection(ConnectionString("postgres", 2) + ";Pooling=false");
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
        await command.ExecuteNonQueryAsync();
        return ConnectionString(name);
    }

    /// <summary>Drops a database made by <see cref="CreateDatabaseAsync"/>, closing its connections.</summary>
    public async Task DropDatabaseAsync(string connectionString)
    {
        if (!_running) return;
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database;
        await using var connection = new NpgsqlConnection(ConnectionString("postgres", 2) + ";Pooling=false");
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Stops the server (fast shutdown: clients are disconnected, committed data stays). Files are kept.</summary>
    public async Task StopAsync()
    {
        if (!_running) return;
        await RunAsync("pg_ctl", ["-D", _dataDirectory, "-m", "fast", "-w", "-t", "60", "stop"]);
        _running = false;
    }

    /// <summary>Starts a stopped server again on the same port with the same data.</summary>
    public async Task RestartAsync()
    {
        if (_running) return;
        await StartProcessAsync();
    }

    private async Task StartProcessAsync()
    {
        var options = string.Join(' ',
            $"-p {Port}", "-c listen_addresses=127.0.0.1", $"-k {BaseDirectory}",
            "-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off",
            "-c max_connections=300", "-c shared_buffers=32MB");
        await RunAsync("pg_ctl", ["-D", _dataDirectory, "-l", LogFile, "-o", options, "-w", "-t", "60", "start"]);
        _running = true;
    }

    private Task<string> RunAsync(string tool, IReadOnlyList<string> arguments)
    {
        var path = Path.Combine(_binDirectory, tool);
        return Environment.UserName == "root"
            ? ProcessRunner.RunAsync("runuser", ["-u", "postgres", "--", path, .. arguments], CommandTimeout)
            : ProcessRunner.RunAsync(path, arguments, CommandTimeout);
    }

    private void SignalImmediateShutdown()
    {
        if (!_running || OperatingSystem.IsWindows()) return;
        var postmaster = Path.Combine(_dataDirectory, "postmaster.pid");
        try
        {
            if (int.TryParse(File.ReadLines(postmaster).FirstOrDefault(), out var pid) && pid > 0) _ = Kill(pid, SigQuit);
        }
        catch (IOException)
        {
            // already gone
        }
    }

    private const int SigQuit = 3;

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    /// <summary>
    /// Deletes directories of servers whose test process is gone (a test host killed, or ended before its exit
    /// handler finished deleting), stopping any server still running in them.
    /// </summary>
    private static void RemoveLeftovers()
    {
        foreach (var dir in Directory.GetDirectories(Path.GetTempPath(), DirectoryPrefix + "*"))
        {
            try
            {
                var owner = Path.Combine(dir, OwnerFile);
                if (!File.Exists(owner) || !int.TryParse(File.ReadAllText(owner), out var pid) || IsAlive(pid)) continue;
                var postmaster = Path.Combine(dir, "data", "postmaster.pid");
                if (File.Exists(postmaster) && int.TryParse(File.ReadLines(postmaster).FirstOrDefault(), out var serverPid) && IsAlive(serverPid))
                {
                    using var server = System.Diagnostics.Process.GetProcessById(serverPid);
                    if (server.ProcessName == "postgres") server.Kill();
                    continue; // its files go next time, once it has exited
                }
                Directory.Delete(dir, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException or ArgumentException)
            {
                // another process is cleaning up too, or the files are not ours to delete
            }
        }
    }

    private static bool IsAlive(int pid)
    {
        try
        {
            using var p = System.Diagnostics.Process.GetProcessById(pid);
            return !p.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static string? FindBinDirectory()
    {
        var root = "/usr/lib/postgresql";
        if (!Directory.Exists(root)) return null;
        return Directory.GetDirectories(root)
            .Select(d => (Dir: Path.Combine(d, "bin"), Version: int.TryParse(Path.GetFileName(d), out var v) ? v : 0))
            .Where(x => File.Exists(Path.Combine(x.Dir, "pg_ctl")) && File.Exists(Path.Combine(x.Dir, "initdb")))
            .OrderByDescending(x => x.Version)
            .Select(x => x.Dir)
            .FirstOrDefault();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Stops the server (immediately) and deletes its files.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed) return;
        _disposed = true;
        if (_running)
        {
            try { await RunAsync("pg_ctl", ["-D", _dataDirectory, "-m", "immediate", "-w", "-t", "30", "stop"]); }
            catch (Exception e) when (e is InvalidOperationException or TimeoutException) { }
            _running = false;
        }
        try { Directory.Delete(BaseDirectory, recursive: true); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }
}
