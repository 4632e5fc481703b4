using System.Diagnostics;
using Parley.LoadGen.Clients;

namespace Parley.LoadGen.Scenarios;

/// <summary>The five scenarios. Each starts its own server (or uses --url) and returns one result.</summary>
public static class Scenarios
{
    public static Task<RunResult> RunAsync(RunOptions o) => o.Scenario switch
    {
        Scenario.Pairs => PairsAsync(o, closedLoop: true),
        Scenario.Rate => PairsAsync(o, closedLoop: false),
        Scenario.Group => GroupAsync(o),
        Scenario.Idle => IdleAsync(o),
        Scenario.Churn => ChurnAsync(o),
        _ => throw new ArgumentOutOfRangeException(nameof(o)),
    };

    /// <summary>Users 2k → 2k+1; closed loop (W in flight per sender) or a fixed offered rate.</summary>
    private static async Task<RunResult> PairsAsync(RunOptions o, bool closedLoop)
    {
        await using var s = await Session.StartAsync(o, o.Users, 0);
        s.Phase("connecting");
        await s.ConnectAsync(Enumerable.Range(0, o.Users).ToList(), o.ConnectConcurrency);
        var senders = Enumerable.Range(0, o.Users / 2).Select(k => 2 * k).Where(i => s.Clients[i] is not null && s.Clients[i + 1] is not null).ToArray();
        foreach (var i in senders) s.Tally.Route(i, i + 1);

        using ILoad load = closedLoop ? ClosedLoop.Start(s, senders, o.InFlight) : OpenLoop.Start(s, senders, o.Rate, (c, seq, ts) => c.SendDirect(s.Users[c.User.Index + 1], seq, ts));
        var window = await MeasureAsync(s, o.WarmupSeconds, o.DurationSeconds);
        load.Stop();
        await s.DrainAsync(s.DrainTimeout);
        return (await WithCommitsAsync(s, s.Common(closedLoop ? "pairs" : "rate"), window)) with
        {
            OfferedRate = closedLoop ? 0 : o.Rate,
            Note = closedLoop ? $"{senders.Length} pairs, {o.InFlight} in flight per sender" : $"{senders.Length} pairs",
        };
    }

    /// <summary>One group of M online members; S members send at a fixed total rate; every other member receives.</summary>
    private static async Task<RunResult> GroupAsync(RunOptions o)
    {
        var rate = o.Rate > 0 ? o.Rate : 20;
        await using var s = await Session.StartAsync(o, o.Members, o.Members);
        s.Phase("connecting");
        await s.ConnectAsync(Enumerable.Range(0, o.Members).ToList(), o.ConnectConcurrency,
            c => c is HubClient hub ? hub.JoinGroupAsync(CancellationToken.None) : Task.CompletedTask);
        var members = Enumerable.Range(0, o.Members).Where(i => s.Clients[i] is not null).ToArray();
        var senders = members.Take(o.GroupSenders).ToArray();
        foreach (var i in senders) s.Tally.Route(i, members.Where(m => m != i).ToArray());
        var groupId = s.Target.GroupId;

        using var load = OpenLoop.Start(s, senders, rate, (c, seq, ts) => c.SendGroup(groupId, seq, ts));
        var window = await MeasureAsync(s, o.WarmupSeconds, o.DurationSeconds);
        load.Stop();
        await s.DrainAsync(s.DrainTimeout);
        return (await WithCommitsAsync(s, s.Common("group"), window)) with
        {
            OfferedRate = rate * (members.Length - 1),
            Note = $"{members.Length} members, {senders.Length} senders, {rate:N0} messages/s to the group",
        };
    }

    /// <summary>N users connect and stay idle; server memory per connection; then one probe message per pair.</summary>
    private static async Task<RunResult> IdleAsync(RunOptions o)
    {
        var n = o.Connections + o.Connections % 2;
        await using var s = await Session.StartAsync(o, n, 0);
        // One-time costs are not per connection: the connection path's JIT and type loading, buffer pools, thread-pool
        // growth. A few hundred connections come and go before the baseline is read, on either server.
        s.Phase("warming");
        await WarmConnectionsAsync(s, Math.Min(500, n / 10), o.ConnectConcurrency);
        s.Phase("settling");
        await Task.Delay(2000);
        var before = s.Target.Memory().Rss;
        s.Phase("connecting");
        var seconds = await s.ConnectAsync(Enumerable.Range(0, n).ToList(), o.ConnectConcurrency);
        var connected = s.Clients.Count(c => c is not null);
        s.Phase("holding");
        await Task.Delay(TimeSpan.FromSeconds(o.HoldSeconds));
        var after = s.Target.Memory().Rss;
        var dropped = s.Clients.Count(c => c is { IsClosed: true });
        if (dropped > 0) s.Errors.Add($"{dropped} idle connections were closed during the hold");

        // Every connection still delivers: one message per pair, at a modest rate.
        s.Phase("probing");
        var senders = Enumerable.Range(0, n / 2).Select(k => 2 * k).Where(i => s.Clients[i] is not null && s.Clients[i + 1] is not null).ToArray();
        foreach (var i in senders) s.Tally.Route(i, i + 1);
        s.Tally.StartWindow();
        var started = Stopwatch.GetTimestamp();
        foreach (var i in senders)
        {
            s.Clients[i]!.SendDirect(s.Users[i + 1], s.Tally.NextSeq(i), Stopwatch.GetTimestamp());
            if (i % 200 == 0) await Task.Delay(20);
        }
        await s.DrainAsync(s.DrainTimeout);
        s.Tally.StopWindow();
        return s.Common("idle") with
        {
            WindowSeconds = 0,
            BytesPerConnection = (after - before) / (double)Math.Max(1, connected),
            ConnectsPerSecond = connected / seconds,
            Note = $"{connected:N0} connections held {o.HoldSeconds} s; RSS {before / 1048576.0:F0} → {after / 1048576.0:F0} MiB; probe {senders.Length:N0} messages in {Stopwatch.GetElapsedTime(started).TotalSeconds:F1} s",
        };
    }

