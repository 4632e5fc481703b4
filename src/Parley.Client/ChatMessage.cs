using System.Text.Json;

namespace Parley.Client;

/// <summary>A stored chat message, as sent by the server over WebSocket and REST.</summary>
/// <param name="Id">Server-assigned message id.</param>
/// <param name="Conversation">Conversation id: <c>d:{low}:{high}</c> (direct) or <c>g:{groupId}</c> (group).</param>
/// <param name="Seq">Sequence number, strictly increasing and gap-free within <paramref name="Conversation"/>.</param>
/// <param name="From">User id of the sender.</param>
/// <param name="FromName">Account name of the sender.</param>
/// <param name="To">Recipient user id for direct messages, otherwise <see langword="null"/>.</param>
/// <param name="Group">Group id for group messages, otherwise <see langword="null"/>.</param>
/// <param name="Kind">Message kind (<c>text</c>, <c>image</c>, <c>custom</c> …).</param>
/// <param name="Text">Text of the message, if any.</param>
/// <param name="Payload">Arbitrary JSON payload, if any.</param>
/// <param name="ClientMsgId">The sender's idempotency key, if it gave one.</param>
/// <param name="Ts">Server timestamp in Unix milliseconds.</param>
public sealed record ChatMessage(
    string Id,
    string Conversation,
    long Seq,
    long From,
    string? FromName,
    long? To,
    long? Group,
    string Kind,
    string? Text,
    JsonElement? Payload,
    string? ClientMsgId,
    long Ts)
{
    /// <summary>The server timestamp as a <see cref="DateTimeOffset"/>.</summary>
    public DateTimeOffset Timestamp => DateTimeOffset.FromUnixTimeMilliseconds(Ts);
}

/// <summary>A page of messages, oldest first.</summary>
/// <param name="Messages">The messages, oldest first.</param>
/// <param name="HasMore">Whether more messages exist in the paged direction.</param>
public sealed record HistoryPage(IReadOnlyList<ChatMessage> Messages, bool HasMore);
