namespace Parley.Abstractions.Model;

/// <summary>One user's view of one conversation: where it stands and how far the user got.</summary>
public sealed record ConversationState
{
    /// <summary>Canonical conversation id.</summary>
    public required string ConversationId { get; init; }
    /// <summary>Highest committed sequence number (0 when empty).</summary>
    public long LastSeq { get; init; }
    /// <summary>Highest sequence the user acknowledged as delivered.</summary>
    public long DeliveredSeq { get; init; }
    /// <summary>Highest sequence the user marked read.</summary>
    public long ReadSeq { get; init; }
    /// <summary>Messages after <see cref="ReadSeq"/> not sent by the user.</summary>
    public int UnreadCount { get; init; }
    /// <summary>The newest message, if any.</summary>
    public ChatMessage? LastMessage { get; init; }
}
