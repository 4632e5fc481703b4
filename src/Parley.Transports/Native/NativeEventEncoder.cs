using System.Buffers;
using System.Text.Json;
using Parley.Abstractions.Events;
using Parley.Transports.Json;

namespace Parley.Transports.Native;

/// <summary>
/// Encodes engine events as native protocol frames (UTF-8 JSON). Events that fan out (messages, presence,
/// typing, receipts) are encoded once and the bytes shared by every connection that receives them.
/// </summary>
public static class NativeEventEncoder
{
    private static readonly object CacheKey = new();
    private static readonly JsonWriterOptions WriterOptions = new() { SkipValidation = true };

    public static ReadOnlyMemory<byte> Encode(ServerEvent ev) => ev switch
    {
        MessageEvent or PresenceEvent or TypingEvent or ReceiptEvent or MessageRemovedEvent or NoticeEvent => ev.GetOrEncode(CacheKey, 0, static (e, _) => EncodeNow(e)),
        _ => EncodeNow(ev),
    };

    [ThreadStatic] private static ArrayBufferWriter<byte>? t_buffer;
    [ThreadStatic] private static Utf8JsonWriter? t_writer;

    // A reused per-thread buffer and writer, then an exact-size copy: queued events hold only their own bytes.
    private static ReadOnlyMemory<byte> EncodeNow(ServerEvent ev)
    {
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(4096);
        var w = t_writer ??= new Utf8JsonWriter(buffer, WriterOptions);
        buffer.ResetWrittenCount();
        w.Reset(buffer);
        w.WriteStartObject();
        Write(w, ev);
        w.WriteEndObject();
        w.Flush();
        var bytes = buffer.WrittenSpan.ToArray();
        if (buffer.Capacity > 64 * 1024) t_buffer = null;
        return bytes;
    }

