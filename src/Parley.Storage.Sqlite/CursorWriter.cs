using Microsoft.Data.Sqlite;

namespace Parley.Storage.Sqlite;

/// <summary>
/// Group commit for delivered/read cursors. Every recipient ack moves a cursor; one write transaction (and, with
/// synchronous=FULL, one fsync) per ack made acks the most expensive frame of a message and queued message
/// commits behind them on the single writer. Here moves queue up while a batch commits and the next batch takes
/// them all in one transaction with prepared statements; each caller still gets its own durable result. A message
/// commit that takes the write gate first takes the queued moves into its own transaction (<see cref="TakeForMessageCommit"/>),
/// so under load moves cost no transaction, no fsync and no wait of their own.
/// </summary>
internal sealed class CursorWriter(SqliteDatabase db)
{
    private const int MaxBatch = 1024;
    private static readonly TimeSpan RideAlongWait = TimeSpan.FromMilliseconds(5);
    private const long CarriersExpectedMs = 1000;
    private long _lastCarrier = long.MinValue / 2;
    private readonly Lock _gate = new();
    private List<Move> _queued = new();
    private bool _running;
    private SqliteCommand? _delivered, _read;

    internal sealed record Move(string ConversationId, long UserId, long Seq, bool Read)
    {
        public TaskCompletionSource<long> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    public Task<long> MoveAsync(string conversationId, long userId, long seq, bool read)
    {
        var move = new Move(conversationId, userId, seq, read);
        bool start;
        lock (_gate)
        {
            _queued.Add(move);
            start = !_running;
            _running = true;
        }
        if (start) _ = Task.Run(DrainAsync);
        return move.Done.Task;
    }

    private async Task DrainAsync()
    {
        while (true)
        {
            // While messages are being committed, moves wait a moment for a message commit to carry them instead
            // of taking the gate (and an fsync) of their own ahead of the messages queued behind. On a quiet
            // server no commit is coming: they go at once.
            if (Environment.TickCount64 - Volatile.Read(ref _lastCarrier) < CarriersExpectedMs)
                await Task.Delay(RideAlongWait).ConfigureAwait(false);
            lock (_gate)
            {
                if (_queued.Count == 0)
                {
                    _running = false;
                    return;
                }
            }
            await CommitQueuedAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// One transaction for up to a batch of the queued moves, taken under the gate (a message commit may have taken
    /// them while this waited for it). False when none were left.
    /// </summary>
    private async Task<bool> CommitQueuedAsync()
    {
        List<Move>? batch = null;
        long[]? results = null;
        try
        {
            await db.WriteAsync((c, tx) =>
            {
                batch = TakeQueued();
                if (batch is not null) results = Apply(c, tx, batch);
                return 0;
            }, HasQueued, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // Failed before taking any (the gate, BEGIN): the queued moves fail with it, where a retry would
            // only fail the same way, over and over.
            batch ??= TakeQueued();
            if (batch is not null) Fail(batch, ex);
            return batch is not null;
        }
        if (batch is null) return false;
        Complete(batch, results!);
        return true;
    }

    private bool HasQueued()
    {
        lock (_gate) return _queued.Count > 0;
    }

    /// <summary>Up to a batch of queued moves for a message transaction that holds the write gate; null when none.</summary>
    internal List<Move>? TakeForMessageCommit()
    {
        Volatile.Write(ref _lastCarrier, Environment.TickCount64);
        return TakeQueued();
    }

    private List<Move>? TakeQueued()
    {
        lock (_gate)
        {
            if (_queued.Count == 0) return null;
            if (_queued.Count <= MaxBatch)
            {
                var all = _queued;
                _queued = new List<Move>();
                return all;
            }
            var first = _queued.GetRange(0, MaxBatch);
            _queued.RemoveRange(0, MaxBatch);
            return first;
        }
    }

    /// <summary>Moves taken by a transaction that then failed for reasons of its own: they go first in the queue again.</summary>
    internal void Requeue(List<Move> moves)
    {
        bool start;
        lock (_gate)
        {
            _queued.InsertRange(0, moves);
            start = !_running;
            _running = true;
        }
        if (start) _ = Task.Run(DrainAsync);
    }

    /// <summary>Commits every queued move now (the store is closing: a move waiting for its ride would be lost).</summary>
    public void Flush()
    {
        while (CommitQueuedAsync().GetAwaiter().GetResult()) { }
    }

    /// <summary>True while a drain of queued moves is under way (it ends once the queue is empty).</summary>
    internal bool Draining
    {
        get
        {
            lock (_gate) return _running;
        }
    }

    internal static void Complete(List<Move> batch, long[] results)
    {
        for (var i = 0; i < batch.Count; i++) batch[i].Done.TrySetResult(results[i]);
    }

    private static void Fail(List<Move> batch, Exception ex)
    {
        foreach (var move in batch) move.Done.TrySetException(ex);
    }

    // Under the write gate: the prepared commands are bound to the writer connection, created on first use.
    internal long[] Apply(SqliteConnection c, SqliteTransaction tx, List<Move> batch)
    {
        _delivered ??= Prepare(c, $"""
            UPDATE participants
            SET delivered_seq = max(delivered_seq, min($seq, {SqliteMessageStore.LastSeqOfParameter}))
            WHERE conversation_id = $c AND user_id = $u
            RETURNING delivered_seq
            """);
        _read ??= Prepare(c, $"""
            UPDATE participants
            SET read_seq = max(read_seq, min($seq, {SqliteMessageStore.LastSeqOfParameter})),
                delivered_seq = max(delivered_seq, read_seq, min($seq, {SqliteMessageStore.LastSeqOfParameter}))
            WHERE conversation_id = $c AND user_id = $u
            RETURNING read_seq
            """);
        var results = new long[batch.Count];
        for (var i = 0; i < batch.Count; i++)
        {
            var move = batch[i];
            var command = move.Read ? _read : _delivered;
            command.Transaction = tx;
            command.Parameters[0].Value = move.ConversationId;
            command.Parameters[1].Value = move.UserId;
            command.Parameters[2].Value = move.Seq;
            // No participant row: 0, as before.
            results[i] = command.ExecuteScalar() is long reached ? reached : 0;
        }
        return results;
    }

    private static SqliteCommand Prepare(SqliteConnection c, string sql)
    {
        var command = c.CreateCommand();
        command.CommandText = sql;
        command.Parameters.Add("$c", SqliteType.Text);
        command.Parameters.Add("$u", SqliteType.Integer);
        command.Parameters.Add("$seq", SqliteType.Integer);
        return command;
    }
}
