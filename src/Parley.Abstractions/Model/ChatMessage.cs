namespace Parley.Abstractions.Model;

/// <summary>Message kinds the server gives a meaning to; others are free form.</summary>
public static class MessageKinds
{
    /// <summary>Plain text (the default).</summary>
    public const string Text = "text";
    /// <summary>A picture; payload <c>{fileId, name, size, contentType, width?, height?}</c>.</summary>
    public const string Image = "image";
    /// <summary>A sound clip; payload <c>{fileId, name, size, contentType, durationMs?}</c>.</summary>
    public const string Audio = "audio";
    /// <summary>A video; payload <c>{fileId, name, size, contentType, width?, height?, durationMs?}</c>.</summary>
    public const string Video = "video";
    /// <summary>Any file; payload <c>{fileId, name, size, contentType}</c>.</summary>
    public const string File = "file";
    /// <summary>A removed message's tombstone: no text, no payload. Clients cannot send it.</summary>
    public const string Removed = "removed";

    /// <summary>True for the kinds that carry an uploaded file.</summary>
    public static bool IsMedia(string? kind) => kind is Image or Audio or Video or File;
}

/// <summary>
/// A durable chat message. <see cref="Seq"/> is the per-conversation sequence number: strictly increasing and
/// gap-free within <see cref="ConversationId"/>, assigned by the engine when the message is committed.
/// </summary>
public sealed record ChatMessage
{
    /// <summary>Server message id (unique, time-ordered).</summary>
    public required string Id { get; init; }
    /// <summary>Canonical conversation id (see <see cref="Model.ConversationId"/>).</summary>
    public required string ConversationId { get; init; }
    /// <summary>Per-conversation sequence number, from 1.</summary>
    public long Seq { get; init; }
    /// <summary>Sender's user id (0 for the server/system).</summary>
    public long SenderId { get; init; }
    /// <summary>Sender's account name (denormalised so transports need no lookup).</summary>
    public required string SenderName { get; init; }
    /// <summary>Recipient of a direct message, else null.</summary>
    public long? RecipientId { get; init; }
    /// <summary>Group of a group message, else null.</summary>
    public long? GroupId { get; init; }
    /// <summary>Message kind: "text", "image", "audio", "video", "file", "custom", "system" … (free form, max 32 chars).</summary>
    public required string Kind { get; init; }
    /// <summary>Text body (may be null for media).</summary>
    public string? Text { get; init; }
    /// <summary>Opaque JSON payload (raw JSON text) for media descriptors, custom data and system messages.</summary>
    public string? Payload { get; init; }
    /// <summary>The sender's client message id (idempotency key), if given.</summary>
    public string? ClientMsgId { get; init; }
    /// <summary>Server timestamp, Unix milliseconds.</summary>
    public long Timestamp { get; init; }
}