    private static void Write(Utf8JsonWriter w, ServerEvent ev)
    {
        switch (ev)
        {
            case MessageEvent m:
                w.WriteString("type"u8, "message"u8);
                w.WritePropertyName("message"u8);
                ChatMessageJsonConverter.WriteMessage(w, m.Message);
                break;
            case SendAckEvent a:
                w.WriteString("type"u8, "ack"u8);
                WriteId(w, a.RequestId);
                if (a.Message.ClientMsgId is not null) w.WriteString("clientMsgId"u8, a.Message.ClientMsgId);
                w.WriteString("conversation"u8, a.Message.ConversationId);
                w.WriteNumber("seq"u8, a.Message.Seq);
                w.WriteString("messageId"u8, a.Message.Id);
                w.WriteNumber("ts"u8, a.Message.Timestamp);
                w.WriteBoolean("duplicate"u8, a.Duplicate);
                break;
            case MessageRemovedEvent removed:
                w.WriteString("type"u8, "removed"u8);
                WriteRemovalFields(w, removed);
                break;
            case ReceiptEvent r:
                w.WriteString("type"u8, "receipt"u8);
                w.WriteString("conversation"u8, r.ConversationId);
                w.WriteNumber("seq"u8, r.Seq);
                w.WriteNumber("user"u8, r.UserId);
                w.WriteString("userName"u8, r.UserName);
                w.WriteString("status"u8, r.Kind == ReceiptKind.Read ? "read"u8 : "delivered"u8);
                break;
            case PresenceEvent p:
                w.WriteString("type"u8, "presence"u8);
                w.WriteNumber("user"u8, p.UserId);
                w.WriteString("userName"u8, p.UserName);
                w.WriteBoolean("online"u8, p.Online);
                break;
            case TypingEvent t:
                w.WriteString("type"u8, "typing"u8);
                w.WriteString("conversation"u8, t.ConversationId);
                w.WriteNumber("user"u8, t.UserId);
                w.WriteString("userName"u8, t.UserName);
                break;
            case NoticeEvent n:
                w.WriteString("type"u8, "notice"u8);
                WriteNoticeFields(w, n);
                break;
            case ErrorEvent e:
                w.WriteString("type"u8, "error"u8);
                WriteId(w, e.RequestId);
                w.WriteNumber("code"u8, e.Code);
                w.WriteString("message"u8, e.Message);
                break;
            case PongEvent p:
                w.WriteString("type"u8, "pong"u8);
                WriteId(w, p.RequestId);
                w.WriteNumber("serverTime"u8, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
                break;
            case SyncedEvent s:
                w.WriteString("type"u8, "synced"u8);
                WriteId(w, s.RequestId);
                w.WriteBoolean("more"u8, s.More);
                w.WriteStartObject("cursors"u8);
                foreach (var (conversation, seq) in s.Cursors) w.WriteNumber(conversation, seq);
                w.WriteEndObject();
                break;
            case ResultEvent r:
                w.WriteString("type"u8, "result"u8);
                WriteId(w, r.RequestId);
                w.WritePropertyName("data"u8);
                JsonSerializer.Serialize(w, r.Data, r.Data?.GetType() ?? typeof(object), ParleyJson.Options);
                break;
            case ClientCallEvent call:
                w.WriteString("type"u8, "call"u8);
                w.WriteString("callId"u8, call.CallId.ToString(System.Globalization.CultureInfo.InvariantCulture));
                w.WriteString("method"u8, call.Method);
                if (call.Payload is { } payload)
                {
                    w.WritePropertyName("payload"u8);
                    payload.WriteTo(w);
                }
                w.WriteNumber("timeoutMs"u8, call.TimeoutMs);
                break;
            case ClientCallCancelEvent cancel:
                w.WriteString("type"u8, "callCancel"u8);
                w.WriteString("callId"u8, cancel.CallId.ToString(System.Globalization.CultureInfo.InvariantCulture));
                break;
            case WelcomeEvent welcome:
                w.WriteString("type"u8, "welcome"u8);
                if (welcome.UserId > 0)
                {
                    w.WriteNumber("userId"u8, welcome.UserId);
                    w.WriteString("userName"u8, welcome.UserName);
                }
                if (welcome.ClientKind is not null)
                {
                    w.WriteString("clientKind"u8, welcome.ClientKind);
                    w.WriteString("clientId"u8, welcome.ClientId);
                }
                w.WriteNumber("connectionId"u8, welcome.ConnectionId);
                w.WriteNumber("heartbeatMs"u8, welcome.HeartbeatMs);
                w.WriteNumber("idleTimeoutMs"u8, welcome.IdleTimeoutMs);
                w.WriteNumber("maxFrameBytes"u8, welcome.MaxFrameBytes);
                w.WriteNumber("serverTime"u8, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
                break;
            default:
                w.WriteString("type"u8, "unknown"u8);
                break;
        }
    }

    /// <summary>A notice as a JSON object (the STOMP body); the native frame has the same fields after its type.</summary>
    public static void WriteNotice(Utf8JsonWriter w, NoticeEvent notice)
    {
        w.WriteStartObject();
        WriteNoticeFields(w, notice);
        w.WriteEndObject();
    }

    private static void WriteNoticeFields(Utf8JsonWriter w, NoticeEvent n)
    {
        w.WriteString("kind"u8, n.Kind);
        w.WriteNumber("user"u8, n.UserId);
        w.WriteString("userName"u8, n.UserName);
        if (n.RequestId is { } request) w.WriteNumber("requestId"u8, request);
        if (n.GroupId is { } group) w.WriteNumber("group"u8, group);
        if (n.GroupName is { } name) w.WriteString("groupName"u8, name);
    }

    /// <summary>The body of a removal (STOMP <c>/user/queue/removals</c>): the native frame's fields without <c>type</c>.</summary>
    public static void WriteRemoval(Utf8JsonWriter w, MessageRemovedEvent removed)
    {
        w.WriteStartObject();
        WriteRemovalFields(w, removed);
        w.WriteEndObject();
    }

    private static void WriteRemovalFields(Utf8JsonWriter w, MessageRemovedEvent removed)
    {
        w.WriteString("conversation"u8, removed.Tombstone.ConversationId);
        w.WriteNumber("seq"u8, removed.Tombstone.Seq);
        w.WriteString("messageId"u8, removed.Tombstone.Id);
        w.WriteNumber("by"u8, removed.RemovedBy);
        w.WriteString("byName"u8, removed.RemovedByName);
    }

    private static void WriteId(Utf8JsonWriter w, string? id)
    {
        if (id is not null) w.WriteString("id"u8, id);
    }
}

/// <summary>First frame of a native connection; a client connection has its kind and id, and a user only if its token names one.</summary>
public sealed class WelcomeEvent(long userId, string userName, long connectionId, int heartbeatMs, int idleTimeoutMs, int maxFrameBytes,
    string? clientKind = null, string? clientId = null) : ServerEvent
{
    public string? ClientKind { get; } = clientKind;
    public string? ClientId { get; } = clientId;
    public long UserId { get; } = userId;
    public string UserName { get; } = userName;
    public long ConnectionId { get; } = connectionId;
    public int HeartbeatMs { get; } = heartbeatMs;
    public int IdleTimeoutMs { get; } = idleTimeoutMs;
    public int MaxFrameBytes { get; } = maxFrameBytes;
}
