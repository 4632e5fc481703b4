using System.Text.Json;
using Parley.Abstractions.Model;

namespace Parley.Abstractions.Events;

/// <summary>
/// Something the engine hands to a connection. Events fanned out to many connections are encoded once per wire
/// format: <see cref="GetOrEncode{TState}"/> caches the encoded bytes per encoder key.
/// </summary>
public abstract class ServerEvent
{
    // One entry per wire format that encoded this event (native JSON, STOMP body, MobileIMSDK …): a handful at most.
    private (object Key, ReadOnlyMemory<byte> Bytes)[] _cache = [];
    private readonly Lock _gate = new();

    /// <summary>Returns the bytes for <paramref name="key"/>, encoding them on first use. Thread-safe.</summary>
    public ReadOnlyMemory<byte> GetOrEncode<TState>(object key, TState state, Func<ServerEvent, TState, ReadOnlyMemory<byte>> encode)
    {
        var cache = Volatile.Read(ref _cache);
        foreach (var entry in cache)
        {
            if (ReferenceEquals(entry.Key, key)) return entry.Bytes;
        }
        var bytes = encode(this, state);
        lock (_gate)
        {
            foreach (var entry in _cache)
            {
                if (ReferenceEquals(entry.Key, key)) return entry.Bytes;
            }
            Volatile.Write(ref _cache, [.. _cache, (key, bytes)]);
        }
        return bytes;
    }
}

/// <summary>A chat message for the recipient (live or replayed by sync).</summary>
public sealed class MessageEvent(ChatMessage message) : ServerEvent
{
    /// <summary>The message.</summary>
    public ChatMessage Message { get; } = message;
}

/// <summary>
/// A message was removed: it is now a tombstone (kind <c>removed</c>, no text or payload) with the same sequence
/// number. Goes to the conversation's participants who are online; history and sync return the tombstone.
/// </summary>
public sealed class MessageRemovedEvent(ChatMessage tombstone, long removedBy, string removedByName) : ServerEvent
{
    /// <summary>The tombstone (same id, conversation and seq as the removed message).</summary>
    public ChatMessage Tombstone { get; } = tombstone;
    /// <summary>Who removed it (the sender or a group owner).</summary>
    public long RemovedBy { get; } = removedBy;
    /// <summary>Their account name.</summary>
    public string RemovedByName { get; } = removedByName;
}

/// <summary>The sender's acknowledgement: the message is durable with this sequence number.</summary>
public sealed class SendAckEvent(string? requestId, ChatMessage message, bool duplicate) : ServerEvent
{
    /// <summary>The client's request id, echoed.</summary>
    public string? RequestId { get; } = requestId;
    /// <summary>The committed message.</summary>
    public ChatMessage Message { get; } = message;
    /// <summary>True when the send repeated an earlier client message id and no new message was made.</summary>
    public bool Duplicate { get; } = duplicate;
}

/// <summary>Kind of receipt.</summary>
public enum ReceiptKind
{
    /// <summary>The user's device received messages up to Seq.</summary>
    Delivered = 0,
    /// <summary>The user read messages up to Seq.</summary>
    Read = 1,
}

/// <summary>Another participant's delivery or read position moved.</summary>
public sealed class ReceiptEvent(string conversationId, long seq, long userId, string userName, ReceiptKind kind) : ServerEvent
{
    /// <summary>Conversation.</summary>
    public string ConversationId { get; } = conversationId;
    /// <summary>Position reached.</summary>
    public long Seq { get; } = seq;
    /// <summary>Who reached it.</summary>
    public long UserId { get; } = userId;
    /// <summary>Their account name.</summary>
    public string UserName { get; } = userName;
    /// <summary>Delivered or read.</summary>
    public ReceiptKind Kind { get; } = kind;
}

/// <summary>A friend or fellow group member came online or went offline.</summary>
public sealed class PresenceEvent(long userId, string userName, bool online) : ServerEvent
{
    /// <summary>User.</summary>
    public long UserId { get; } = userId;
    /// <summary>Account name.</summary>
    public string UserName { get; } = userName;
    /// <summary>Online now.</summary>
    public bool Online { get; } = online;
}

/// <summary>Someone is typing in a conversation (not stored).</summary>
public sealed class TypingEvent(string conversationId, long userId, string userName) : ServerEvent
{
    /// <summary>Conversation.</summary>
    public string ConversationId { get; } = conversationId;
    /// <summary>Typist.</summary>
    public long UserId { get; } = userId;
    /// <summary>Typist's account name.</summary>
    public string UserName { get; } = userName;
}

/// <summary>A request failed; the connection stays open.</summary>
public sealed class ErrorEvent(string? requestId, int code, string message) : ServerEvent
{
    /// <summary>The failed request's id, if it had one.</summary>
    public string? RequestId { get; } = requestId;
    /// <summary>One of <see cref="ErrorCodes"/>.</summary>
    public int Code { get; } = code;
    /// <summary>Human-readable, never exception text.</summary>
    public string Message { get; } = message;
}

/// <summary>A successful reply to a query, with a JSON-serialisable body.</summary>
public sealed class ResultEvent(string? requestId, object? data) : ServerEvent
{
    /// <summary>The request id.</summary>
    public string? RequestId { get; } = requestId;
    /// <summary>The body, serialised by the transport.</summary>
    public object? Data { get; } = data;
}

/// <summary>Reply to a ping.</summary>
public sealed class PongEvent(string? requestId) : ServerEvent
{
    /// <summary>The ping's id.</summary>
    public string? RequestId { get; } = requestId;
}

/// <summary>End of a sync reply; the messages came before it as <see cref="MessageEvent"/>s.</summary>
public sealed class SyncedEvent(string? requestId, bool more, IReadOnlyDictionary<string, long> cursors) : ServerEvent
{
    /// <summary>The sync request's id.</summary>
    public string? RequestId { get; } = requestId;
    /// <summary>True when a limit cut the reply: sync again with the returned cursors.</summary>
    public bool More { get; } = more;
    /// <summary>Highest seq sent per conversation in this reply (or the request's cursor if nothing was sent).</summary>
    public IReadOnlyDictionary<string, long> Cursors { get; } = cursors;
}

/// <summary>A server → client call: the client answers with the same <see cref="CallId"/>.</summary>
public sealed class ClientCallEvent(long callId, string method, JsonElement? payload, int timeoutMs) : ServerEvent
{
    /// <summary>Correlation id, unique per connection.</summary>
    public long CallId { get; } = callId;
    /// <summary>Method name.</summary>
    public string Method { get; } = method;
    /// <summary>Arguments, or null.</summary>
    public JsonElement? Payload { get; } = payload;
    /// <summary>How long the server waits for the answer.</summary>
    public int TimeoutMs { get; } = timeoutMs;
}

/// <summary>The server stopped waiting for a call's answer (its caller gave up, or its time ran out): stop working on it.</summary>
public sealed class ClientCallCancelEvent(long callId) : ServerEvent
{
    /// <summary>The call's correlation id.</summary>
    public long CallId { get; } = callId;
}
