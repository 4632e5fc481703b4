using System.Diagnostics;

namespace Parley.LoadGen;

/// <summary>Latency samples in milliseconds (thread-safe append, sorted once at the end).</summary>
internal sealed class Recorder
{
    private readonly Lock _gate = new();
    private readonly List<double> _samples = new(1 << 16);

    public int Count
    {
        get { lock (_gate) return _samples.Count; }
    }

    public void AddSince(long startTimestamp)
    {
        var ms = Stopwatch.GetElapsedTime(startTimestamp).TotalMilliseconds;
        lock (_gate) _samples.Add(ms);
    }

    public (double P50, double P95, double P99, double Max) Percentiles()
    {
        double[] sorted;
        lock (_gate) sorted = [.. _samples];
        if (sorted.Length == 0) return (double.NaN, double.NaN, double.NaN, double.NaN);
        Array.Sort(sorted);
        return (At(sorted, 0.50), At(sorted, 0.95), At(sorted, 0.99), sorted[^1]);
    }

    private static double At(double[] sorted, double q) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
}
