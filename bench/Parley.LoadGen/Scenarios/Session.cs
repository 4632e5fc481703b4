using System.Diagnostics;
using Parley.LoadGen.Clients;
using Parley.LoadGen.Measure;
using Parley.LoadGen.Targets;

namespace Parley.LoadGen.Scenarios;

/// <summary>
/// One run's moving parts: the server under test, one client slot per user, the shared tally, a ticker for
/// keep-alives and delayed acks, and the progress display.
/// </summary>
public sealed class Session : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _ticker;
    private Task? _progress;
    private string _phase = "starting";
    private long _phaseStart = Stopwatch.GetTimestamp();

    private Session(RunOptions options, Target target, int users)
    {
        Options = options;
        Target = target;
        Tally = new Tally(users);
        Context = new ClientContext(Tally, target.Endpoints, options.TextLength, TimeSpan.FromMilliseconds(options.AckDelayMs), Errors);
        Clients = new ILoadClient?[users];
        _ticker = TickAsync();
    }

    public RunOptions Options { get; }
    public Target Target { get; }
    public Tally Tally { get; }
    public ErrorLog Errors { get; } = new();
    public ClientContext Context { get; }
    public ILoadClient?[] Clients { get; }
    public IReadOnlyList<LoadUser> Users => Target.Users;
    public string Label => $"{Options.Scenario.ToString().ToLowerInvariant()} {Target.Name} {RunOptions.Name(Options.Protocol)}";

    public static async Task<Session> StartAsync(RunOptions o, int users, int groupMembers)
    {
        var target = o.Url is not null
            ? await Target.ConnectAsync(o, o.Hub, users, groupMembers)
            : o.Hub ? await Target.StartHubAsync(o, users) : await Target.StartParleyAsync(o, users, groupMembers);
        var session = new Session(o, target, users);
        if (target.Pid is { } pid) Console.Error.WriteLine($"[{session.Label}] server pid {pid}{(target.LogPath is { } log ? ", log " + log : "")}");
        if (o.Progress) session._progress = session.ProgressAsync();
        return session;
    }

    public void Phase(string name)
    {
        _phase = name;
        _phaseStart = Stopwatch.GetTimestamp();
    }

    public ILoadClient NewClient(int index) => ClientFactory.Create(Options.Protocol, Users[index], Context);

    /// <summary>Connects the given users (at most <paramref name="concurrency"/> at a time); returns the seconds it took.</summary>
    public async Task<double> ConnectAsync(IReadOnlyList<int> indices, int concurrency, Func<ILoadClient, Task>? afterConnect = null)
    {
        var started = Stopwatch.GetTimestamp();
        var next = -1;
        var failures = 0;
        async Task Worker()
        {
            while (true)
            {
                var i = Interlocked.Increment(ref next);
                if (i >= indices.Count) return;
                var client = NewClient(indices[i]);
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                try
                {
                    await client.ConnectAsync(timeout.Token);
                    if (afterConnect is not null) await afterConnect(client).WaitAsync(timeout.Token);
                    Clients[indices[i]] = client;
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    Errors.Add($"connect failed: {ex.GetType().Name}: {ex.Message}");
                    if (Interlocked.Increment(ref failures) > Math.Max(10, indices.Count / 100))
                        throw new InvalidOperationException($"too many connect failures; first: {Errors.Top().FirstOrDefault()}", ex);
                    await client.CloseAsync();
                }
            }
        }
        await Task.WhenAll(Enumerable.Range(0, Math.Min(concurrency, indices.Count)).Select(_ => Task.Run(Worker)));
        return Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

    private async Task TickAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                var now = Stopwatch.GetTimestamp();
                foreach (var c in Clients)
                {
                    if (c is { IsClosed: false }) c.Tick(now);
                }
            }
        }
        catch (OperationCanceledException) { }
    }

    private async Task ProgressAsync()
    {
        var interactive = !Console.IsErrorRedirected;
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(interactive ? 1 : 5));
        long lastDelivered = 0;
        var lastAt = Stopwatch.GetTimestamp();
        var lastCpu = Target.CpuSeconds();
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                var now = Stopwatch.GetTimestamp();
                var seconds = Stopwatch.GetElapsedTime(lastAt, now).TotalSeconds;
                var delivered = Tally.Delivered;
                var cpu = Target.CpuSeconds();
                var (rss, _) = Target.Memory();
                var connected = Clients.Count(c => c is { IsClosed: false });
                var line = $"[{Label}] {_phase} {Stopwatch.GetElapsedTime(_phaseStart).TotalSeconds,5:F0}s  connected {connected:N0}  delivered {delivered:N0} ({(delivered - lastDelivered) / seconds:N0}/s)  server {(cpu - lastCpu) / seconds:F2} cores, {rss / 1048576.0:F0} MiB  errors {Errors.Count:N0}";
                Console.Error.Write(interactive ? "\r" + line.PadRight(Console.WindowWidth > 0 ? Math.Min(Console.WindowWidth - 1, 200) : 160) : line + Environment.NewLine);
                lastDelivered = delivered;
                lastAt = now;
                lastCpu = cpu;
                if (Target.Exited) Console.Error.WriteLine($"\nthe server exited; see its log");
            }
        }
        catch (OperationCanceledException) { }
        if (interactive) Console.Error.WriteLine();
    }

    /// <summary>Waits until nothing sent is missing (or the timeout), after the senders stopped.</summary>
    public async Task DrainAsync(TimeSpan timeout)
    {
        Phase("draining");
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < deadline && Tally.Lost() > 0) await Task.Delay(100);
        // Late duplicates (resends) show up after the last first arrival: give them a moment.
        await Task.Delay(300);
    }

    public TimeSpan DrainTimeout => Options.Protocol is WireProtocol.MimUdp or WireProtocol.MimTcp or WireProtocol.MimWs
        ? TimeSpan.FromSeconds(15) : TimeSpan.FromSeconds(10);

    /// <summary>Result fields every scenario shares: counts, memory, errors.</summary>
    public RunResult Common(string scenario) => new()
    {
        Scenario = scenario,
        Server = Target.Name,
        Protocol = RunOptions.Name(Options.Protocol),
        Users = Users.Count,
        Sent = Tally.TotalSent,
        Expected = Tally.Expected(),
        Delivered = Tally.WindowDelivered,
        Lost = Tally.Lost(),
        Duplicates = Tally.Duplicates,
        Acked = Tally.Acked,
        Errors = Errors.Count + Tally.Foreign,
        ServerRssBytes = Target.Memory().Rss,
        ServerPeakRssBytes = Target.Memory().Peak,
        UdpDrops = Target.UdpDrops(),
        ErrorSamples = Errors.Top(),
        P50Ms = Tally.Latency.PercentileMs(0.5),
        P99Ms = Tally.Latency.PercentileMs(0.99),
        P999Ms = Tally.Latency.PercentileMs(0.999),
        MaxMs = Tally.Latency.Count > 0 ? Tally.Latency.MaxMs : double.NaN,
    };

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        try { await _ticker; } catch (OperationCanceledException) { }
        if (_progress is not null) await _progress;
        await Task.WhenAll(Clients.Where(c => c is not null).Select(c => c!.CloseAsync().WaitAsync(TimeSpan.FromSeconds(5)).ContinueWith(_ => { }, TaskScheduler.Default)));
        await Target.DisposeAsync();
    }
}
