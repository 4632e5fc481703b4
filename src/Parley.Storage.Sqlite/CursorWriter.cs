using Microsoft.Data.Sqlite;

namespace Parley.Storage.Sqlite;

/// <summary>
/// Group commit for delivered/read cursors. Every recipient ack moves a cursor; one write transaction (and, with
/// synchronous=FULL, one fsync) per ack made acks the most expensive frame of a message and queued message
/// commits behind them on the single writer. Here moves queue up while a batch commits and the next batch takes
/// them all in one transaction with prepared statements; each caller still gets its own durable result.
/// </summary>
internal sealed class CursorWriter(SqliteDatabase db)
{
    private const int MaxBatch = 1024;
    private readonly Lock _gate = new();
    private List<Move> _queued = new();
    private List<Move> _spare = new();
    private bool _running;
    private SqliteCommand? _delivered, _read;

    private sealed record Move(string ConversationId, long UserId, long Seq, bool Read)
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
            List<Move> batch;
            lock (_gate)
            {
                if (_queued.Count == 0)
                {
                    _running = false;
                    return;
                }
                batch = _queued;
                _queued = _spare;
                _spare = batch;
            }
            for (var offset = 0; offset < batch.Count; offset += MaxBatch)
            {
                var count = Math.Min(MaxBatch, batch.Count - offset);
                long[] results;
                try
                {
                    results = await db.WriteAsync((c, tx) => Apply(c, tx, batch, offset, count), CancellationToken.None).ConfigureAwait(false);
                }
                catch (Exception ex)
                {
                    for (var i = offset; i < offset + count; i++) batch[i].Done.TrySetException(ex);
                    continue;
                }
                for (var i = 0; i < count; i++) batch[offset + i].Done.TrySetResult(results[i]);
            }
            batch.Clear();
        }
    }

    // Under the write gate: the prepared commands are bound to the writer connection, created on first use.
    private long[] Apply(SqliteConnection c, SqliteTransaction tx, List<Move> batch, int offset, int count)
    {
        _delivered ??= Prepare(c, """
            UPDATE participants
            SET delivered_seq = max(delivered_seq, min($seq, coalesce((SELECT last_seq FROM conversations WHERE conversation_id = $c), 0)))
            WHERE conversation_id = $c AND user_id = $u
            RETURNING delivered_seq
            """);
        _read ??= Prepare(c, """
            UPDATE participants
            SET read_seq = max(read_seq, min($seq, coalesce((SELECT last_seq FROM conversations WHERE conversation_id = $c), 0))),
                delivered_seq = max(delivered_seq, read_seq, min($seq, coalesce((SELECT last_seq FROM conversations WHERE conversation_id = $c), 0)))
            WHERE conversation_id = $c AND user_id = $u
            RETURNING read_seq
            """);
        var results = new long[count];
        for (var i = 0; i < count; i++)
        {
            var move = batch[offset + i];
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
