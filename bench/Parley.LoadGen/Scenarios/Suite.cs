using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Parley.LoadGen.Clients;

namespace Parley.LoadGen.Scenarios;

/// <summary>
/// Every scenario, Parley and the SignalR hub side by side in one run (absolute numbers drift on shared machines;
/// the ratios measured minutes apart hold better), SQLite durability on (synchronous=FULL) and off (OFF).
/// Writes a markdown report with the targets of issue #9 marked met or not, and the JSON lines of every run.
/// </summary>
public static class Suite
{
    public static async Task<int> RunAsync(RunOptions o)
    {
        var q = o.Quick;
        // Both servers run with the runtime's defaults, as they would in production. Steady state, not start-up: the
        // warm-up lets tiered compilation re-compile the hot code with its profile before the measured window.
        // (DOTNET_TieredCompilation=0 is not a shortcut to that state: the framework's precompiled code then runs
        // as it is for good, and the hub, which is mostly framework code, measured at half its speed.)
        var environment = new Dictionary<string, string>(o.ServerEnvironment);
        var baseOptions = o with
        {
            ServerEnvironment = environment,
            DurationSeconds = q ? 3 : o.DurationSeconds,
            WarmupSeconds = q ? 3 : o.WarmupSeconds,
            Progress = o.Progress,
            JsonPath = null,
        };
        var users = q ? 100 : o.Users;
        var mimUsers = q ? 200 : 1000;
        var members = q ? 200 : o.Members;
        var connections = q ? 1000 : o.Connections;
        var churn = q ? 1000 : o.Churn;
        var outPath = o.OutPath ?? Path.Combine(Paths.RepositoryRoot, "bench", "results", q ? "quick.md" : "latest.md");
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(outPath))!);
        var jsonPath = Path.ChangeExtension(outPath, ".jsonl");
        File.WriteAllText(jsonPath, "");
        var loadBefore = LoadAverage();
        var started = DateTimeOffset.UtcNow;
        var results = new List<RunResult>();

        async Task<RunResult?> Run(string title, RunOptions run)
        {
            var runs = new List<RunResult>();
            for (var i = 1; i <= o.Repeat; i++)
            {
                Console.Error.WriteLine(o.Repeat == 1 ? $"== {title}" : $"== {title} ({i} of {o.Repeat})");
                try
                {
                    var r = await Scenarios.RunAsync(run with { Progress = o.Progress });
                    Report.Print(r, jsonPath);
                    runs.Add(r);
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    Console.Error.WriteLine($"{title} failed: {ex}");
                }
            }
            if (runs.Count == 0) return null;
            var chosen = MedianRun.Of(runs);
            results.Add(chosen);
            return chosen;
        }

        RunOptions Pairs(WireProtocol p, string sync = "Full", int? n = null) =>
            baseOptions with { Scenario = Scenario.Pairs, Protocol = p, Sync = sync, Users = n ?? users };

        var native = await Run("pairs, native, SQLite FULL", Pairs(WireProtocol.Native));
        await Run("pairs, hub", Pairs(WireProtocol.Hub));
        await Run("pairs, native, SQLite OFF", Pairs(WireProtocol.Native, "Off"));
        await Run("pairs, STOMP", Pairs(WireProtocol.Stomp));
        await Run("pairs, MobileIMSDK TCP", Pairs(WireProtocol.MimTcp));
        await Run("pairs, MobileIMSDK WebSocket", Pairs(WireProtocol.MimWs));
        await Run("pairs, MobileIMSDK UDP", Pairs(WireProtocol.MimUdp));
        await Run($"pairs, MobileIMSDK UDP, {mimUsers} users", Pairs(WireProtocol.MimUdp, n: mimUsers));

        var halfRate = Math.Max(100, Math.Round((native?.DeliveredPerSecond ?? 2000) / 2 / 100) * 100);
        var rate = baseOptions with { Scenario = Scenario.Rate, Users = users, Rate = halfRate };
        await Run($"rate {halfRate:N0}/s, native, SQLite FULL", rate with { Protocol = WireProtocol.Native });
        await Run($"rate {halfRate:N0}/s, hub", rate with { Protocol = WireProtocol.Hub });
        await Run($"rate {halfRate:N0}/s, native, SQLite OFF", rate with { Protocol = WireProtocol.Native, Sync = "Off" });

        var group = baseOptions with { Scenario = Scenario.Group, Members = members, Rate = o.Rate > 0 ? o.Rate : 20 };
        await Run("group, native, SQLite FULL", group with { Protocol = WireProtocol.Native });
        await Run("group, hub", group with { Protocol = WireProtocol.Hub });
        await Run("group, STOMP", group with { Protocol = WireProtocol.Stomp });

        var idle = baseOptions with { Scenario = Scenario.Idle, Connections = connections, HoldSeconds = q ? 3 : o.HoldSeconds };
        await Run("idle, native", idle with { Protocol = WireProtocol.Native });
        await Run("idle, hub", idle with { Protocol = WireProtocol.Hub });

        var churnRun = baseOptions with { Scenario = Scenario.Churn, Users = users, Churn = churn };
        await Run("churn, native", churnRun with { Protocol = WireProtocol.Native });
        await Run("churn, hub", churnRun with { Protocol = WireProtocol.Hub });

        var markdown = Markdown(results, loadBefore, LoadAverage(), started, q, environment, o.Repeat);
        File.WriteAllText(outPath, markdown);
        Console.WriteLine(markdown);
        Console.Error.WriteLine($"written: {outPath} and {jsonPath}");
        return results.All(r => r.Lost == 0 && r.Duplicates == 0) ? 0 : 1;
    }

    private static string LoadAverage()
    {
        try { return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)); }
        catch (IOException) { return "?"; }
    }

    public static string Machine()
    {
        string cpu = "?";
        try
        {
            cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "?";
        }
        catch (IOException) { }
        return $"{Environment.ProcessorCount} cores ({cpu}), {RuntimeInformation.OSDescription}, {RuntimeInformation.OSArchitecture}, .NET {Environment.Version}";
    }

    internal static string Markdown(IReadOnlyList<RunResult> results, string loadBefore, string loadAfter, DateTimeOffset started, bool quick,
        IReadOnlyDictionary<string, string> environment, int repeat = 1)
    {
        var c = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine(c, $"# Parley vs the SignalR hub: one suite run{(quick ? " (--quick)" : "")}");
        sb.AppendLine();
        sb.AppendLine(c, $"- started {started:yyyy-MM-dd HH:mm} UTC; machine: {Machine()}");
        sb.AppendLine(c, $"- load average before {loadBefore}, after {loadAfter} (the load generator runs on the same machine)");
        sb.AppendLine("- command: `bench/run-all.sh" + (quick ? " --quick" : "") + (repeat > 1 ? $" --repeat {repeat}" : "") + "`");
        if (repeat > 1)
            sb.AppendLine(c, $"- each scenario ran {repeat} times; each row is the median run (its note gives the spread), lost and duplicates count every run");
        sb.AppendLine(environment.Count == 0
            ? "- both servers run with the runtime's defaults"
            : $"- both servers' environment: {string.Join(", ", environment.Select(e => $"`{e.Key}={e.Value}`"))} (runtime defaults otherwise)");
        sb.AppendLine();
        sb.AppendLine("## Targets");
        sb.AppendLine();
        sb.AppendLine("| target | measured | met |");
        sb.AppendLine("|---|---|---|");
        foreach (var (target, measured, met) in Targets(results)) sb.AppendLine(c, $"| {target} | {measured} | {(met is null ? "n/a" : met.Value ? "yes" : "**no**")} |");
        sb.AppendLine();
        sb.AppendLine("## Every run");
        sb.AppendLine();
        sb.AppendLine("| scenario | server | protocol | users | delivered/s | per server CPU-s | server cores | p50 ms | p99 ms | p99.9 ms | max ms | KiB/conn | connects/s | lost | dup | errors | RSS MiB | note |");
        sb.AppendLine("|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|");
        foreach (var r in results)
        {
            sb.AppendLine(c, $"| {r.Scenario} | {r.Server} | {r.Protocol} | {r.Users:N0} | {N(r.DeliveredPerSecond)} | {N(r.DeliveredPerCpuSecond)} | {F(r.ServerCores)} | {F(r.P50Ms)} | {F(r.P99Ms)} | {F(r.P999Ms)} | {F(r.MaxMs)} | {F(r.BytesPerConnection / 1024)} | {N(r.ConnectsPerSecond)} | {r.Lost:N0} | {r.Duplicates:N0} | {r.Errors:N0}{(r.UdpDrops > 0 ? $" (UDP drops {r.UdpDrops:N0})" : "")} | {r.ServerPeakRssBytes / 1048576.0:F0} | {r.Note} |");
        }
        return sb.ToString();

        static string N(double v) => double.IsNaN(v) || double.IsInfinity(v) || v == 0 ? "" : v.ToString("N0", CultureInfo.InvariantCulture);
        static string F(double v) => double.IsNaN(v) || double.IsInfinity(v) ? "" : v.ToString("F2", CultureInfo.InvariantCulture);
    }

    /// <summary>The targets of issue #9, each from the runs that measure it.</summary>
    internal static IEnumerable<(string Target, string Measured, bool? Met)> Targets(IReadOnlyList<RunResult> results)
    {
        var c = CultureInfo.InvariantCulture;
        RunResult? Find(string scenario, string protocol, string server, int? users = null) =>
            results.FirstOrDefault(r => r.Scenario == scenario && r.Protocol == protocol && r.Server.StartsWith(server, StringComparison.Ordinal) && (users is null || r.Users == users));

        var parley = Find("pairs", "native", "parley (sqlite full)");
        var hub = Find("pairs", "hub", "hub");
        if (parley is not null && hub is not null)
        {
            var ratio = parley.DeliveredPerCpuSecond / hub.DeliveredPerCpuSecond;
            yield return ("one-to-one per server CPU-s, native + SQLite FULL, ≥ 1.5× the hub",
                string.Create(c, $"{parley.DeliveredPerCpuSecond:N0} vs {hub.DeliveredPerCpuSecond:N0} = {ratio:F2}×"), ratio >= 1.5);
        }
        var rate = Find("rate", "native", "parley (sqlite full)");
        if (rate is not null)
            yield return ("p99 < 5 ms at half of saturation (fixed rate)", string.Create(c, $"p99 {rate.P99Ms:F2} ms at {rate.OfferedRate:N0}/s (hub: {Find("rate", "hub", "hub")?.P99Ms:F2} ms)"), rate.P99Ms < 5);
        var idle = Find("idle", "native", "parley");
        var idleHub = Find("idle", "hub", "hub");
        if (idle is not null)
            yield return ("memory per idle WebSocket ≤ 8 KiB", string.Create(c, $"{idle.BytesPerConnection / 1024:F1} KiB at {idle.Users:N0} (hub {idleHub?.BytesPerConnection / 1024:F1} KiB)"), idle.BytesPerConnection <= 8 * 1024);
        if (parley is not null)
        {
            foreach (var p in new[] { "mim-udp", "mim-tcp", "mim-ws" })
            {
                var mim = Find("pairs", p, "parley", parley.Users);
                if (mim is null) continue;
                yield return ($"MobileIMSDK {p[4..].ToUpperInvariant()} per CPU-s ≥ native", string.Create(c, $"{mim.DeliveredPerCpuSecond:N0} vs {parley.DeliveredPerCpuSecond:N0}"), mim.DeliveredPerCpuSecond >= parley.DeliveredPerCpuSecond);
            }
        }
        var udp = results.Where(r => r.Scenario == "pairs" && r.Protocol == "mim-udp").MaxBy(r => r.Users);
        if (udp is not null)
            yield return ($"no datagram dropped at the server's UDP socket at {udp.Users:N0} users", string.Create(c, $"{udp.UdpDrops:N0} dropped, {udp.Lost:N0} lost"), udp.UdpDrops == 0 && udp.Lost == 0);
        var group = Find("group", "native", "parley");
        if (group is not null)
            yield return ($"group fan-out ≥ 25,000 deliveries per server CPU-s ({group.Users:N0} members)", string.Create(c, $"{group.DeliveredPerCpuSecond:N0} (hub {Find("group", "hub", "hub")?.DeliveredPerCpuSecond:N0})"), group.DeliveredPerCpuSecond >= 25_000);
        var churn = Find("churn", "native", "parley");
        if (churn is not null)
        {
            var ratio = churn.AfterChurnPerCpuSecond / churn.BeforeChurnPerCpuSecond;
            var churnHub = Find("churn", "hub", "hub");
            yield return ("same rate after 10,000 connections came and went", string.Create(c, $"{ratio:P0} of fresh per CPU-s (hub {churnHub?.AfterChurnPerCpuSecond / churnHub?.BeforeChurnPerCpuSecond:P0})"), ratio >= 0.9);
        }
        var lossy = results.Where(r => r.Server.StartsWith("parley", StringComparison.Ordinal) && (r.Lost > 0 || r.Duplicates > 0))
            .Select(r => $"{r.Scenario}/{r.Protocol}: lost {r.Lost:N0}, duplicates {r.Duplicates:N0}").ToList();
        var hubLate = results.Where(r => r.Server == "hub" && r.Lost > 0).Select(r => $"{r.Scenario}: {r.Lost:N0}").ToList();
        yield return ("nothing lost or duplicated in any Parley run",
            (lossy.Count == 0 ? "none" : string.Join("; ", lossy)) + (hubLate.Count == 0 ? "" : $" (hub, not arrived within the drain: {string.Join("; ", hubLate)})"),
            lossy.Count == 0);
    }
}
