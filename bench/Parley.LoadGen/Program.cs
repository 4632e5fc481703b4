using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Parley.Client;
using Parley.LoadGen;

// dotnet run -c Release --project bench/Parley.LoadGen -- [--users 20] [--senders 8] [--inflight 4] [--duration 10]
//     [--group-ratio 0.3] [--sync Full|Normal] [--batch N] [--url http://host:port/]
LoadGenOptions? options;
try
{
    options = LoadGenOptions.Parse(args);
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine(ex.Message);
    Console.Error.WriteLine(LoadGenOptions.Usage);
    return 2;
}
if (options is null)
{
    Console.WriteLine(LoadGenOptions.Usage);
    return 0;
}

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
await using var server = options.Url is null ? await InProcessServer.StartAsync(options) : null;
var baseUri = options.Url ?? server!.BaseUri;
return await new LoadRun(options, baseUri, inProcess: server is not null).RunAsync();

namespace Parley.LoadGen
{
    internal sealed class LoadRun(LoadGenOptions options, Uri baseUri, bool inProcess)
    {
        private const string Password = "loadgen-password";
        private readonly Recorder _ack = new();
        private readonly Recorder _delivery = new();
        private long _directAcks;
        private long _groupAcks;
        private long _errors;
        private long _received;
        private string? _firstError;

        public async Task<int> RunAsync()
        {
            using var http = new HttpClient { BaseAddress = baseUri, Timeout = TimeSpan.FromSeconds(60) };
            var run = Guid.NewGuid().ToString("N")[..6];
            Console.WriteLine($"Parley.LoadGen: users={options.Users} senders={options.Senders} inflight={options.InFlight} duration={options.DurationSeconds}s " +
                $"group-ratio={options.GroupRatio} text={options.TextLength} chars " +
                (inProcess ? $"sync={options.Synchronous}{(options.CommitBatchSize > 0 ? $" batch={options.CommitBatchSize}" : "")} (in-process server {baseUri})" : $"(server {baseUri})"));
            Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, {RuntimeInformation.ProcessArchitecture}, .NET {Environment.Version}");

            // Users: register + log in (PBKDF2 makes this the slow part of the setup), a bounded number at a time.
            var setup = Stopwatch.StartNew();
            var users = new User[options.Users];
            using (var gate = new SemaphoreSlim(4))
            {
                await Task.WhenAll(Enumerable.Range(0, options.Users).Select(async i =>
                {
                    await gate.WaitAsync();
                    try
                    {
                        var api = new ParleyApiClient(baseUri);
                        var name = $"lg{run}u{i:D4}";
                        await api.RegisterAsync(name, Password, $"Load user {i}");
                        var login = await api.LoginAsync(name, Password);
                        users[i] = new User(name, login.User.Id, login.Token, api);
                    }
                    finally
                    {
                        gate.Release();
                    }
                }));
            }
            var group = await users[0].Api.CreateGroupAsync("loadgen " + run);
            foreach (var u in users.Skip(1)) await u.Api.JoinGroupAsync(group.Id);

            foreach (var u in users)
            {
                u.Client = new ParleyClient(baseUri, u.Token, new ParleyClientOptions { RequestTimeout = TimeSpan.FromSeconds(30) });
                var self = u.Id;
                u.Client.MessageReceived += (_, m) => OnMessage(self, m);
            }
            await Task.WhenAll(users.Select(u => u.Client!.ConnectAsync()));
            Console.WriteLine($"setup: {options.Users} users registered, in one group and connected in {setup.Elapsed.TotalSeconds:F1} s");

            var before = await MetricsSnapshot.ScrapeAsync(http, baseUri);
            var started = Stopwatch.GetTimestamp();
            var deadline = started + (long)(options.DurationSeconds * (double)Stopwatch.Frequency);
            var senders = new List<Task>();
            for (var s = 0; s < options.Senders; s++)
            {
                for (var w = 0; w < options.InFlight; w++) senders.Add(SendLoopAsync(users, s, group.Id, deadline, seed: (s * 7919) + w));
            }
            await Task.WhenAll(senders);
            var elapsed = Stopwatch.GetElapsedTime(started);

            // Let the last deliveries arrive (bounded wait).
            var expected = Interlocked.Read(ref _directAcks) + (Interlocked.Read(ref _groupAcks) * (options.Users - 1));
            var drain = Stopwatch.StartNew();
            while (Interlocked.Read(ref _received) < expected && drain.Elapsed < TimeSpan.FromSeconds(10)) await Task.Delay(50);
            var after = await MetricsSnapshot.ScrapeAsync(http, baseUri);

            Report(elapsed, expected, before, after);
            await Task.WhenAll(users.Select(async u =>
            {
                await u.Client!.DisposeAsync();
                u.Api.Dispose();
            }));
            return Interlocked.Read(ref _errors) == 0 && _ack.Count > 0 ? 0 : 1;
        }

