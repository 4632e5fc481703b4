using Dapper;
using Microsoft.Data.Sqlite;
using Parley.Abstractions.Model;
using Parley.Abstractions.Stores;

namespace Parley.Storage.Sqlite;

/// <summary>
/// Messages, conversations and per-user cursors in SQLite. It numbers messages in the commit (see
/// <see cref="ISequencingMessageStore"/>), so the commit is also the idempotency check: a send needs no read first.
/// </summary>
public sealed class SqliteMessageStore(SqliteDatabase db) : ISequencingMessageStore, IDisposable
{
    internal const string MessageColumns =
        "m.id, m.conversation_id, m.seq, m.sender_id, m.sender_name, m.recipient_id, m.group_id, m.kind, m.text, m.payload, m.client_msg_id, m.ts";

    // A conversation's last seq is its last message's: the end of the (conversation_id, seq) index, one seek. The
    // writer numbers from it, cursors are capped at it, and the readers report it.
    private const string LastSeqWhere = "(SELECT coalesce(max(x.seq), 0) FROM messages x WHERE x.conversation_id = ";
    /// <summary>The last seq of the conversation named by the parameter <c>$c</c>.</summary>
    internal const string LastSeqOfParameter = LastSeqWhere + "$c)";
    /// <summary>The last seq of the participant row <c>p</c>'s conversation.</summary>
    internal const string LastSeqOf = LastSeqWhere + "p.conversation_id)";

    // Ordered by activity: the last message's time, or the creation time of a conversation without messages.
    internal const string StateQuery = $"""
        SELECT p.conversation_id, coalesce(m.seq, 0), p.delivered_seq, p.read_seq,
            (SELECT count(*) FROM messages u
             WHERE u.conversation_id = p.conversation_id AND u.seq > p.read_seq AND u.sender_id <> p.user_id AND u.kind <> 'removed'),
            {MessageColumns}, coalesce(m.ts, c.created_at) AS active_at
        FROM participants p
        JOIN conversations c ON c.conversation_id = p.conversation_id
        LEFT JOIN messages m ON m.conversation_id = p.conversation_id AND m.seq = {LastSeqOf}
        """;

    private MessageAppender? _appender;
    private readonly CursorWriter _cursors = new(db);

