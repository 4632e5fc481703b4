using Npgsql;
using NpgsqlTypes;
using Parley.Abstractions.Model;
using Parley.Abstractions.Stores;

namespace Parley.Storage.Postgres;

/// <summary>
/// The write path of <see cref="PostgresMessageStore"/>. A batch is one statement: the drafts go in as arrays; each
/// conversation's row is created or locked and its <c>last_seq</c> advanced by the number of new drafts (rows are
/// taken in conversation-id order, so two nodes never wait on each other in a cycle); the drafts are inserted with
/// the numbers just reserved; participant rows of new direct conversations are added. Numbers are only reserved for
/// rows inserted by the same transaction, so a failure rolls both back and leaves no gap.
/// </summary>
internal static class SequencedAppender
{
    private const string AppendSql = """
        WITH draft AS MATERIALIZED (
            SELECT d.*,
                   row_number() OVER (PARTITION BY d.conversation_id ORDER BY d.ord) AS k,
                   count(*) OVER (PARTITION BY d.conversation_id) AS n
            FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::bigint[], $6::bigint[], $7::text[], $8::text[], $9::text[], $10::text[], $11::bigint[])
                 WITH ORDINALITY AS d(conversation_id, id, sender_id, sender_name, recipient_id, group_id, kind, text, payload, client_msg_id, ts, ord)
            WHERE d.client_msg_id IS NULL OR NOT EXISTS (
                SELECT 1 FROM messages x WHERE x.sender_id = d.sender_id AND x.client_msg_id = d.client_msg_id)
        ),
        conv AS (
            INSERT INTO conversations AS c (conversation_id, last_seq, last_message_id, updated_at)
            SELECT DISTINCT ON (conversation_id COLLATE "C") conversation_id, n, id, ts FROM draft
            ORDER BY conversation_id COLLATE "C", ord DESC
            ON CONFLICT (conversation_id) DO UPDATE
                SET last_seq = c.last_seq + excluded.last_seq, last_message_id = excluded.last_message_id,
                    updated_at = GREATEST(c.updated_at, excluded.updated_at)
            RETURNING c.conversation_id, c.last_seq
        ),
        part AS (
            INSERT INTO participants (conversation_id, user_id, delivered_seq, read_seq, joined_seq)
            SELECT p.conversation_id, p.user_id, 0, 0, 0
            FROM unnest($12::text[], $13::bigint[]) AS p(conversation_id, user_id) JOIN conv c ON c.conversation_id = p.conversation_id
            ON CONFLICT DO NOTHING
        )
        INSERT INTO messages (conversation_id, seq, id, sender_id, sender_name, recipient_id, group_id, kind, text, payload, client_msg_id, ts)
        SELECT d.conversation_id, c.last_seq - d.n + d.k, d.id, d.sender_id, d.sender_name, d.recipient_id, d.group_id, d.kind,
               d.text, d.payload, d.client_msg_id, d.ts
        FROM draft d JOIN conv c ON c.conversation_id = d.conversation_id
        RETURNING id, seq
        """;

    private const string OriginalsSql = $"""
        SELECT {PostgresMessageStore.MessageColumns}
        FROM messages m JOIN unnest($1::bigint[], $2::text[]) AS k(sender_id, client_msg_id)
            ON m.sender_id = k.sender_id AND m.client_msg_id = k.client_msg_id
        """;

    private const string InsertNumberedSql = """
        INSERT INTO messages (conversation_id, seq, id, sender_id, sender_name, recipient_id, group_id, kind, text, payload, client_msg_id, ts)
        SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::bigint[], $5::text[], $6::bigint[], $7::bigint[], $8::text[], $9::text[], $10::text[], $11::text[], $12::bigint[])
        """;

    private const string AdvanceNumberedSql = """
        INSERT INTO conversations AS c (conversation_id, last_seq, last_message_id, updated_at)
        SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::bigint[])
        ON CONFLICT (conversation_id) DO UPDATE
            SET last_seq = excluded.last_seq, last_message_id = excluded.last_message_id, updated_at = excluded.updated_at
            WHERE excluded.last_seq > c.last_seq
        """;

    private const string ParticipantsSql = """
        INSERT INTO participants (conversation_id, user_id, delivered_seq, read_seq, joined_seq)
        SELECT conversation_id, user_id, 0, 0, 0 FROM unnest($1::text[], $2::bigint[]) AS p(conversation_id, user_id)
        ON CONFLICT DO NOTHING
        """;

