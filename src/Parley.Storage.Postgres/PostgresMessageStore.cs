using Dapper;
using Npgsql;
using Parley.Abstractions.Model;
using Parley.Abstractions.Stores;

namespace Parley.Storage.Postgres;

/// <summary>
/// Messages, conversations and per-user cursors in PostgreSQL. Several nodes append to the same conversations:
/// <see cref="AppendSequencedAsync"/> numbers messages inside the commit transaction (see <see cref="SequencedAppender"/>).
/// </summary>
public sealed class PostgresMessageStore(PostgresDatabase db) : ISequencingMessageStore
{
    internal const string MessageColumns =
        "m.id, m.conversation_id, m.seq, m.sender_id, m.sender_name, m.recipient_id, m.group_id, m.kind, m.text, m.payload, m.client_msg_id, m.ts";

    private const string StateQuery = $"""
        SELECT p.conversation_id, c.last_seq, p.delivered_seq, p.read_seq,
            (SELECT count(*) FROM messages u
             WHERE u.conversation_id = p.conversation_id AND u.seq > p.read_seq AND u.sender_id <> p.user_id AND u.kind <> 'removed')::integer,
            {MessageColumns}
        FROM participants p
        JOIN conversations c ON c.conversation_id = p.conversation_id
        LEFT JOIN messages m ON m.conversation_id = c.conversation_id AND m.seq = c.last_seq
        """;

