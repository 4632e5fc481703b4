using Parley.Abstractions.Model;

namespace Parley.Abstractions.Stores;

/// <summary>A user's cursor in one conversation (cheap form of <see cref="ConversationState"/>).</summary>
public sealed record ConversationCursor(string ConversationId, long LastSeq, long DeliveredSeq, long ReadSeq);

/// <summary>
/// Durable messages and per-user conversation cursors. The engine assigns sequence numbers; the store persists
/// them. Every user who takes part in a conversation has a participant row: direct conversations get rows for
/// both users on their first message, group conversations when a member joins.
/// </summary>
public interface IMessageStore
{
    /// <summary>
    /// Commits the messages in one transaction (durable when the task completes), keeps each conversation's last
    /// sequence number, and creates participant rows for both users of a direct conversation if missing.
    /// </summary>
    Task AppendAsync(IReadOnlyList<ChatMessage> messages, CancellationToken ct = default);

    /// <summary>Highest committed sequence number in the conversation, 0 if none.</summary>
    Task<long> GetLastSeqAsync(string conversationId, CancellationToken ct = default);

    /// <summary>The message a sender committed with this client message id, if any.</summary>
    Task<ChatMessage?> FindByClientMsgIdAsync(long senderId, string clientMsgId, CancellationToken ct = default);

    /// <summary>
    /// Senders and client message ids of the messages whose client message id lies in [<paramref name="from"/>,
    /// <paramref name="to"/>) in ordinal order, at most <paramref name="limit"/>; null when the store cannot seek
    /// client message ids by range (the MobileIMSDK gateway then keeps its senders' fps as they are).
    /// </summary>
    Task<IReadOnlyList<(long SenderId, string ClientMsgId)>?> ListClientMsgIdsAsync(string from, string to, int limit, CancellationToken ct = default) =>
        Task.FromResult<IReadOnlyList<(long SenderId, string ClientMsgId)>?>(null);

    /// <summary>
    /// Messages with afterSeq &lt; seq &lt; beforeSeq (beforeSeq 0 or less = no upper bound), at most
    /// <paramref name="limit"/>. <paramref name="newestFirst"/> picks the newest ones (returned newest first);
    /// otherwise the oldest ones, oldest first.
    /// </summary>
    Task<IReadOnlyList<ChatMessage>> GetMessagesAsync(string conversationId, long afterSeq, long beforeSeq, int limit, bool newestFirst, CancellationToken ct = default);

    /// <summary>
    /// Turns a message into a tombstone: kind <c>removed</c>, text and payload cleared, everything else (id, seq,
    /// sender, timestamp, client message id) kept, so the sequence stays gap-free. Returns the message as it was
    /// before, or null when there is no such message or it is already a tombstone.
    /// </summary>
    Task<ChatMessage?> RemoveAsync(string conversationId, long seq, CancellationToken ct = default);

    /// <summary>Adds a participant row (idempotent). Delivered/read start at <paramref name="startSeq"/>.</summary>
    Task AddParticipantAsync(string conversationId, long userId, long startSeq, CancellationToken ct = default);

    /// <summary>Removes a participant row.</summary>
    Task RemoveParticipantAsync(string conversationId, long userId, CancellationToken ct = default);

    /// <summary>True if the user has a participant row in the conversation.</summary>
    Task<bool> IsParticipantAsync(string conversationId, long userId, CancellationToken ct = default);

    /// <summary>Raises the delivered cursor (never lowers it; capped at the last seq). Returns the resulting value.</summary>
    Task<long> MarkDeliveredAsync(string conversationId, long userId, long seq, CancellationToken ct = default);

    /// <summary>Raises the read cursor and the delivered cursor with it (never lowers; capped). Returns the read value.</summary>
    Task<long> MarkReadAsync(string conversationId, long userId, long seq, CancellationToken ct = default);

    /// <summary>The user's cursors in all conversations they take part in.</summary>
    Task<IReadOnlyList<ConversationCursor>> GetCursorsAsync(long userId, CancellationToken ct = default);

    /// <summary>The user's conversations with last message and unread count, most recently active first.</summary>
    Task<IReadOnlyList<ConversationState>> GetConversationsAsync(long userId, int limit, CancellationToken ct = default);

    /// <summary>One conversation as the user sees it, or null if they do not take part.</summary>
    Task<ConversationState?> GetConversationAsync(long userId, string conversationId, CancellationToken ct = default);
}
