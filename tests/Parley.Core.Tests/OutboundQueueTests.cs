using Parley.Abstractions.Events;
using Parley.Core.Sessions;

namespace Parley.Core.Tests;

/// <summary>The connection's outbound queue: order, waits, completion, cancellation, and many writers at once.</summary>
public sealed class OutboundQueueTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public void Events_come_out_in_order_across_growth_and_wrap_around()
    {
        var queue = new OutboundQueue<ServerEvent>();
        var next = 0;
        var expected = 0;
        // Interleaved writes and reads move the head around the ring while it grows past its first size.
        for (var round = 0; round < 50; round++)
        {
            for (var i = 0; i < round % 13 + 1; i++) Assert.True(queue.TryWrite(new PongEvent((next++).ToString())));
            for (var i = 0; i < round % 7 + 1 && queue.TryRead(out var ev); i++) Assert.Equal((expected++).ToString(), ((PongEvent)ev).RequestId);
        }
        while (queue.TryRead(out var ev)) Assert.Equal((expected++).ToString(), ((PongEvent)ev).RequestId);
        Assert.Equal(next, expected);
        Assert.False(queue.TryRead(out _));
    }

    [Fact]
    public async Task A_bounded_write_is_refused_while_the_queue_is_full_and_the_refused_item_is_not_queued()
    {
        var queue = new OutboundQueue<byte[]>();
        for (var i = 0; i < 3; i++) Assert.True(queue.TryWrite([(byte)i], capacity: 3));
        Assert.False(queue.TryWrite([9], capacity: 3));
        Assert.True(await queue.WaitToReadAsync(CancellationToken.None));
        Assert.True(queue.TryRead(out var first));
        Assert.Equal(0, first[0]);
        Assert.True(queue.TryWrite([3], capacity: 3));
        queue.Complete();
        var rest = new List<byte>();
        while (queue.TryRead(out var item)) rest.Add(item[0]);
        Assert.Equal([1, 2, 3], rest);
        Assert.True(queue.IsDone);
        Assert.False(await queue.WaitToReadAsync(CancellationToken.None));
    }

    [Fact]
    public async Task A_wait_ends_when_an_event_arrives_and_completes_at_once_while_events_are_queued()
    {
        var queue = new OutboundQueue<ServerEvent>();
        var wait = queue.WaitToReadAsync(CancellationToken.None);
        Assert.False(wait.IsCompleted);
        queue.TryWrite(new PongEvent("a"));
        Assert.True(await wait.AsTask().WaitAsync(Timeout));
        Assert.True(queue.WaitToReadAsync(CancellationToken.None).IsCompletedSuccessfully);
    }

    [Fact]
    public async Task Completion_lets_the_reader_drain_then_reports_false_and_refuses_writes()
    {
        var queue = new OutboundQueue<ServerEvent>();
        queue.TryWrite(new PongEvent("a"));
        queue.Complete();
        Assert.False(queue.TryWrite(new PongEvent("b")));
        Assert.True(await queue.WaitToReadAsync(CancellationToken.None));
        Assert.True(queue.TryRead(out _));
        Assert.False(await queue.WaitToReadAsync(CancellationToken.None));

        var idle = new OutboundQueue<ServerEvent>();
        var wait = idle.WaitToReadAsync(CancellationToken.None);
        idle.Complete();
        Assert.False(await wait.AsTask().WaitAsync(Timeout));
    }

    [Fact]
    public async Task A_cancelled_wait_throws_and_the_queue_stays_usable()
    {
        var queue = new OutboundQueue<ServerEvent>();
        using var cts = new CancellationTokenSource();
        var wait = queue.WaitToReadAsync(cts.Token);
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait.AsTask().WaitAsync(Timeout));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => queue.WaitToReadAsync(cts.Token).AsTask());

        using var live = new CancellationTokenSource();
        var next = queue.WaitToReadAsync(live.Token);
        queue.TryWrite(new PongEvent("a"));
        Assert.True(await next.AsTask().WaitAsync(Timeout));
        live.Cancel(); // after the wait ended: nothing happens
        Assert.True(queue.TryRead(out _));
    }

    [Fact]
    public async Task The_continuation_does_not_run_on_the_writers_thread()
    {
        var queue = new OutboundQueue<ServerEvent>();
        var reader = Task.Run(async () =>
        {
            await queue.WaitToReadAsync(CancellationToken.None);
            return Environment.CurrentManagedThreadId;
        });
        await WaitUntilPending(queue);
        // A dedicated thread, not a pool thread: only an inline continuation could run on it.
        var writer = new Thread(() => queue.TryWrite(new PongEvent("a")));
        writer.Start();
        Assert.NotEqual(writer.ManagedThreadId, await reader.WaitAsync(Timeout));
        writer.Join();
    }

    [Fact]
    public async Task Many_writers_and_one_reader_lose_nothing_and_keep_each_writers_order()
    {
        const int writers = 4, each = 20_000;
        var queue = new OutboundQueue<ServerEvent>();
        var seen = new int[writers];
        var reader = Task.Run(async () =>
        {
            var total = 0;
            while (await queue.WaitToReadAsync(CancellationToken.None))
            {
                while (queue.TryRead(out var ev))
                {
                    var parts = ((PongEvent)ev).RequestId!.Split(':');
                    var w = int.Parse(parts[0]);
                    Assert.Equal(seen[w]++, int.Parse(parts[1]));
                    total++;
                }
            }
            return total;
        });
        await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(() =>
        {
            for (var i = 0; i < each; i++) Assert.True(queue.TryWrite(new PongEvent($"{w}:{i}")));
        })));
        queue.Complete();
        Assert.Equal(writers * each, await reader.WaitAsync(Timeout));
    }

    /// <summary>Polls until the reader's wait is registered (a write before that would not test the wake-up).</summary>
    private static async Task WaitUntilPending(OutboundQueue<ServerEvent> queue)
    {
        var field = typeof(OutboundQueue<ServerEvent>).GetField("_waiting", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!;
        var deadline = DateTime.UtcNow + Timeout;
        while (!(bool)field.GetValue(queue)!)
        {
            Assert.True(DateTime.UtcNow < deadline, "the reader never started waiting");
            await Task.Delay(5);
        }
    }
}
