using System.Globalization;
using System.Net;
using Parley.LoadGen.Clients;

namespace Parley.LoadGen;

public enum Scenario
{
    Pairs,
    Rate,
    Group,
    Idle,
    Churn,
    Suite,
}

/// <summary>Command-line options: <c>Parley.LoadGen SCENARIO [--name value] …</c>.</summary>
public sealed record RunOptions
{
    public Scenario Scenario { get; init; } = Scenario.Pairs;
    public WireProtocol Protocol { get; init; } = WireProtocol.Native;
    public bool Hub => Protocol == WireProtocol.Hub;
    public int Users { get; init; } = 200;
    public int InFlight { get; init; } = 8;
    public int DurationSeconds { get; init; } = 10;
    public int WarmupSeconds { get; init; } = 10;
    public double Rate { get; init; }
    public int Members { get; init; } = 1000;
    public int GroupSenders { get; init; } = 4;
    public int Connections { get; init; } = 10_000;
    public int HoldSeconds { get; init; } = 10;
    public int Churn { get; init; } = 10_000;
    public int ChurnConcurrency { get; init; } = 16;
    public int ConnectConcurrency { get; init; } = 64;
    public int TextLength { get; init; } = 100;
    public int AckDelayMs { get; init; } = 200;
    public string Sync { get; init; } = "Full";
    public Uri? Url { get; init; }
    public bool AllowRemote { get; init; }
    public IPEndPoint? MimUdp { get; init; }
    public IPEndPoint? MimTcp { get; init; }
    public int? ServerPid { get; init; }
    public string ServerDll { get; init; } = Paths.ServerDll;
    public string HubDll { get; init; } = Paths.HubDll;
    public IReadOnlyList<string> ServerArgs { get; init; } = [];
    public IReadOnlyList<string> HubArgs { get; init; } = [];
    public IReadOnlyDictionary<string, string> ServerEnvironment { get; init; } = new Dictionary<string, string>();
    public string? JsonPath { get; init; }
    public string? OutPath { get; init; }
    public bool Quick { get; init; }
    /// <summary>Suite: runs of each scenario; the report shows the median run.</summary>
    public int Repeat { get; init; } = 1;
    public bool Progress { get; init; } = true;

    public const string Usage = """
        Parley.LoadGen SCENARIO [options]: drives a server on real sockets and reports delivered messages/s, per
        server CPU-second, end-to-end latency, lost and duplicates, server memory. The server (Parley or the SignalR
        baseline hub) is started as a child process on free 127.0.0.1 ports with a temporary data directory, unless
        --url names a running one.

        scenarios
          pairs    users in sender/receiver pairs, each sender keeping --inflight messages in flight (closed loop)
          rate     the same pairs at a fixed offered --rate (messages/s, all senders together): latency below saturation
          group    one group of --members online members, --group-senders senders at a fixed --rate to the group
          idle     --connections users connected and held --hold seconds: memory per connection, connect rate
          churn    pairs chatting while --churn connections come and go; rate before vs after, nothing lost
          suite    every scenario, Parley against the hub side by side, SQLite durability on and off; writes --out

        options
          --protocol P        native (default) | stomp | mim-udp | mim-tcp | mim-ws | hub (the SignalR baseline)
          --users N           pairs/rate/churn: users, in pairs (default 200)
          --inflight W        pairs: messages in flight per sender (default 8)
          --duration S        measured seconds (default 10), after --warmup S (default 10: the JIT's tiering settles)
          --rate R            rate: offered messages/s (required); group: messages/s to the group (default 20)
          --members M         group size (default 1000)      --group-senders N   (default 4)
          --connections N     idle: connections (default 10000)   --hold S (default 10)
          --churn N           churn: connections that come and go (default 10000)
          --text N            characters of message text (default 100)
          --ack-delay MS      cumulative ack delay of native/STOMP receivers, as the SDK's AckDelay (default 200; 0 = every read)
          --sync full|normal|off   SQLite synchronous mode of the started Parley server (default full)
          --url URL           target a running server (loopback only, unless --allow-remote comes first)
          --allow-remote      allow a non-loopback --url / --mim-udp / --mim-tcp
          --mim-udp IP:PORT --mim-tcp IP:PORT   MobileIMSDK listeners of a --url server
          --server-pid PID    a --url server's process on this machine, for its CPU and memory figures
          --server-arg A / --hub-arg A   extra argument for the started server / hub (repeatable)
          --server-env K=V    environment of both started servers (repeatable, e.g. DOTNET_gcServer=0)
          --server-dll PATH / --hub-dll PATH   builds to start (default: the Release builds in this repository)
          --json FILE         append each result as one JSON line
          --out FILE          suite: the markdown results table (default bench/results/latest.md)
          --quick             suite: shorter runs and smaller counts (a smoke test)
          --repeat N          suite: run each scenario N times and report the median run (default 1)
          --no-progress       no progress display
        """;

