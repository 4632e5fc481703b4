using Microsoft.Data.Sqlite;
using Parley.Abstractions.Model;

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

    private readonly SqliteCommand _conversation;
    private readonly SqliteParameter _cConversationId, _cSeq, _cId, _cTs;

    private readonly SqliteCommand _participants;
    private readonly SqliteParameter _pConversationId, _pUserA, _pUserB;

    private readonly Dictionary<string, ChatMessage> _lastByConversation = new(StringComparer.Ordinal);

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

        _conversation = writer.CreateCommand();
        _conversation.CommandText = """
            INSERT INTO conversations (conversation_id, last_seq, last_message_id, updated_at) VALUES ($c, $seq, $id, $ts)
            ON CONFLICT (conversation_id) DO UPDATE
                SET last_seq = excluded.last_seq, last_message_id = excluded.last_message_id, updated_at = excluded.updated_at
                WHERE excluded.last_seq > conversations.last_seq
            """;
        _cConversationId = Add(_conversation, "$c", SqliteType.Text);
        _cSeq = Add(_conversation, "$seq", SqliteType.Integer);
        _cId = Add(_conversation, "$id", SqliteType.Text);
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
        _lastByConversation.Clear();
        try
        {
            for (var i = 0; i < messages.Count; i++)
            {
                var m = messages[i];
                _conversationId.Value = m.ConversationId;
                _seq.Value = m.Seq;
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
                _insert.ExecuteNonQuery();

                if (!_lastByConversation.TryGetValue(m.ConversationId, out var last) || m.Seq > last.Seq)
                    _lastByConversation[m.ConversationId] = m;
            }

            foreach (var (conversationId, last) in _lastByConversation)
            {
                _cConversationId.Value = conversationId;
                _cSeq.Value = last.Seq;
                _cId.Value = last.Id;
                _cTs.Value = last.Timestamp;
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
        finally
        {
            _lastByConversation.Clear();
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