    /// <inheritdoc />
    public Task AppendAsync(IReadOnlyList<ChatMessage> messages, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (messages.Count == 0) return Task.CompletedTask;
        return db.WriteAsync((c, tx) =>
        {
            // created on first use under the write gate; bound to the writer connection for the database's lifetime
            (_appender ??= new MessageAppender(c)).Append(messages, tx);
            return 0;
        }, ct);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<SequencedAppend>> AppendSequencedAsync(IReadOnlyList<ChatMessage> drafts, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(drafts);
        if (drafts.Count == 0) return Task.FromResult<IReadOnlyList<SequencedAppend>>([]);
        return AppendSequencedCoreAsync(drafts, ct);
    }

    private async Task<IReadOnlyList<SequencedAppend>> AppendSequencedCoreAsync(IReadOnlyList<ChatMessage> drafts, CancellationToken ct)
    {
        List<CursorWriter.Move>? moves = null;
        long[]? reached = null;
        IReadOnlyList<SequencedAppend> results;
        try
        {
            results = await db.WriteAsync((c, tx) =>
            {
                // Cursor moves waiting for the gate ride along: one transaction and one fsync for both. They only
                // concern messages committed before, so they go first.
                moves = _cursors.TakeForMessageCommit();
                if (moves is not null) reached = _cursors.Apply(c, tx, moves);
                return (_appender ??= new MessageAppender(c)).AppendSequenced(drafts, tx);
            }, ct).ConfigureAwait(false);
        }
        catch
        {
            if (moves is not null) _cursors.Requeue(moves);
            throw;
        }
        if (moves is not null) CursorWriter.Complete(moves, reached!);
        return results;
    }

    /// <summary>Commits the cursor moves still queued (a server stop's last acks), before the database closes.</summary>
    public void Dispose() => _cursors.Flush();

    /// <summary>True while queued cursor moves are being drained in transactions of their own.</summary>
    internal bool CursorsDraining => _cursors.Draining;

    /// <inheritdoc />
    public Task<long> GetLastSeqAsync(string conversationId, CancellationToken ct = default) =>
        Task.FromResult(db.Scalar("SELECT " + LastSeqOfParameter, conversationId,
            static (p, c) => SqliteDatabase.Set(p, "$c", c), static r => r.GetInt64(0), 0L));

    /// <inheritdoc />
    /// <remarks>On the send path (every send with a client message id): a prepared statement.</remarks>
    public Task<ChatMessage?> FindByClientMsgIdAsync(long senderId, string clientMsgId, CancellationToken ct = default) =>
        Task.FromResult(db.Scalar($"SELECT {MessageColumns} FROM messages m WHERE m.sender_id = $s AND m.client_msg_id = $cm", (senderId, clientMsgId),
            static (p, s) =>
            {
                SqliteDatabase.Set(p, "$s", s.senderId);
                SqliteDatabase.Set(p, "$cm", s.clientMsgId);
            }, static r => (ChatMessage?)ReadMessage(r, 0), null));

    /// <inheritdoc />
    /// <remarks>A range of the idempotency index, which leads with the client message id.</remarks>
    public Task<IReadOnlyList<(long SenderId, string ClientMsgId)>?> ListClientMsgIdsAsync(string from, string to, int limit, CancellationToken ct = default)
    {
        if (limit <= 0) return Task.FromResult<IReadOnlyList<(long SenderId, string ClientMsgId)>?>([]);
        return db.ReadAsync<IReadOnlyList<(long SenderId, string ClientMsgId)>?>(async c =>
        {
            await using var command = c.CreateCommand();
            command.CommandText = "SELECT sender_id, client_msg_id FROM messages WHERE client_msg_id >= $from AND client_msg_id < $to ORDER BY client_msg_id LIMIT $limit";
            command.Parameters.AddWithValue("$from", from);
            command.Parameters.AddWithValue("$to", to);
            command.Parameters.AddWithValue("$limit", limit);
            var list = new List<(long SenderId, string ClientMsgId)>();
            await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            while (await reader.ReadAsync(ct).ConfigureAwait(false)) list.Add((reader.GetInt64(0), reader.GetString(1)));
            return list;
        }, ct);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<ChatMessage>> GetMessagesAsync(string conversationId, long afterSeq, long beforeSeq, int limit, bool newestFirst, CancellationToken ct = default)
    {
        if (limit <= 0) return Task.FromResult<IReadOnlyList<ChatMessage>>([]);
        var upper = beforeSeq <= 0 ? long.MaxValue : beforeSeq;
        return db.ReadAsync<IReadOnlyList<ChatMessage>>(async c =>
        {
            await using var command = c.CreateCommand();
            command.CommandText = $"""
                SELECT {MessageColumns} FROM messages m
                WHERE m.conversation_id = $c AND m.seq > $after AND m.seq < $before
                ORDER BY m.seq {(newestFirst ? "DESC" : "ASC")} LIMIT $limit
                """;
            command.Parameters.AddWithValue("$c", conversationId);
            command.Parameters.AddWithValue("$after", afterSeq);
            command.Parameters.AddWithValue("$before", upper);
            command.Parameters.AddWithValue("$limit", limit);
            var list = new List<ChatMessage>(Math.Min(limit, 256));
            await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            while (await reader.ReadAsync(ct).ConfigureAwait(false)) list.Add(ReadMessage(reader, 0));
            return list;
        }, ct);
    }

    /// <inheritdoc />
    public Task<ChatMessage?> RemoveAsync(string conversationId, long seq, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(conversationId);
        return db.WriteAsync((c, tx) =>
        {
            using var select = c.CreateCommand();
            select.Transaction = tx;
            select.CommandText = $"SELECT {MessageColumns} FROM messages m WHERE m.conversation_id = $c AND m.seq = $seq AND m.kind <> $removed";
            select.Parameters.AddWithValue("$c", conversationId);
            select.Parameters.AddWithValue("$seq", seq);
            select.Parameters.AddWithValue("$removed", MessageKinds.Removed);
            ChatMessage? before;
            using (var reader = select.ExecuteReader())
            {
                before = reader.Read() ? ReadMessage(reader, 0) : null;
            }
            if (before is null) return null;
            c.Execute("UPDATE messages SET kind = @removed, text = NULL, payload = NULL WHERE conversation_id = @conversationId AND seq = @seq",
                new { removed = MessageKinds.Removed, conversationId, seq }, tx);
            return before;
        }, ct);
    }

    /// <inheritdoc />
    public Task AddParticipantAsync(string conversationId, long userId, long startSeq, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(conversationId);
        return db.WriteAsync((c, tx) =>
        {
            c.Execute("""
                INSERT OR IGNORE INTO conversations (conversation_id, created_at) VALUES (@conversationId, @now)
                """, new { conversationId, now = SqliteDatabase.NowMs() }, tx);
            return c.Execute("""
                INSERT OR IGNORE INTO participants (conversation_id, user_id, delivered_seq, read_seq, joined_seq)
                VALUES (@conversationId, @userId, @startSeq, @startSeq, @startSeq)
                """, new { conversationId, userId, startSeq }, tx);
        }, ct);
    }

    /// <inheritdoc />
    public Task RemoveParticipantAsync(string conversationId, long userId, CancellationToken ct = default) =>
        db.WriteAsync((c, tx) => c.Execute(
            "DELETE FROM participants WHERE conversation_id = @conversationId AND user_id = @userId",
            new { conversationId, userId }, tx), ct);

    /// <inheritdoc />
    public Task<bool> IsParticipantAsync(string conversationId, long userId, CancellationToken ct = default) =>
        Task.FromResult(db.Scalar("SELECT EXISTS (SELECT 1 FROM participants WHERE conversation_id = $c AND user_id = $u)", (conversationId, userId),
            static (p, s) =>
            {
                SqliteDatabase.Set(p, "$c", s.conversationId);
                SqliteDatabase.Set(p, "$u", s.userId);
            }, static r => r.GetInt64(0) != 0, false));

    /// <inheritdoc />
    /// <remarks>Returns 0 when the user has no participant row. Concurrent moves share one transaction (<see cref="CursorWriter"/>).</remarks>
    public Task<long> MarkDeliveredAsync(string conversationId, long userId, long seq, CancellationToken ct = default) =>
        _cursors.MoveAsync(conversationId, userId, seq, read: false);

    /// <inheritdoc />
    /// <remarks>Returns 0 when the user has no participant row. Concurrent moves share one transaction (<see cref="CursorWriter"/>).</remarks>
    public Task<long> MarkReadAsync(string conversationId, long userId, long seq, CancellationToken ct = default) =>
        _cursors.MoveAsync(conversationId, userId, seq, read: true);

    /// <inheritdoc />
    public Task<IReadOnlyList<ConversationCursor>> GetCursorsAsync(long userId, CancellationToken ct = default) =>
        db.ReadAsync<IReadOnlyList<ConversationCursor>>(async c =>
        {
            await using var command = c.CreateCommand();
            command.CommandText = $"""
                SELECT p.conversation_id, {LastSeqOf}, p.delivered_seq, p.read_seq
                FROM participants p
                WHERE p.user_id = $u ORDER BY p.conversation_id
                """;
            command.Parameters.AddWithValue("$u", userId);
            var list = new List<ConversationCursor>();
            await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
                list.Add(new ConversationCursor(reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3)));
            return list;
        }, ct);

    /// <inheritdoc />
    public Task<IReadOnlyList<ConversationState>> GetConversationsAsync(long userId, int limit, CancellationToken ct = default)
    {
        if (limit <= 0) return Task.FromResult<IReadOnlyList<ConversationState>>([]);
        return db.ReadAsync<IReadOnlyList<ConversationState>>(async c =>
        {
            await using var command = c.CreateCommand();
            command.CommandText = $"{StateQuery} WHERE p.user_id = $u ORDER BY active_at DESC, p.conversation_id LIMIT $limit";
            command.Parameters.AddWithValue("$u", userId);
            command.Parameters.AddWithValue("$limit", limit);
            var list = new List<ConversationState>();
            await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            while (await reader.ReadAsync(ct).ConfigureAwait(false)) list.Add(ReadState(reader));
            return list;
        }, ct);
    }

    /// <inheritdoc />
    public Task<ConversationState?> GetConversationAsync(long userId, string conversationId, CancellationToken ct = default) =>
        db.ReadAsync(async c =>
        {
            await using var command = c.CreateCommand();
            command.CommandText = $"{StateQuery} WHERE p.user_id = $u AND p.conversation_id = $c";
            command.Parameters.AddWithValue("$u", userId);
            command.Parameters.AddWithValue("$c", conversationId);
            await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            return await reader.ReadAsync(ct).ConfigureAwait(false) ? ReadState(reader) : null;
        }, ct);

    private static ConversationState ReadState(SqliteDataReader r) => new()
    {
        ConversationId = r.GetString(0),
        LastSeq = r.GetInt64(1),
        DeliveredSeq = r.GetInt64(2),
        ReadSeq = r.GetInt64(3),
        UnreadCount = r.GetInt32(4),
        LastMessage = r.IsDBNull(5) ? null : ReadMessage(r, 5),
    };

    internal static ChatMessage ReadMessage(SqliteDataReader r, int o) => new()
    {
        Id = r.GetString(o),
        ConversationId = r.GetString(o + 1),
        Seq = r.GetInt64(o + 2),
        SenderId = r.GetInt64(o + 3),
        SenderName = r.GetString(o + 4),
        RecipientId = r.IsDBNull(o + 5) ? null : r.GetInt64(o + 5),
        GroupId = r.IsDBNull(o + 6) ? null : r.GetInt64(o + 6),
        Kind = r.GetString(o + 7),
        Text = r.IsDBNull(o + 8) ? null : r.GetString(o + 8),
        Payload = r.IsDBNull(o + 9) ? null : r.GetString(o + 9),
        ClientMsgId = r.IsDBNull(o + 10) ? null : r.GetString(o + 10),
        Timestamp = r.GetInt64(o + 11),
    };
}
