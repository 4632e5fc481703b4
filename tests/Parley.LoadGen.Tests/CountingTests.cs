using System.Buffers;
using System.Diagnostics;
using Parley.LoadGen.Clients;
using Parley.LoadGen.Measure;

namespace Parley.LoadGen.Tests;

public class CountingTests
{
    [Fact]
    public void Seen_set_counts_each_seq_once_in_any_order()
    {
        var set = new SeenSet();
        Assert.True(set.Mark(5));
        Assert.True(set.Mark(0));
        Assert.False(set.Mark(5));
        Assert.True(set.Mark(1000));
        Assert.Equal(3, set.Count);
        Assert.True(set.Contains(1000));
        Assert.False(set.Contains(999));
        Assert.False(set.Contains(-1));
        Assert.Equal(6, set.MissingBelow(8));     // 1, 2, 3, 4, 6, 7
        Assert.Equal(1001 - 3, set.MissingBelow(1001));
        Assert.Equal(0, new SeenSet().MissingBelow(0));
    }

    [Fact]
    public void Stamp_round_trips_and_rejects_other_text()
    {
        Span<byte> buffer = stackalloc byte[64];
        var n = Tally.WriteStamp(buffer, 12, 345, 678901234567);
        Assert.True(Tally.TryReadStamp(buffer[..n], out var sender, out var seq, out var ts));
        Assert.Equal((12, 345L, 678901234567L), (sender, seq, ts));
        Assert.False(Tally.TryReadStamp("hello"u8, out _, out _, out _));
        Assert.False(Tally.TryReadStamp("1.2.3"u8, out _, out _, out _));       // no closing dot
        Assert.False(Tally.TryReadStamp("-1.2.3."u8, out _, out _, out _));
        Assert.False(Tally.TryReadStamp(""u8, out _, out _, out _));
    }

    [Fact]
    public void Message_text_is_the_stamp_padded_to_the_length()
    {
        var w = new ArrayBufferWriter<byte>();
        MessageText.Write(w, 3, 7, 99, 40);
        Assert.Equal(40, w.WrittenCount);
        Assert.StartsWith("3.7.99.xxx", System.Text.Encoding.ASCII.GetString(w.WrittenSpan));
        Assert.True(Tally.TryReadStamp(w.WrittenSpan, out var sender, out var seq, out _));
        Assert.Equal((3, 7L), (sender, seq));
        Assert.Equal(MessageText.AsString(3, 7, 99, 40), System.Text.Encoding.ASCII.GetString(w.WrittenSpan));
    }

    [Fact]
    public void Tally_counts_lost_duplicates_and_strangers_per_route()
    {
        var tally = new Tally(4);
        tally.Route(0, 1);
        tally.Route(2, 1, 3);          // a group-like route: both 1 and 3 must get everything 2 sends
        var released = new List<int>();
        tally.FirstArrival = released.Add;
        for (var i = 0; i < 3; i++) tally.NextSeq(0);
        for (var i = 0; i < 2; i++) tally.NextSeq(2);
        Assert.Equal(3 + 2 * 2, tally.Expected());
        Assert.Equal(7, tally.Lost());

        Arrive(tally, 1, 0, 0);
        Arrive(tally, 1, 0, 2);
        Arrive(tally, 1, 0, 2);        // duplicate
        Arrive(tally, 1, 2, 0);
        Arrive(tally, 3, 2, 1);
        tally.Arrived(3, "not a stamp"u8);
        Arrive(tally, 3, 9, 0);        // sender out of range: a stranger

        Assert.Equal(4, tally.Delivered);
        Assert.Equal(1, tally.Duplicates);
        Assert.Equal(2, tally.Foreign);
        Assert.Equal(3, tally.Lost());  // 0→1 seq 1, 2→1 seq 1, 2→3 seq 0
        Assert.Equal([0, 0, 2, 2], released);
        Assert.Equal(0, tally.WindowDelivered);
        Assert.Equal(0, tally.Latency.Count);
    }

    [Fact]
    public void Only_deliveries_inside_the_window_are_timed()
    {
        var tally = new Tally(2);
        tally.Route(0, 1);
        tally.NextSeq(0);
        tally.NextSeq(0);
        Arrive(tally, 1, 0, 0);
        tally.StartWindow();
        Arrive(tally, 1, 0, 1, Stopwatch.GetTimestamp() - Stopwatch.Frequency / 100);   // sent 10 ms ago
        tally.StopWindow();
        Assert.Equal(1, tally.WindowDelivered);
        Assert.Equal(1, tally.Latency.Count);
        Assert.InRange(tally.Latency.PercentileMs(0.5), 9.5, 1000);
    }

    private static void Arrive(Tally tally, int receiver, int sender, long seq, long? timestamp = null)
    {
        Span<byte> buffer = stackalloc byte[64];
        var n = Tally.WriteStamp(buffer, sender, seq, timestamp ?? Stopwatch.GetTimestamp());
        tally.Arrived(receiver, buffer[..n]);
    }

    [Fact]
    public void Histogram_percentiles_are_within_its_resolution()
    {
        var h = new LatencyHistogram();
        Assert.True(double.IsNaN(h.PercentileMs(0.5)));
        for (var us = 1; us <= 10_000; us++) h.RecordMicros(us);
        Assert.Equal(10_000, h.Count);
        Assert.InRange(h.PercentileMs(0.5), 5.0 * 0.98, 5.0 * 1.02);
        Assert.InRange(h.PercentileMs(0.99), 9.9 * 0.98, 9.9 * 1.02);
        Assert.Equal(10.0, h.MaxMs);
        Assert.Equal(10.0, h.PercentileMs(1.0));
        for (var index = 0; index < 64 * 40 - 1; index++)
        {
            var upper = LatencyHistogram.UpperOf(index);
            Assert.Equal(index, LatencyHistogram.IndexOf(upper));
            Assert.Equal(index + 1, LatencyHistogram.IndexOf(upper + 1));
        }
    }
}