    public static RunOptions? Parse(string[] args)
    {
        if (args.Length == 0 || args[0] is "--help" or "-h" or "help") return null;
        var o = new RunOptions { Scenario = ParseScenario(args[0]) };
        var serverArgs = new List<string>();
        var hubArgs = new List<string>();
        var env = new Dictionary<string, string>();
        for (var i = 1; i < args.Length; i++)
        {
            var name = args[i];
            switch (name)
            {
                case "--help" or "-h": return null;
                case "--allow-remote": o = o with { AllowRemote = true }; continue;
                case "--quick": o = o with { Quick = true }; continue;
                case "--no-progress": o = o with { Progress = false }; continue;
            }
            if (i + 1 >= args.Length) throw new ArgumentException($"{name} needs a value");
            var value = args[++i];
            o = name switch
            {
                "--protocol" => o with { Protocol = ParseProtocol(value) },
                "--users" => o with { Users = Int(name, value, 2) },
                "--inflight" => o with { InFlight = Int(name, value, 1) },
                "--duration" => o with { DurationSeconds = Int(name, value, 1) },
                "--warmup" => o with { WarmupSeconds = Int(name, value, 0) },
                "--rate" => o with { Rate = Double(name, value) },
                "--members" => o with { Members = Int(name, value, 2) },
                "--group-senders" => o with { GroupSenders = Int(name, value, 1) },
                "--connections" => o with { Connections = Int(name, value, 2) },
                "--hold" => o with { HoldSeconds = Int(name, value, 0) },
                "--churn" => o with { Churn = Int(name, value, 1) },
                "--text" => o with { TextLength = Int(name, value, 32) },
                "--ack-delay" => o with { AckDelayMs = Int(name, value, 0) },
                "--sync" => o with { Sync = ParseSync(value) },
                "--url" => o with { Url = ParseUrl(value, o.AllowRemote) },
                "--mim-udp" => o with { MimUdp = TargetPolicy.ParseEndPoint(name, value, o.AllowRemote) },
                "--mim-tcp" => o with { MimTcp = TargetPolicy.ParseEndPoint(name, value, o.AllowRemote) },
                "--server-pid" => o with { ServerPid = Int(name, value, 1) },
                "--server-dll" => o with { ServerDll = Path.GetFullPath(value) },
                "--hub-dll" => o with { HubDll = Path.GetFullPath(value) },
                "--server-arg" => Add(o, serverArgs, value),
                "--hub-arg" => Add(o, hubArgs, value),
                "--server-env" => AddEnv(o, env, value),
                "--json" => o with { JsonPath = value },
                "--out" => o with { OutPath = value },
                "--repeat" => o with { Repeat = Int(name, value, 1) },
                _ => throw new ArgumentException($"unknown option {name}"),
            };
        }
        o = o with { ServerArgs = serverArgs, HubArgs = hubArgs, ServerEnvironment = env };
        if (o.Scenario == Scenario.Rate && o.Rate <= 0) throw new ArgumentException("rate needs --rate (messages/s)");
        if (o.Scenario == Scenario.Group && o.GroupSenders > o.Members) throw new ArgumentException("--group-senders must not exceed --members");
        if (o.Scenario == Scenario.Group && o.Protocol is WireProtocol.MimUdp or WireProtocol.MimTcp or WireProtocol.MimWs)
            throw new ArgumentException("MobileIMSDK has no group messages");
        if (o.Users % 2 == 1) o = o with { Users = o.Users + 1 };
        if (o.Url is not null && o.Scenario == Scenario.Suite) throw new ArgumentException("suite starts its own servers; --url is for single scenarios");
        return o;
    }