    /// <inheritdoc />
    /// <remarks>The caller's sequence numbers are stored as given (tools, imports, tests); the engine uses <see cref="AppendSequencedAsync"/>.</remarks>
    public Task AppendAsync(IReadOnlyList<ChatMessage> messages, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (messages.Count == 0) return Task.CompletedTask;
        return db.WriteAsync((c, tx) => SequencedAppender.AppendNumberedAsync(c, tx, messages, ct), ct);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<SequencedAppend>> AppendSequencedAsync(IReadOnlyList<ChatMessage> drafts, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(drafts);
        if (drafts.Count == 0) return Task.FromResult<IReadOnlyList<SequencedAppend>>([]);
        // A (sender, client message id) committed by another node after this statement's snapshot makes the insert
        // fail on the unique index; run again, the draft is then found and answered with the original.
        return db.WriteAsync((c, tx) => SequencedAppender.AppendAsync(c, tx, drafts, ct), ct,
            retryWhen: e => e.SqlState == PostgresErrorCodes.UniqueViolation && e.ConstraintName == "ux_messages_client_msg_id");
    }

    /// <inheritdoc />
    public Task<long> GetLastSeqAsync(string conversationId, CancellationToken ct = default) =>
        db.ReadAsync(c => c.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT coalesce((SELECT last_seq FROM conversations WHERE conversation_id = @conversationId), 0)",
            new { conversationId }, cancellationToken: ct)), ct);

    /// <inheritdoc />
    public Task<ChatMessage?> FindByClientMsgIdAsync(long senderId, string clientMsgId, CancellationToken ct = default) =>
        db.ReadAsync(async c =>
        {
            await using var command = new NpgsqlCommand($"SELECT {MessageColumns} FROM messages m WHERE m.sender_id = $1 AND m.client_msg_id = $2", c);
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = senderId });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = clientMsgId });
            await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            return await reader.ReadAsync(ct).ConfigureAwait(false) ? ReadMessage(reader, 0) : null;
        }, ct);

    /// <inheritdoc />
    public Task<IReadOnlyList<ChatMessage>> GetMessagesAsync(string conversationId, long afterSeq, long beforeSeq, int limit, bool newestFirst, CancellationToken ct = default)
    {
        if (limit <= 0) return Task.FromResult<IReadOnlyList<ChatMessage>>([]);
        var upper = beforeSeq <= 0 ? long.MaxValue : beforeSeq;
        return db.ReadAsync<IReadOnlyList<ChatMessage>>(async c =>
        {
            await using var command = new NpgsqlCommand($"""
                SELECT {MessageColumns} FROM messages m
                WHERE m.conversation_id = $1 AND m.seq > $2 AND m.seq < $3
                ORDER BY m.seq {(newestFirst ? "DESC" : "ASC")} LIMIT $4
                """, c);
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = conversationId });
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = afterSeq });
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = upper });
            command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = limit });
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
        // The old row is returned from a self-join: UPDATE … RETURNING only sees the new values.
        return db.WriteAsync(async (c, tx) =>
        {
            await using var command = new NpgsqlCommand($"""
                UPDATE messages AS t SET kind = $3, text = NULL, payload = NULL
                FROM messages AS m
                WHERE t.conversation_id = $1 AND t.seq = $2 AND t.kind <> $3
                  AND m.conversation_id = t.conversation_id AND m.seq = t.seq
                RETURNING {MessageColumns}
                """, c, tx);
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = conversationId });
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = seq });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = MessageKinds.Removed });
            await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            return await reader.ReadAsync(ct).ConfigureAwait(false) ? ReadMessage(reader, 0) : null;
        }, ct);
    }

    /// <inheritdoc />
    public Task AddParticipantAsync(string conversationId, long userId, long startSeq, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(conversationId);
        return db.WriteAsync((c, tx) => c.ExecuteAsync(new CommandDefinition("""
            INSERT INTO conversations (conversation_id, last_seq, last_message_id, updated_at)
            VALUES (@conversationId, 0, NULL, @now) ON CONFLICT DO NOTHING;
            INSERT INTO participants (conversation_id, user_id, delivered_seq, read_seq, joined_seq)
            VALUES (@conversationId, @userId, @startSeq, @startSeq, @startSeq) ON CONFLICT DO NOTHING;
            """, new { conversationId, userId, startSeq, now = PostgresDatabase.NowMs() }, tx, cancellationToken: ct)), ct);
    }

    /// <inheritdoc />
    public Task RemoveParticipantAsync(string conversationId, long userId, CancellationToken ct = default) =>
        db.WriteAsync((c, tx) => c.ExecuteAsync(new CommandDefinition(
            "DELETE FROM participants WHERE conversation_id = @conversationId AND user_id = @userId",
            new { conversationId, userId }, tx, cancellationToken: ct)), ct);

    /// <inheritdoc />
    public Task<bool> IsParticipantAsync(string conversationId, long userId, CancellationToken ct = default) =>
        db.ReadAsync(c => c.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT EXISTS (SELECT 1 FROM participants WHERE conversation_id = @conversationId AND user_id = @userId)",
            new { conversationId, userId }, cancellationToken: ct)), ct);

    /// <inheritdoc />
    /// <remarks>Returns 0 when the user has no participant row.</remarks>
    public Task<long> MarkDeliveredAsync(string conversationId, long userId, long seq, CancellationToken ct = default) =>
        db.WriteAsync(async (c, tx) => await c.ExecuteScalarAsync<long?>(new CommandDefinition("""
            UPDATE participants
            SET delivered_seq = GREATEST(delivered_seq, LEAST(@seq, coalesce((SELECT last_seq FROM conversations WHERE conversation_id = @conversationId), 0)))
            WHERE conversation_id = @conversationId AND user_id = @userId
            RETURNING delivered_seq
            """, new { conversationId, userId, seq }, tx, cancellationToken: ct)).ConfigureAwait(false) ?? 0, ct);

    /// <inheritdoc />
    /// <remarks>Returns 0 when the user has no participant row. SET expressions read the row as it was, as in SQLite.</remarks>
    public Task<long> MarkReadAsync(string conversationId, long userId, long seq, CancellationToken ct = default) =>
        db.WriteAsync(async (c, tx) => await c.ExecuteScalarAsync<long?>(new CommandDefinition("""
            UPDATE participants
            SET read_seq = GREATEST(read_seq, LEAST(@seq, coalesce((SELECT last_seq FROM conversations WHERE conversation_id = @conversationId), 0))),
                delivered_seq = GREATEST(delivered_seq, read_seq, LEAST(@seq, coalesce((SELECT last_seq FROM conversations WHERE conversation_id = @conversationId), 0)))
            WHERE conversation_id = @conversationId AND user_id = @userId
            RETURNING read_seq
            """, new { conversationId, userId, seq }, tx, cancellationToken: ct)).ConfigureAwait(false) ?? 0, ct);

    /// <inheritdoc />
    public Task<IReadOnlyList<ConversationCursor>> GetCursorsAsync(long userId, CancellationToken ct = default) =>
        db.ReadAsync<IReadOnlyList<ConversationCursor>>(async c =>
        {
            await using var command = new NpgsqlCommand("""
                SELECT p.conversation_id, c.last_seq, p.delivered_seq, p.read_seq
                FROM participants p JOIN conversations c ON c.conversation_id = p.conversation_id
                WHERE p.user_id = $1 ORDER BY p.conversation_id
                """, c);
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = userId });
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
            await using var command = new NpgsqlCommand($"{StateQuery} WHERE p.user_id = $1 ORDER BY c.updated_at DESC, p.conversation_id LIMIT $2", c);
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = userId });
            command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = limit });
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
            await using var command = new NpgsqlCommand($"{StateQuery} WHERE p.user_id = $1 AND p.conversation_id = $2", c);
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = userId });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = conversationId });
            await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            return await reader.ReadAsync(ct).ConfigureAwait(false) ? ReadState(reader) : null;
        }, ct);

    private static ConversationState ReadState(NpgsqlDataReader r) => new()
    {
        ConversationId = r.GetString(0),
        LastSeq = r.GetInt64(1),
        DeliveredSeq = r.GetInt64(2),
        ReadSeq = r.GetInt64(3),
        UnreadCount = r.GetInt32(4),
        LastMessage = r.IsDBNull(5) ? null : ReadMessage(r, 5),
    };

    internal static ChatMessage ReadMessage(NpgsqlDataReader r, int o) => new()
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