    /// <summary>Connects and closes the first <paramref name="count"/> users, <paramref name="concurrency"/> at a time.</summary>
    private static async Task WarmConnectionsAsync(Session s, int count, int concurrency)
    {
        var next = -1;
        async Task Worker()
        {
            while (Interlocked.Increment(ref next) is var k && k < count)
            {
                var client = s.NewClient(k);
                try
                {
                    using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                    await client.ConnectAsync(timeout.Token);
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    s.Errors.Add($"warm-up connect failed: {ex.Message}");
                }
                await client.CloseAsync();
            }
        }
        await Task.WhenAll(Enumerable.Range(0, Math.Max(1, Math.Min(concurrency, count))).Select(_ => Task.Run(Worker)));
    }

    /// <summary>
    /// Pairs in a closed loop throughout; measured fresh, then while --churn connections of other users connect and
    /// close, then measured again. Nothing may be lost; the rate after should equal the rate before.
    /// </summary>
    private static async Task<RunResult> ChurnAsync(RunOptions o)
    {
        var pool = Math.Min(o.Churn, 1000);
        await using var s = await Session.StartAsync(o, o.Users + pool, 0);
        s.Phase("connecting");
        await s.ConnectAsync(Enumerable.Range(0, o.Users).ToList(), o.ConnectConcurrency);
        var senders = Enumerable.Range(0, o.Users / 2).Select(k => 2 * k).Where(i => s.Clients[i] is not null && s.Clients[i + 1] is not null).ToArray();
        foreach (var i in senders) s.Tally.Route(i, i + 1);

        using var load = ClosedLoop.Start(s, senders, o.InFlight);
        s.Phase("warm-up");
        await Task.Delay(TimeSpan.FromSeconds(o.WarmupSeconds));
        s.Phase("fresh");
        var fresh = await CountAsync(s, o.DurationSeconds);

        s.Phase("churning");
        var churnStarted = Stopwatch.GetTimestamp();
        var next = -1;
        var failed = 0;
        async Task Churner()
        {
            while (true)
            {
                var k = Interlocked.Increment(ref next);
                if (k >= o.Churn) return;
                var client = s.NewClient(o.Users + k % pool);
                try
                {
                    using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                    await client.ConnectAsync(timeout.Token);
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    if (Interlocked.Increment(ref failed) <= 5) s.Errors.Add($"churn connect failed: {ex.Message}");
                }
                await client.CloseAsync();
            }
        }
        await Task.WhenAll(Enumerable.Range(0, o.ChurnConcurrency).Select(_ => Task.Run(Churner)));
        var churnSeconds = Stopwatch.GetElapsedTime(churnStarted).TotalSeconds;

        s.Phase("settling");
        await Task.Delay(2000);
        s.Phase("after churn");
        s.Tally.StartWindow();
        var afterChurn = await CountAsync(s, o.DurationSeconds);
        s.Tally.StopWindow();
        load.Stop();
        await s.DrainAsync(s.DrainTimeout);
        return s.Common("churn") with
        {
            WindowSeconds = afterChurn.Seconds,
            Delivered = afterChurn.Delivered,
            DeliveredPerSecond = afterChurn.Delivered / afterChurn.Seconds,
            ServerCpuSeconds = afterChurn.Cpu,
            DeliveredPerCpuSecond = afterChurn.Delivered / afterChurn.Cpu,
            BeforeChurnPerCpuSecond = fresh.Delivered / fresh.Cpu,
            AfterChurnPerCpuSecond = afterChurn.Delivered / afterChurn.Cpu,
            ConnectsPerSecond = o.Churn / churnSeconds,
            Note = $"{senders.Length} pairs, {o.InFlight} in flight; fresh {fresh.Delivered / fresh.Seconds:N0}/s, after {o.Churn:N0} connections came and went {afterChurn.Delivered / afterChurn.Seconds:N0}/s; {failed} churn connects failed",
        };
    }

