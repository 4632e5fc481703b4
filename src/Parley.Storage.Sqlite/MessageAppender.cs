using Microsoft.Data.Sqlite;
using Parley.Abstractions.Model;
using Parley.Abstractions.Stores;

namespace Parley.Storage.Sqlite;

/// <summary>
/// The hot path of <see cref="SqliteMessageStore.AppendAsync"/>: prepared commands bound to the writer
/// connection and reused for every batch, so a row costs parameter assignments and one step, not a parse.
/// Only used under the database's write gate, which makes the shared state safe.
/// </summary>
internal sealed class MessageAppender
{
    private readonly SqliteCommand _insert;
    private readonly SqliteParameter _conversationId, _seq, _id, _senderId, _senderName, _recipientId, _groupId,
        _kind, _text, _payload, _clientMsgId, _ts;

    // The same insert, except that a stored (client message id, sender) skips the row instead of failing the batch.
    private readonly SqliteCommand _insertNew;

    private readonly SqliteCommand _lastSeq;
    private readonly SqliteParameter _lConversationId;

    private readonly SqliteCommand _original;
    private readonly SqliteParameter _oSenderId, _oClientMsgId;

    private readonly SqliteCommand _conversation;
    private readonly SqliteParameter _cConversationId, _cTs;

    private readonly SqliteCommand _participants;
    private readonly SqliteParameter _pConversationId, _pUserA, _pUserB;

    private readonly Dictionary<string, long> _nextSeq = new(StringComparer.Ordinal);
    // Conversations whose first message may be in this batch, with its time: only they need a conversation row and,
    // if direct, participant rows (neither is ever removed, so a conversation with messages has them). The rest of a
    // conversation's state is read from its messages, so a batch writes nothing per conversation but the messages.
    private readonly Dictionary<string, long> _firstMessages = new(StringComparer.Ordinal);

    public MessageAppender(SqliteConnection writer)
    {
        _insert = writer.CreateCommand();
        _insert.CommandText = """
            INSERT INTO messages (conversation_id, seq, id, sender_id, sender_name, recipient_id, group_id, kind, text, payload, client_msg_id, ts)
            VALUES ($c, $seq, $id, $sender, $senderName, $recipient, $group, $kind, $text, $payload, $clientMsgId, $ts)
            """;
        _conversationId = Add(_insert, "$c", SqliteType.Text);
        _seq = Add(_insert, "$seq", SqliteType.Integer);
        _id = Add(_insert, "$id", SqliteType.Text);
        _senderId = Add(_insert, "$sender", SqliteType.Integer);
        _senderName = Add(_insert, "$senderName", SqliteType.Text);
        _recipientId = Add(_insert, "$recipient", SqliteType.Integer);
        _groupId = Add(_insert, "$group", SqliteType.Integer);
        _kind = Add(_insert, "$kind", SqliteType.Text);
        _text = Add(_insert, "$text", SqliteType.Text);
        _payload = Add(_insert, "$payload", SqliteType.Text);
        _clientMsgId = Add(_insert, "$clientMsgId", SqliteType.Text);
        _ts = Add(_insert, "$ts", SqliteType.Integer);

        // Shares the insert's parameters: both are bound by Bind.
        _insertNew = writer.CreateCommand();
        _insertNew.CommandText = _insert.CommandText + "\nON CONFLICT (client_msg_id, sender_id) WHERE client_msg_id IS NOT NULL DO NOTHING";
        foreach (SqliteParameter p in _insert.Parameters) _insertNew.Parameters.Add(p);

        _lastSeq = writer.CreateCommand();
        _lastSeq.CommandText = "SELECT " + SqliteMessageStore.LastSeqOfParameter;
        _lConversationId = Add(_lastSeq, "$c", SqliteType.Text);

        _original = writer.CreateCommand();
        _original.CommandText = $"SELECT {SqliteMessageStore.MessageColumns} FROM messages m WHERE m.client_msg_id = $cm AND m.sender_id = $s";
        _oSenderId = Add(_original, "$s", SqliteType.Integer);
        _oClientMsgId = Add(_original, "$cm", SqliteType.Text);

        _conversation = writer.CreateCommand();
        _conversation.CommandText = "INSERT OR IGNORE INTO conversations (conversation_id, created_at) VALUES ($c, $ts)";
        _cConversationId = Add(_conversation, "$c", SqliteType.Text);
        _cTs = Add(_conversation, "$ts", SqliteType.Integer);

        _participants = writer.CreateCommand();
        _participants.CommandText = """
            INSERT OR IGNORE INTO participants (conversation_id, user_id, delivered_seq, read_seq, joined_seq)
            VALUES ($c, $a, 0, 0, 0), ($c, $b, 0, 0, 0)
            """;
        _pConversationId = Add(_participants, "$c", SqliteType.Text);
        _pUserA = Add(_participants, "$a", SqliteType.Integer);
        _pUserB = Add(_participants, "$b", SqliteType.Integer);
    }

