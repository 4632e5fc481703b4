using Parley.Abstractions.Model;
using Parley.Core.Services;

namespace Parley.Core.Messaging;

/// <summary>Where a message or typing notice goes: a user (name or id), a group, or a conversation id.</summary>
public readonly record struct MessageTarget(string? User, long? GroupId, string? Conversation)
{
    public static MessageTarget ToUser(string user) => new(user, null, null);
    public static MessageTarget ToGroup(long groupId) => new(null, groupId, null);
    public static MessageTarget ToConversation(string conversation) => new(null, null, conversation);

    /// <summary>Exactly one of the three must be set.</summary>
    public bool IsValid => (User is not null ? 1 : 0) + (GroupId is not null ? 1 : 0) + (Conversation is not null ? 1 : 0) == 1;
}

/// <summary>A send as the engine receives it from any transport or the REST API.</summary>
public sealed record SendRequest(MessageTarget Target, string? ClientMsgId, string? Kind, string? Text, string? Payload);

/// <summary>Result of a send: the committed message, or an error code from <see cref="Parley.Abstractions.ErrorCodes"/>.</summary>
public sealed record SendOutcome(ChatMessage? Message, bool Duplicate, int ErrorCode, string? Error)
{
    public bool Succeeded => Message is not null;
    public static SendOutcome Ok(ChatMessage message, bool duplicate) => new(message, duplicate, 0, null);
    public static SendOutcome Fail(int code, string error) => new(null, false, code, error);
}

/// <summary>A resolved and authorised destination.</summary>
public sealed record ResolvedTarget(ConversationId Conversation, Account? Recipient, GroupSnapshot? Group);

/// <summary>Either a value or an error code with a client-safe message.</summary>
public readonly record struct Access<T>(T? Value, int ErrorCode, string? Error)
{
    public bool Ok => ErrorCode == 0;
    public static Access<T> Allow(T value) => new(value, 0, null);
    public static Access<T> Deny(int code, string error) => new(default, code, error);
}
