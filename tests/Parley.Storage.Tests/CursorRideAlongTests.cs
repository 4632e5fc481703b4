using Parley.Abstractions.Model;
using Parley.Storage.Sqlite;

namespace Parley.Storage.Tests;

/// <summary>Cursor moves queued while a message batch waits for the write gate are committed by that batch's transaction.</summary>
public sealed class CursorRideAlongTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    private const string D12 = "d:1:2";
    private readonly TempDatabase _db = new(SqliteSynchronous.Full);

    public void Dispose() => _db.Dispose();

    [Fact]
    public async Task A_message_commit_carries_the_queued_moves_and_they_take_no_transaction_of_their_own()
    {
        var store = new SqliteMessageStore(_db.Database);
        await store.AppendSequencedAsync([SequencingMessageStoreConformance.Draft(D12, 1)]).WaitAsync(Timeout);

        var (move, append, transactions) = await WhileTheGateIsHeldAsync(store, () => store.MarkDeliveredAsync(D12, 2, 1),
            () => store.AppendSequencedAsync([SequencingMessageStoreConformance.Draft(D12, 1)]));

        Assert.Equal(1, await move.WaitAsync(Timeout));
        Assert.Equal(2, (await append.WaitAsync(Timeout))[0].Message.Seq);
        // the move's own drain waited its ride-along time, found its work done and opened nothing
        await UntilAsync(() => !store.CursorsDraining);
        Assert.Equal(transactions + 2, _db.Database.WriteTransactions); // the holder's and the append's

        Assert.Equal(1, (await store.GetConversationAsync(2, D12))!.DeliveredSeq);
    }

    [Fact]
    public async Task Moves_taken_by_a_failing_message_commit_are_committed_after_it()
    {
        var store = new SqliteMessageStore(_db.Database);
        await store.AppendSequencedAsync([SequencingMessageStoreConformance.Draft(D12, 1)]).WaitAsync(Timeout);
        var broken = SequencingMessageStoreConformance.Draft(D12, 1) with { Kind = null! };

        var (move, append, _) = await WhileTheGateIsHeldAsync(store, () => store.MarkReadAsync(D12, 2, 1),
            () => store.AppendSequencedAsync([broken]));

        await Assert.ThrowsAnyAsync<Exception>(() => append.WaitAsync(Timeout));
        Assert.Equal(1, await move.WaitAsync(Timeout));
        var state = (await store.GetConversationAsync(2, D12))!;
        Assert.Equal((1, 1, 1L), (state.DeliveredSeq, state.ReadSeq, state.LastSeq));
    }

    [Fact]
    public async Task Closing_the_store_commits_the_moves_still_waiting_for_a_ride()
    {
        var store = new SqliteMessageStore(_db.Database);
        await store.AppendSequencedAsync([SequencingMessageStoreConformance.Draft(D12, 1)]).WaitAsync(Timeout);
        // Messages were just committed, so the move waits for one to carry it; the store closes first.
        var move = store.MarkDeliveredAsync(D12, 2, 1);
        store.Dispose();
        Assert.True(move.IsCompletedSuccessfully);
        Assert.Equal(1, await move);
        Assert.Equal(1, (await new SqliteMessageStore(_db.Reopen()).GetConversationAsync(2, D12))!.DeliveredSeq);
    }

    [Fact]
    public async Task A_move_that_cannot_open_a_transaction_fails_instead_of_waiting_for_ever()
    {
        var store = new SqliteMessageStore(_db.Database);
        await store.AppendSequencedAsync([SequencingMessageStoreConformance.Draft(D12, 1)]).WaitAsync(Timeout);
        _db.Database.Dispose();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => store.MarkDeliveredAsync(D12, 2, 1).WaitAsync(Timeout));
        await UntilAsync(() => !store.CursorsDraining);
        store.Dispose(); // nothing left to commit, nothing to wait for
    }

    private static async Task UntilAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        while (!condition()) await Task.Delay(10, timeout.Token);
    }

    /// <summary>
    /// Holds the write gate while the move is queued and then the append asks for the gate. The gate is first come,
    /// first served; the append is in line before it returns, and the move's drain waits its ride-along time first
    /// (a message was committed just before), so the append's transaction is the first to run.
    /// </summary>
    private async Task<(Task<long> Move, Task<T> Append, long TransactionsBefore)> WhileTheGateIsHeldAsync<T>(SqliteMessageStore store,
        Func<Task<long>> move, Func<Task<T>> append)
    {
        using var release = new ManualResetEventSlim();
        var held = new TaskCompletionSource();
        var blocker = Task.Run(() => _db.Database.WriteAsync((_, _) =>
        {
            held.SetResult();
            release.Wait(Timeout);
            return 0;
        }, CancellationToken.None));
        await held.Task.WaitAsync(Timeout);
        var moving = move();
        var appending = append();
        Assert.False(moving.IsCompleted);
        var transactions = _db.Database.WriteTransactions;
        release.Set();
        await blocker.WaitAsync(Timeout);
        return (moving, appending, transactions);
    }
}
