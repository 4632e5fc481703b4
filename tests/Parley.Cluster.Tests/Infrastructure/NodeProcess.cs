using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Parley.Cluster.Tests.Infrastructure;

/// <summary>
/// A real <c>Parley.Server</c> in a process of its own (so a SIGKILL is a real crash) on free loopback ports, its
/// output in a log file. Stopped at the end: gracefully by SIGTERM, or killed.
/// </summary>
public sealed class NodeProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _log;

    private NodeProcess(Process process, string name, int httpPort, int udpPort, int tcpPort, string log)
    {
        _process = process;
        Name = name;
        BaseUri = new Uri($"http://127.0.0.1:{httpPort}/");
        Udp = new IPEndPoint(IPAddress.Loopback, udpPort);
        Tcp = new IPEndPoint(IPAddress.Loopback, tcpPort);
        _log = log;
    }

    public string Name { get; }
    public Uri BaseUri { get; }
    public Uri WebSocketUri => new(BaseUri.ToString().Replace("http://", "ws://") + "ws");
    public IPEndPoint Udp { get; }
    public IPEndPoint Tcp { get; }
    public int Pid => _process.Id;
    public bool HasExited => _process.HasExited;

    /// <summary>The server's DLL, built next to this test project by the solution build.</summary>
    public static string ServerDll
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Parley.slnx"))) dir = dir.Parent;
            if (dir is null) throw new InvalidOperationException("repository root (Parley.slnx) not found above " + AppContext.BaseDirectory);
            var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}") ? "Debug" : "Release";
            var dll = Path.Combine(dir.FullName, "src", "Parley.Server", "bin", configuration, "net10.0", "Parley.Server.dll");
            return File.Exists(dll) ? dll : throw new InvalidOperationException(dll + " not found: build the solution first (test.sh does)");
        }
    }

    public static async Task<NodeProcess> StartAsync(string name, IReadOnlyDictionary<string, string?> settings, string directory)
    {
        var http = FreePort.Next();
        var tcp = FreePort.Next();
        var udp = FreeUdpPort();
        Directory.CreateDirectory(directory);
        var log = Path.Combine(directory, name + ".log");
        var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(ServerDll);
        info.ArgumentList.Add("--urls=http://127.0.0.1:" + http.ToString(CultureInfo.InvariantCulture));
        var all = new Dictionary<string, string?>(settings)
        {
            ["Parley:DataDirectory"] = Path.Combine(directory, name),
            ["Parley:MobileImSdk:Udp:Port"] = udp.ToString(CultureInfo.InvariantCulture),
            ["Parley:MobileImSdk:Tcp:Port"] = tcp.ToString(CultureInfo.InvariantCulture),
            ["Parley:MobileImSdk:WebSocket:Port"] = "-1",
            ["Parley:Http:AuthPermitsPerMinute"] = "100000",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in all) info.ArgumentList.Add($"--{key}={value}");
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start a node");
        var writer = TextWriter.Synchronized(new StreamWriter(log, append: true) { AutoFlush = true });
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) writer.WriteLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) writer.WriteLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var node = new NodeProcess(process, name, http, udp, tcp, log);
        try
        {
            await node.WaitHealthyAsync();
        }
        catch
        {
            await node.KillAsync();
            throw;
        }
        return node;
    }

    private async Task WaitHealthyAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (_process.HasExited) throw new InvalidOperationException($"{Name} exited with {_process.ExitCode}: {Tail()}");
            try
            {
                using var response = await http.GetAsync(new Uri(BaseUri, "health/ready"));
                if (response.IsSuccessStatusCode) return;
            }
            catch (Exception) when (deadline.Elapsed < TimeSpan.FromSeconds(90))
            {
            }
            if (deadline.Elapsed > TimeSpan.FromSeconds(90)) throw new TimeoutException($"{Name} not healthy: {Tail()}");
            await Task.Delay(100);
        }
    }

    public string Tail()
    {
        try
        {
            using var stream = new FileStream(_log, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            return string.Join('\n', reader.ReadToEnd().Split('\n').TakeLast(30));
        }
        catch (IOException) { return "(no log)"; }
    }

    /// <summary>SIGKILL: no goodbye, no flush, no graceful close of anything.</summary>
    public async Task KillAsync()
    {
        if (_process.HasExited) return;
        try { _process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
    }

    private static int FreeUdpPort()
    {
        using var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)udp.Client.LocalEndPoint!).Port;
    }

    /// <summary>SIGTERM (graceful shutdown), then a kill if it does not end in time.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)])) await kill!.WaitForExitAsync();
            try { await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20)); }
            catch (TimeoutException) { await KillAsync(); }
        }
        _process.Dispose();
    }
}