    /// <summary>Numbers and inserts the drafts; see <see cref="ISequencingMessageStore.AppendSequencedAsync"/>.</summary>
    public static async Task<IReadOnlyList<SequencedAppend>> AppendAsync(NpgsqlConnection connection, NpgsqlTransaction tx,
        IReadOnlyList<ChatMessage> drafts, CancellationToken ct)
    {
        // The same (sender, client message id) twice in one batch: the first is the message, the rest repeat it.
        var unique = new List<ChatMessage>(drafts.Count);
        int[]? firstOf = null;
        Dictionary<(long, string), int>? byKey = null;
        for (var i = 0; i < drafts.Count; i++)
        {
            var d = drafts[i];
            if (d.ClientMsgId is { } cm)
            {
                byKey ??= [];
                if (byKey.TryGetValue((d.SenderId, cm), out var first))
                {
                    (firstOf ??= CreateIdentity(drafts.Count))[i] = first;
                    continue;
                }
                byKey[(d.SenderId, cm)] = i;
            }
            unique.Add(d);
        }

        var seqById = new Dictionary<string, long>(unique.Count, StringComparer.Ordinal);
        await using (var command = new NpgsqlCommand(AppendSql, connection, tx))
        {
            AddMessageArrays(command, unique, withSeq: false);
            var (participantConversations, participantUsers) = DirectParticipants(unique);
            command.Parameters.Add(Array(participantConversations, NpgsqlDbType.Text));
            command.Parameters.Add(Array(participantUsers, NpgsqlDbType.Bigint));
            await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            while (await reader.ReadAsync(ct).ConfigureAwait(false)) seqById[reader.GetString(0)] = reader.GetInt64(1);
        }

        // Drafts not inserted were already stored (by this node earlier or by another one): answer with the originals.
        Dictionary<(long, string), ChatMessage>? originals = null;
        if (seqById.Count < unique.Count)
        {
            var missing = unique.Where(d => !seqById.ContainsKey(d.Id)).ToList();
            originals = await ReadOriginalsAsync(connection, tx, missing, ct).ConfigureAwait(false);
        }

        var results = new SequencedAppend[drafts.Count];
        for (var i = 0; i < drafts.Count; i++)
        {
            var d = drafts[i];
            if (firstOf is not null && firstOf[i] != i) continue;
            if (seqById.TryGetValue(d.Id, out var seq)) results[i] = new SequencedAppend(d with { Seq = seq }, Duplicate: false);
            else if (d.ClientMsgId is { } cm && originals!.TryGetValue((d.SenderId, cm), out var original)) results[i] = new SequencedAppend(original, Duplicate: true);
            else throw new InvalidOperationException($"Message {d.Id} was neither stored nor found as a duplicate.");
        }
        if (firstOf is not null)
        {
            for (var i = 0; i < drafts.Count; i++)
            {
                if (firstOf[i] != i) results[i] = results[firstOf[i]] with { Duplicate = true };
            }
        }
        return results;
    }

    private static int[] CreateIdentity(int count)
    {
        var map = new int[count];
        for (var i = 0; i < count; i++) map[i] = i;
        return map;
    }

