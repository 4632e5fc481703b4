using System.Globalization;

namespace Parley.LoadGen.Scenarios;

/// <summary>
/// The run a report shows when a scenario ran several times: the median by the figure the scenario is about
/// (per CPU-second for throughput, p99 for the fixed rate, bytes per connection for idle), with the spread in its
/// note. Lost and duplicate counts are those of all runs together, so "nothing lost" covers every run.
/// </summary>
public static class MedianRun
{
    public static RunResult Of(IReadOnlyList<RunResult> runs)
    {
        if (runs.Count == 0) throw new ArgumentException("no runs", nameof(runs));
        if (runs.Count == 1) return runs[0];
        var (name, key, higherIsBetter, format) = KeyOf(runs[0].Scenario);
        // Worst first, so that with an even count the median is the worse of the two middle runs, never the flattering one.
        var ordered = higherIsBetter ? runs.OrderBy(key).ToList() : runs.OrderByDescending(key).ToList();
        var median = ordered[(ordered.Count - 1) / 2];
        var (low, high) = (runs.Min(key), runs.Max(key));
        var spread = string.Create(CultureInfo.InvariantCulture, $"median of {runs.Count} runs by {name} ({format(low)} to {format(high)})");
        return median with
        {
            Lost = runs.Sum(r => r.Lost),
            Duplicates = runs.Sum(r => r.Duplicates),
            Errors = runs.Sum(r => r.Errors),
            UdpDrops = runs.Sum(r => r.UdpDrops),
            Note = string.IsNullOrEmpty(median.Note) ? spread : $"{median.Note}; {spread}",
        };
    }

    private static (string Name, Func<RunResult, double> Key, bool HigherIsBetter, Func<double, string> Format) KeyOf(string scenario) => scenario switch
    {
        "rate" => ("p99", r => r.P99Ms, false, v => v.ToString("F2", CultureInfo.InvariantCulture) + " ms"),
        "idle" => ("memory per connection", r => r.BytesPerConnection, false, v => (v / 1024).ToString("F1", CultureInfo.InvariantCulture) + " KiB"),
        _ => ("per CPU-second", r => r.DeliveredPerCpuSecond, true, v => v.ToString("N0", CultureInfo.InvariantCulture)),
    };
}
