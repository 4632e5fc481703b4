using System.Globalization;

namespace Parley.LoadGen.Measure;

/// <summary>
/// Latencies in microseconds, log-linear buckets (1/64 relative resolution, about 1.6 %) from 1 µs to ~70 minutes.
/// Recording is one interlocked increment, so every receive loop records into the same histogram.
/// </summary>
public sealed class LatencyHistogram
{
    private const int SubBits = 6;
    private const int Sub = 1 << SubBits;
    private readonly long[] _counts = new long[Sub * 40];
    private long _max;
    private long _total;

    public long Count => Interlocked.Read(ref _total);

    public double MaxMs => Interlocked.Read(ref _max) / 1000.0;

    public void RecordMicros(long micros)
    {
        if (micros < 0) micros = 0;
        Interlocked.Increment(ref _counts[IndexOf(micros)]);
        Interlocked.Increment(ref _total);
        long max;
        while (micros > (max = Interlocked.Read(ref _max)) && Interlocked.CompareExchange(ref _max, micros, max) != max) { }
    }

    internal static int IndexOf(long micros)
    {
        if (micros < Sub) return (int)micros;
        var exponent = 63 - System.Numerics.BitOperations.LeadingZeroCount((ulong)micros) - SubBits; // >= 0
        var mantissa = (int)(micros >> exponent) - Sub; // 0 … Sub-1
        return Math.Min((exponent + 1) * Sub + mantissa, Sub * 40 - 1);
    }

    /// <summary>Upper edge of a bucket, in microseconds.</summary>
    internal static long UpperOf(int index)
    {
        if (index < Sub) return index;
        var exponent = index / Sub - 1;
        var mantissa = index % Sub;
        return ((long)(Sub + mantissa + 1) << exponent) - 1;
    }

    /// <summary>The latency below which a fraction <paramref name="q"/> of samples fall, in milliseconds (NaN when empty).</summary>
    public double PercentileMs(double q)
    {
        var total = Count;
        if (total == 0) return double.NaN;
        var rank = (long)Math.Ceiling(q * total);
        if (rank < 1) rank = 1;
        long seen = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            seen += Interlocked.Read(ref _counts[i]);
            if (seen >= rank) return Math.Min(UpperOf(i), Interlocked.Read(ref _max)) / 1000.0;
        }
        return MaxMs;
    }

    public string Describe() => Count == 0
        ? "no samples"
        : string.Create(CultureInfo.InvariantCulture,
            $"p50 {PercentileMs(0.5):F2} ms  p99 {PercentileMs(0.99):F2} ms  p99.9 {PercentileMs(0.999):F2} ms  max {MaxMs:F2} ms");
}