    private static async Task<Dictionary<(long, string), ChatMessage>> ReadOriginalsAsync(NpgsqlConnection connection, NpgsqlTransaction tx,
        List<ChatMessage> missing, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(OriginalsSql, connection, tx);
        command.Parameters.Add(Array(missing.Select(d => d.SenderId).ToArray(), NpgsqlDbType.Bigint));
        command.Parameters.Add(Array(missing.Select(d => d.ClientMsgId).ToArray(), NpgsqlDbType.Text));
        var found = new Dictionary<(long, string), ChatMessage>(missing.Count);
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            var m = PostgresMessageStore.ReadMessage(reader, 0);
            found[(m.SenderId, m.ClientMsgId!)] = m;
        }
        return found;
    }

    /// <summary>Stores messages numbered by the caller (see <see cref="PostgresMessageStore.AppendAsync"/>), in one round trip.</summary>
    public static async Task<int> AppendNumberedAsync(NpgsqlConnection connection, NpgsqlTransaction tx, IReadOnlyList<ChatMessage> messages, CancellationToken ct)
    {
        var last = new SortedDictionary<string, ChatMessage>(StringComparer.Ordinal);
        foreach (var m in messages)
        {
            if (!last.TryGetValue(m.ConversationId, out var l) || m.Seq > l.Seq) last[m.ConversationId] = m;
        }
        await using var batch = new NpgsqlBatch(connection, tx);
        var insert = new NpgsqlBatchCommand(InsertNumberedSql);
        AddMessageArrays(insert, messages, withSeq: true);
        batch.BatchCommands.Add(insert);

        var advance = new NpgsqlBatchCommand(AdvanceNumberedSql);
        advance.Parameters.Add(Array(last.Keys.ToArray(), NpgsqlDbType.Text));
        advance.Parameters.Add(Array(last.Values.Select(m => m.Seq).ToArray(), NpgsqlDbType.Bigint));
        advance.Parameters.Add(Array(last.Values.Select(m => m.Id).ToArray(), NpgsqlDbType.Text));
        advance.Parameters.Add(Array(last.Values.Select(m => m.Timestamp).ToArray(), NpgsqlDbType.Bigint));
        batch.BatchCommands.Add(advance);

        var participants = new NpgsqlBatchCommand(ParticipantsSql);
        var (conversations, users) = DirectParticipants(messages);
        participants.Parameters.Add(Array(conversations, NpgsqlDbType.Text));
        participants.Parameters.Add(Array(users, NpgsqlDbType.Bigint));
        batch.BatchCommands.Add(participants);
        return await batch.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Both users of every direct conversation among the messages, sorted (a stable lock order).</summary>
    private static (string[] Conversations, long[] Users) DirectParticipants(IReadOnlyList<ChatMessage> messages)
    {
        var pairs = new SortedSet<(string, long)>(Comparer<(string, long)>.Create((a, b) =>
        {
            var c = string.CompareOrdinal(a.Item1, b.Item1);
            return c != 0 ? c : a.Item2.CompareTo(b.Item2);
        }));
        foreach (var m in messages)
        {
            if (!ConversationId.TryParse(m.ConversationId, out var parsed) || parsed.Value.IsGroup) continue;
            pairs.Add((m.ConversationId, parsed.Value.UserA));
            pairs.Add((m.ConversationId, parsed.Value.UserB));
        }
        return (pairs.Select(p => p.Item1).ToArray(), pairs.Select(p => p.Item2).ToArray());
    }

    private static void AddMessageArrays(NpgsqlCommand command, IReadOnlyList<ChatMessage> messages, bool withSeq) =>
        AddMessageArrays(command.Parameters, messages, withSeq);

    private static void AddMessageArrays(NpgsqlBatchCommand command, IReadOnlyList<ChatMessage> messages, bool withSeq) =>
        AddMessageArrays(command.Parameters, messages, withSeq);

    private static void AddMessageArrays(NpgsqlParameterCollection p, IReadOnlyList<ChatMessage> messages, bool withSeq)
    {
        var n = messages.Count;
        var conversation = new string[n];
        var seq = new long[n];
        var id = new string[n];
        var sender = new long[n];
        var senderName = new string[n];
        var recipient = new long?[n];
        var group = new long?[n];
        var kind = new string[n];
        var text = new string?[n];
        var payload = new string?[n];
        var clientMsgId = new string?[n];
        var ts = new long[n];
        for (var i = 0; i < n; i++)
        {
            var m = messages[i];
            conversation[i] = m.ConversationId;
            seq[i] = m.Seq;
            id[i] = m.Id;
            sender[i] = m.SenderId;
            senderName[i] = m.SenderName;
            recipient[i] = m.RecipientId;
            group[i] = m.GroupId;
            kind[i] = m.Kind;
            text[i] = m.Text;
            payload[i] = m.Payload;
            clientMsgId[i] = m.ClientMsgId;
            ts[i] = m.Timestamp;
        }
        p.Add(Array(conversation, NpgsqlDbType.Text));
        if (withSeq) p.Add(Array(seq, NpgsqlDbType.Bigint));
        p.Add(Array(id, NpgsqlDbType.Text));
        p.Add(Array(sender, NpgsqlDbType.Bigint));
        p.Add(Array(senderName, NpgsqlDbType.Text));
        p.Add(Array(recipient, NpgsqlDbType.Bigint));
        p.Add(Array(group, NpgsqlDbType.Bigint));
        p.Add(Array(kind, NpgsqlDbType.Text));
        p.Add(Array(text, NpgsqlDbType.Text));
        p.Add(Array(payload, NpgsqlDbType.Text));
        p.Add(Array(clientMsgId, NpgsqlDbType.Text));
        p.Add(Array(ts, NpgsqlDbType.Bigint));
    }

    private static NpgsqlParameter Array<T>(T[] values, NpgsqlDbType elementType) =>
        new() { Value = values, NpgsqlDbType = NpgsqlDbType.Array | elementType };
}
