using Parley.Transports.MobileImSdk;

namespace Parley.IntegrationTests.MobileImSdk;

public sealed class FirstSightTableTests
{
    [Fact]
    public void A_key_keeps_its_first_value_and_absent_keys_are_not_found()
    {
        var table = new FirstSightTable();
        Assert.True(table.TryAdd(42, 1000));
        Assert.False(table.TryAdd(42, 2000));
        Assert.True(table.TryGetValue(42, out var seen));
        Assert.Equal(1000, seen);
        Assert.False(table.TryGetValue(43, out _));
        Assert.Equal(1, table.Count);
    }

    [Fact]
    public void Keys_that_share_a_slot_are_all_found_across_growth()
    {
        var table = new FirstSightTable();
        // Multiples of 2^20 share their low bits, so they start probing at one slot at every capacity up to 2^20.
        var keys = Enumerable.Range(1, 3000).Select(i => (ulong)i << 20).ToArray();
        foreach (var key in keys) Assert.True(table.TryAdd(key, (long)(key >> 20)));
        foreach (var key in keys)
        {
            Assert.True(table.TryGetValue(key, out var seen));
            Assert.Equal((long)(key >> 20), seen);
        }
        Assert.False(table.TryGetValue(3001UL << 20, out _));
        Assert.Equal(3000, table.Count);
    }

    [Fact]
    public void Many_random_keys_survive_growth_and_a_clear_forgets_them_all()
    {
        var random = new Random(7);
        var keys = Enumerable.Range(0, 200_000).Select(_ => (ulong)random.NextInt64(1, long.MaxValue)).Distinct().ToArray();
        var table = new FirstSightTable();
        for (var i = 0; i < keys.Length; i++) Assert.True(table.TryAdd(keys[i], i));
        for (var i = 0; i < keys.Length; i++)
        {
            Assert.True(table.TryGetValue(keys[i], out var seen));
            Assert.Equal(i, seen);
        }

        table.Clear();
        Assert.Equal(0, table.Count);
        Assert.DoesNotContain(keys, key => table.TryGetValue(key, out _));
        // Cleared after a burst and refilled with a few: still a working table.
        Assert.True(table.TryAdd(keys[0], 5));
        table.Clear();
        Assert.False(table.TryGetValue(keys[0], out _));
        Assert.True(table.TryAdd(keys[0], 6));
        Assert.True(table.TryGetValue(keys[0], out var again));
        Assert.Equal(6, again);
    }
}