    public void Append(IReadOnlyList<ChatMessage> messages, SqliteTransaction tx)
    {
        _insert.Transaction = tx;
        _conversation.Transaction = tx;
        _participants.Transaction = tx;
        try
        {
            for (var i = 0; i < messages.Count; i++)
            {
                var m = messages[i];
                Bind(m, m.Seq);
                _insert.ExecuteNonQuery();
                // numbered by the caller, so any of them may be a conversation's first
                _firstMessages.TryAdd(m.ConversationId, m.Timestamp);
            }
            CreateConversations();
        }
        finally
        {
            _firstMessages.Clear();
        }
    }

    /// <summary>
    /// Numbers and inserts drafts (see <see cref="ISequencingMessageStore.AppendSequencedAsync"/>). The numbers come
    /// from each conversation's last message, read inside this write transaction, so they are gap-free whoever wrote
    /// before; a draft whose (client message id, sender) is stored is skipped by its insert, which is the idempotency
    /// check itself: no read before it, and a skipped draft takes no number.
    /// </summary>
    public IReadOnlyList<SequencedAppend> AppendSequenced(IReadOnlyList<ChatMessage> drafts, SqliteTransaction tx)
    {
        _insertNew.Transaction = tx;
        _lastSeq.Transaction = tx;
        _original.Transaction = tx;
        _conversation.Transaction = tx;
        _participants.Transaction = tx;
        _nextSeq.Clear();
        try
        {
            var results = new SequencedAppend[drafts.Count];
            for (var i = 0; i < drafts.Count; i++)
            {
                var d = drafts[i];
                if (!_nextSeq.TryGetValue(d.ConversationId, out var seq)) seq = LastSeq(d.ConversationId) + 1;
                Bind(d, seq);
                if (_insertNew.ExecuteNonQuery() == 0)
                {
                    results[i] = new SequencedAppend(Original(d.SenderId, d.ClientMsgId!), Duplicate: true);
                    _nextSeq[d.ConversationId] = seq;
                    continue;
                }
                if (seq == 1) _firstMessages[d.ConversationId] = d.Timestamp;
                results[i] = new SequencedAppend(d with { Seq = seq }, Duplicate: false);
                _nextSeq[d.ConversationId] = seq + 1;
            }
            CreateConversations();
            return results;
        }
        finally
        {
            _nextSeq.Clear();
            _firstMessages.Clear();
        }
    }

    private long LastSeq(string conversationId)
    {
        _lConversationId.Value = conversationId;
        return (long)_lastSeq.ExecuteScalar()!;
    }

    private ChatMessage Original(long senderId, string clientMsgId)
    {
        _oSenderId.Value = senderId;
        _oClientMsgId.Value = clientMsgId;
        using var reader = _original.ExecuteReader();
        // Only the client-id conflict is skipped (any other constraint fails the batch), so the row is there.
        if (!reader.Read()) throw new InvalidOperationException($"A draft of sender {senderId} was skipped but no message has its client message id.");
        return SqliteMessageStore.ReadMessage(reader, 0);
    }

    private void Bind(ChatMessage m, long seq)
    {
        _conversationId.Value = m.ConversationId;
        _seq.Value = seq;
        _id.Value = m.Id;
        _senderId.Value = m.SenderId;
        _senderName.Value = m.SenderName;
        _recipientId.Value = (object?)m.RecipientId ?? DBNull.Value;
        _groupId.Value = (object?)m.GroupId ?? DBNull.Value;
        _kind.Value = m.Kind;
        _text.Value = (object?)m.Text ?? DBNull.Value;
        _payload.Value = (object?)m.Payload ?? DBNull.Value;
        _clientMsgId.Value = (object?)m.ClientMsgId ?? DBNull.Value;
        _ts.Value = m.Timestamp;
    }

    private void CreateConversations()
    {
        foreach (var (conversationId, firstTimestamp) in _firstMessages)
        {
            _cConversationId.Value = conversationId;
            _cTs.Value = firstTimestamp;
            _conversation.ExecuteNonQuery();

            if (ConversationId.TryParse(conversationId, out var parsed) && !parsed.Value.IsGroup)
            {
                _pConversationId.Value = conversationId;
                _pUserA.Value = parsed.Value.UserA;
                _pUserB.Value = parsed.Value.UserB;
                _participants.ExecuteNonQuery();
            }
        }
    }

    private static SqliteParameter Add(SqliteCommand command, string name, SqliteType type)
    {
        var p = command.CreateParameter();
        p.ParameterName = name;
        p.SqliteType = type;
        command.Parameters.Add(p);
        return p;
    }
}
