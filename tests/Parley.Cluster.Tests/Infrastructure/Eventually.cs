using System.Diagnostics;

namespace Parley.Cluster.Tests.Infrastructure;

public static class Eventually
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    /// <summary>Polls a condition until it holds or the deadline passes (then fails with <paramref name="what"/>).</summary>
    public static Task HoldsAsync(Func<bool> condition, string what, TimeSpan? timeout = null) => HoldsAsync(condition, () => what, timeout);

    /// <summary>As above; <paramref name="what"/> is asked at the deadline (to say what is still missing).</summary>
    public static async Task HoldsAsync(Func<bool> condition, Func<string> what, TimeSpan? timeout = null)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            if (deadline.Elapsed > (timeout ?? Timeout)) Assert.Fail("timed out waiting for: " + what());
            await Task.Delay(20);
        }
    }
}
