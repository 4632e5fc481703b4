using System.Globalization;

namespace Parley.LoadGen;

/// <summary>Command-line options (plain parsing: <c>--name value</c>).</summary>
internal sealed record LoadGenOptions
{
    public int Users { get; init; } = 20;
    public int Senders { get; init; } = 8;
    public int InFlight { get; init; } = 4;
    public int DurationSeconds { get; init; } = 10;
    public double GroupRatio { get; init; } = 0.3;
    public string Synchronous { get; init; } = "Full";
    public int CommitBatchSize { get; init; }
    public Uri? Url { get; init; }
    public int TextLength { get; init; } = 100;

    public const string Usage = """
        Parley.LoadGen: drives a Parley server with the C# SDK and prints throughput and latency.

          --users N          users registered and connected (default 20)
          --senders N        users that send (default 8, at most --users)
          --inflight N       concurrent unacknowledged sends per sender (default 4)
          --duration S       seconds of sending (default 10); the run then stops by itself
          --group-ratio R    fraction of sends to the shared group, the rest are direct (default 0.3)
          --sync Full|Normal SQLite synchronous mode of the in-process server (default Full)
          --batch N          commit batch size of the in-process server (default: the server's, 256)
          --text N           characters of text per message (default 100)
          --url URL          target a running server instead of booting one; its rate limits
                             (Parley:Connections:RatePerSecond/RateBurst) must allow the load
          --help
        """;

    public static LoadGenOptions? Parse(string[] args)
    {
        var o = new LoadGenOptions();
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            if (name is "--help" or "-h" or "-?") return null;
            if (i + 1 >= args.Length) throw new ArgumentException($"{name} needs a value");
            var value = args[++i];
            o = name switch
            {
                "--users" => o with { Users = Int(name, value, 2) },
                "--senders" => o with { Senders = Int(name, value, 1) },
                "--inflight" => o with { InFlight = Int(name, value, 1) },
                "--duration" => o with { DurationSeconds = Int(name, value, 1) },
                "--group-ratio" => o with { GroupRatio = Ratio(name, value) },
                "--sync" => o with { Synchronous = Sync(value) },
                "--batch" => o with { CommitBatchSize = Int(name, value, 1) },
                "--text" => o with { TextLength = Int(name, value, 1) },
                "--url" => o with { Url = new Uri(value.EndsWith('/') ? value : value + "/") },
                _ => throw new ArgumentException($"unknown option {name}"),
            };
        }
        return o.Senders > o.Users ? o with { Senders = o.Users } : o;
    }

    private static int Int(string name, string value, int min) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v >= min
            ? v : throw new ArgumentException($"{name} must be an integer >= {min}");

    private static double Ratio(string name, string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v is >= 0 and <= 1
            ? v : throw new ArgumentException($"{name} must be between 0 and 1");

    private static string Sync(string value) => value.ToLowerInvariant() switch
    {
        "full" => "Full",
        "normal" => "Normal",
        _ => throw new ArgumentException("--sync must be Full or Normal"),
    };
}
