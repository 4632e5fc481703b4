using Parley.LoadGen.Scenarios;

namespace Parley.LoadGen.Tests;

public class MedianRunTests
{
    private static RunResult Run(string scenario, double perCpu = 0, double p99 = double.NaN, double bytes = double.NaN, long lost = 0, long dup = 0, string? note = null) =>
        new() { Scenario = scenario, Server = "parley", Protocol = "native", DeliveredPerCpuSecond = perCpu, P99Ms = p99, BytesPerConnection = bytes, Lost = lost, Duplicates = dup, Note = note };

    [Fact]
    public void Throughput_scenarios_show_the_median_by_per_cpu_second_and_count_every_runs_losses()
    {
        var chosen = MedianRun.Of([Run("pairs", 30_000, lost: 1), Run("pairs", 36_000, note: "100 pairs"), Run("pairs", 33_000, dup: 2)]);
        Assert.Equal(33_000, chosen.DeliveredPerCpuSecond);
        Assert.Equal((1, 2), (chosen.Lost, chosen.Duplicates));
        Assert.Equal("median of 3 runs by per CPU-second (30,000 to 36,000)", chosen.Note);

        var two = MedianRun.Of([Run("pairs", 36_000, note: "a"), Run("pairs", 30_000, note: "b")]);
        Assert.Equal(30_000, two.DeliveredPerCpuSecond); // the lower middle: never the flattering one
        Assert.StartsWith("b; median of 2 runs", two.Note);
    }

    [Fact]
    public void Rate_is_chosen_by_p99_and_idle_by_memory()
    {
        Assert.Equal(20, MedianRun.Of([Run("rate", p99: 70), Run("rate", p99: 14), Run("rate", p99: 20)]).P99Ms);
        Assert.Equal(11_000, MedianRun.Of([Run("idle", bytes: 12_000), Run("idle", bytes: 10_000), Run("idle", bytes: 11_000)]).BytesPerConnection);
        // Even counts take the worse middle here too: the higher p99, the larger footprint.
        Assert.Equal(20, MedianRun.Of([Run("rate", p99: 14), Run("rate", p99: 20)]).P99Ms);
        Assert.Equal(12_000, MedianRun.Of([Run("idle", bytes: 12_000), Run("idle", bytes: 10_000)]).BytesPerConnection);
    }

    [Fact]
    public void One_run_is_shown_as_it_is()
    {
        var only = Run("group", 40_000, note: "n");
        Assert.Same(only, MedianRun.Of([only]));
    }
}