    private static RunOptions Add(RunOptions o, List<string> list, string value)
    {
        list.Add(value);
        return o;
    }

    private static RunOptions AddEnv(RunOptions o, Dictionary<string, string> env, string value)
    {
        var eq = value.IndexOf('=');
        if (eq <= 0) throw new ArgumentException("--server-env needs KEY=VALUE");
        env[value[..eq]] = value[(eq + 1)..];
        return o;
    }

    /// <summary>A --url: http(s) or ws(s); loopback unless remote targets were allowed before it.</summary>
    public static Uri ParseUrl(string value, bool allowRemote)
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "ws"))
            throw new ArgumentException("--url must be an absolute http:// URL (TLS is not supported by the load generator)");
        if (!allowRemote && !TargetPolicy.IsLoopbackLiteral(uri.Host))
        {
            // A name is resolved before connecting (TargetPolicy.EnsureAllowedAsync); an IP literal is refused now.
            if (System.Net.IPAddress.TryParse(uri.Host.Trim('[', ']'), out _))
                throw new ArgumentException($"{uri.Host} is not a loopback address: pass --allow-remote (before --url) to load a remote server");
        }
        return new Uri($"http://{uri.Authority}/");
    }

    public static Scenario ParseScenario(string value) => value.ToLowerInvariant() switch
    {
        "pairs" => Scenario.Pairs,
        "rate" => Scenario.Rate,
        "group" => Scenario.Group,
        "idle" => Scenario.Idle,
        "churn" => Scenario.Churn,
        "suite" => Scenario.Suite,
        _ => throw new ArgumentException($"unknown scenario {value} (pairs, rate, group, idle, churn, suite)"),
    };

    public static WireProtocol ParseProtocol(string value) => value.ToLowerInvariant() switch
    {
        "native" or "ws" => WireProtocol.Native,
        "stomp" => WireProtocol.Stomp,
        "mim-udp" => WireProtocol.MimUdp,
        "mim-tcp" => WireProtocol.MimTcp,
        "mim-ws" => WireProtocol.MimWs,
        "hub" or "signalr" => WireProtocol.Hub,
        _ => throw new ArgumentException($"unknown protocol {value} (native, stomp, mim-udp, mim-tcp, mim-ws, hub)"),
    };

    public static string Name(WireProtocol p) => p switch
    {
        WireProtocol.Native => "native",
        WireProtocol.Stomp => "stomp",
        WireProtocol.MimUdp => "mim-udp",
        WireProtocol.MimTcp => "mim-tcp",
        WireProtocol.MimWs => "mim-ws",
        _ => "hub",
    };

    private static string ParseSync(string value) => value.ToLowerInvariant() switch
    {
        "full" => "Full",
        "normal" => "Normal",
        "off" => "Off",
        _ => throw new ArgumentException("--sync must be full, normal or off"),
    };

    private static int Int(string name, string value, int min) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v >= min
            ? v : throw new ArgumentException($"{name} must be an integer >= {min}");

    private static double Double(string name, string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v > 0
            ? v : throw new ArgumentException($"{name} must be a positive number");
}

/// <summary>Where the builds of this repository are.</summary>
public static class Paths
{
    public static string RepositoryRoot { get; } = FindRoot();

    public static string ServerDll => Path.Combine(RepositoryRoot, "src", "Parley.Server", "bin", "Release", "net10.0", "Parley.Server.dll");
    public static string HubDll => Path.Combine(RepositoryRoot, "bench", "Parley.Baseline.SignalRHub", "bin", "Release", "net10.0", "Parley.Baseline.SignalRHub.dll");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Parley.slnx"))) return dir.FullName;
        }
        return Directory.GetCurrentDirectory();
    }
}