    private readonly record struct Window(double Seconds, long Delivered, double Cpu);

    private static async Task<Window> CountAsync(Session s, int seconds)
    {
        var cpu0 = s.Target.CpuSeconds();
        var d0 = s.Tally.Delivered;
        var t0 = Stopwatch.GetTimestamp();
        await Task.Delay(TimeSpan.FromSeconds(seconds));
        var d1 = s.Tally.Delivered;
        var cpu1 = s.Target.CpuSeconds();
        return new Window(Stopwatch.GetElapsedTime(t0).TotalSeconds, d1 - d0, cpu1 - cpu0);
    }

    /// <summary>Warm-up, then the measured window (latency recorded only inside it).</summary>
    private static async Task<Window> MeasureAsync(Session s, int warmup, int duration)
    {
        s.Phase("warm-up");
        await Task.Delay(TimeSpan.FromSeconds(warmup));
        s.Phase("measuring");
        var cpu0 = s.Target.CpuSeconds();
        var t0 = Stopwatch.GetTimestamp();
        s.Tally.StartWindow();
        await Task.Delay(TimeSpan.FromSeconds(duration));
        s.Tally.StopWindow();
        var cpu1 = s.Target.CpuSeconds();
        return new Window(Stopwatch.GetElapsedTime(t0).TotalSeconds, s.Tally.WindowDelivered, cpu1 - cpu0);
    }

    private static async Task<RunResult> WithCommitsAsync(Session s, RunResult r, Window w)
    {
        var metrics = await s.Target.ScrapeAsync();
        var batch = double.NaN;
        if (metrics is not null)
        {
            var count = metrics.Get("parley_store_commit_batch_size_count");
            if (count > 0) batch = metrics.Get("parley_store_commit_batch_size_sum") / count;
        }
        return r with
        {
            WindowSeconds = w.Seconds,
            Delivered = w.Delivered,
            DeliveredPerSecond = w.Delivered / w.Seconds,
            ServerCpuSeconds = w.Cpu,
            DeliveredPerCpuSecond = w.Delivered / w.Cpu,
            AverageCommitBatch = batch,
        };
    }
}

/// <summary>Each sender keeps W messages in flight: a message's first arrival releases the next.</summary>
/// <summary>A running sender pattern.</summary>
internal interface ILoad : IDisposable
{
    void Stop();
}

internal sealed class ClosedLoop : ILoad
{
    private readonly Session _s;
    private volatile bool _running = true;

    private ClosedLoop(Session s) => _s = s;

    public static ClosedLoop Start(Session s, int[] senders, int inFlight)
    {
        var loop = new ClosedLoop(s);
        s.Tally.FirstArrival = loop.Released;
        foreach (var i in senders)
        {
            for (var w = 0; w < inFlight; w++) loop.Send(i);
        }
        return loop;
    }

    private void Released(int sender)
    {
        if (_running) Send(sender);
    }

    private void Send(int sender)
    {
        if (_s.Clients[sender] is not { IsClosed: false } client) return;
        client.SendDirect(_s.Users[sender + 1], _s.Tally.NextSeq(sender), Stopwatch.GetTimestamp());
    }

    public void Stop() => _running = false;

    public void Dispose() => Stop();
}

/// <summary>
/// A fixed offered rate from a dedicated thread, round-robin over the senders. Each message is stamped with the
/// time it was due, not the time it left, so a server that falls behind shows it in the latency (no coordinated omission).
/// </summary>
internal sealed class OpenLoop : ILoad
{
    private volatile bool _running = true;
    private readonly Thread _thread;

    private OpenLoop(Session s, int[] senders, double rate, Action<ILoadClient, long, long> send)
    {
        _thread = new Thread(() =>
        {
            var start = Stopwatch.GetTimestamp();
            var ticksPerMessage = Stopwatch.Frequency / rate;
            long issued = 0;
            while (_running)
            {
                var due = (long)((Stopwatch.GetTimestamp() - start) / ticksPerMessage);
                for (; issued < due && _running; issued++)
                {
                    var sender = senders[issued % senders.Length];
                    if (s.Clients[sender] is not { IsClosed: false } client) continue;
                    send(client, s.Tally.NextSeq(sender), start + (long)(issued * ticksPerMessage));
                }
                Thread.Sleep(1);
            }
        }) { IsBackground = true, Name = "open loop" };
        _thread.Start();
    }

    public static OpenLoop Start(Session s, int[] senders, double rate, Action<ILoadClient, long, long> send) => new(s, senders, rate, send);

    public void Stop()
    {
        _running = false;
        _thread.Join();
    }

    public void Dispose()
    {
        if (_running) Stop();
    }
}
