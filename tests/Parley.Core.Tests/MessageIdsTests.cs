using System.Collections.Concurrent;
using System.Globalization;
using Parley.Core.Messaging;

namespace Parley.Core.Tests;

public sealed class MessageIdsTests
{
    [Fact]
    public void An_id_is_a_version_7_uuid_that_carries_its_millisecond()
    {
        const long ms = 0x0192_3456_789A;
        var id = MessageIds.New(ms);

        Assert.Matches("^[0-9a-f]{32}$", id);
        Assert.Equal(ms, long.Parse(id[..12], NumberStyles.HexNumber, CultureInfo.InvariantCulture));
        var guid = Guid.ParseExact(id, "N");
        Assert.Equal(7, guid.Version);
        Assert.Equal(0b10, Convert.ToInt32(id[16].ToString(), 16) >> 2); // the RFC 9562 variant
    }

    [Fact]
    public void Ids_of_later_milliseconds_sort_after_earlier_ones()
    {
        var ids = Enumerable.Range(0, 50).Select(i => MessageIds.New(1_700_000_000_000 + i)).ToList();
        Assert.Equal(ids, ids.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Ids_of_one_millisecond_differ_across_many_random_refills_and_threads()
    {
        // Several thousand ids per thread: each thread refills its random block many times.
        var seen = new ConcurrentDictionary<string, byte>();
        Parallel.For(0, 8, _ =>
        {
            for (var i = 0; i < 5_000; i++) Assert.True(seen.TryAdd(MessageIds.New(1_700_000_000_000), 0));
        });
        Assert.Equal(40_000, seen.Count);
        // The random bits are not one block repeated: the first random byte takes many values.
        Assert.True(seen.Keys.Select(k => k[14..16]).Distinct().Count() > 200);
    }
}