        private async Task SendLoopAsync(User[] users, int senderIndex, long groupId, long deadline, int seed)
        {
            await Task.Yield();
            var random = new Random(seed);
            var me = users[senderIndex];
            var padding = new string('x', Math.Max(0, options.TextLength - 24));
            while (Stopwatch.GetTimestamp() < deadline)
            {
                var toGroup = random.NextDouble() < options.GroupRatio;
                var start = Stopwatch.GetTimestamp();
                var text = "lg " + start.ToString(CultureInfo.InvariantCulture) + " " + padding;
                try
                {
                    if (toGroup)
                    {
                        await me.Client!.SendToGroupAsync(groupId, text);
                        Interlocked.Increment(ref _groupAcks);
                    }
                    else
                    {
                        var other = random.Next(users.Length - 1);
                        if (other >= senderIndex) other++;
                        await me.Client!.SendAsync(users[other].Name, text);
                        Interlocked.Increment(ref _directAcks);
                    }
                    _ack.AddSince(start);
                }
                catch (Exception ex) when (ex is ParleyRequestException or ParleyConnectionException or TimeoutException or InvalidOperationException or IOException)
                {
                    Interlocked.Increment(ref _errors);
                    Interlocked.CompareExchange(ref _firstError, ex.GetType().Name + ": " + ex.Message, null);
                }
            }
        }

        private void OnMessage(long self, ChatMessage message)
        {
            if (message.From == self || message.Text is not { } text || !text.StartsWith("lg ", StringComparison.Ordinal)) return;
            var end = text.IndexOf(' ', 3);
            if (end < 0 || !long.TryParse(text.AsSpan(3, end - 3), NumberStyles.None, CultureInfo.InvariantCulture, out var sentAt)) return;
            _delivery.AddSince(sentAt);
            Interlocked.Increment(ref _received);
        }

        private void Report(TimeSpan elapsed, long expected, MetricsSnapshot before, MetricsSnapshot after)
        {
            var acked = _ack.Count;
            var seconds = elapsed.TotalSeconds;
            Console.WriteLine();
            Console.WriteLine($"acknowledged (durable) sends: {acked} in {seconds:F1} s = {acked / seconds:F0} msg/s " +
                $"(direct {Interlocked.Read(ref _directAcks)}, group {Interlocked.Read(ref _groupAcks)}), errors {Interlocked.Read(ref _errors)}" +
                (_firstError is null ? "" : $" (first: {_firstError})"));
            var a = _ack.Percentiles();
            Console.WriteLine($"ack latency (send -> durable ack):              p50 {a.P50,7:F2} ms  p95 {a.P95,7:F2} ms  p99 {a.P99,7:F2} ms  max {a.Max,7:F2} ms");
            var d = _delivery.Percentiles();
            Console.WriteLine($"delivery latency (send -> MessageReceived):     p50 {d.P50,7:F2} ms  p95 {d.P95,7:F2} ms  p99 {d.P99,7:F2} ms  max {d.Max,7:F2} ms");
            var received = Interlocked.Read(ref _received);
            Console.WriteLine($"deliveries: {received} of {expected} expected ({received / seconds:F0} deliveries/s)");

            const string batch = "parley_store_commit_batch_size";
            const string commit = "parley_store_commit_seconds";
            var commits = after.Delta(before, batch + "_count");
            var committed = after.Delta(before, batch + "_sum");
            var commitSeconds = after.Delta(before, commit + "_sum");
            Console.WriteLine();
            Console.WriteLine("server /metrics over the run (group commit):");
            if (commits <= 0)
            {
                Console.WriteLine("  no commits recorded");
                return;
            }
            Console.WriteLine($"  commits {commits:F0}, messages committed {committed:F0}, average batch {committed / commits:F2} messages/commit");
            Console.WriteLine($"  commit time: average {commitSeconds / commits * 1000:F2} ms/commit, {commitSeconds / committed * 1000:F3} ms/message, " +
                $"writer busy {commitSeconds / seconds * 100:F0}% of the run");
            Console.WriteLine("  batch size histogram (messages/commit, cumulative bucket counts):  " + Buckets(after.Buckets(before, batch), commits));
            Console.WriteLine("  commit time histogram (seconds, cumulative bucket counts):        " + Buckets(after.Buckets(before, commit), commits));
            var deliveries = after.Delta(before, "parley_delivery_latency_seconds_count");
            if (deliveries > 0)
                Console.WriteLine($"  server accept -> queued to recipients: average {after.Delta(before, "parley_delivery_latency_seconds_sum") / deliveries * 1000:F2} ms");
        }

        /// <summary>Cumulative buckets from the first non-empty one up to the first that holds everything.</summary>
        private static string Buckets(List<(string Le, double Count)> buckets, double total)
        {
            var shown = new List<string>();
            foreach (var (le, count) in buckets)
            {
                if (count <= 0) continue;
                shown.Add($"<={le}: {count:F0} ({count / total * 100:F0}%)");
                if (count >= total) break;
            }
            return string.Join("  ", shown);
        }

        private sealed class User(string name, long id, string token, ParleyApiClient api)
        {
            public string Name { get; } = name;
            public long Id { get; } = id;
            public string Token { get; } = token;
            public ParleyApiClient Api { get; } = api;
            public ParleyClient? Client { get; set; }
        }
    }
}
