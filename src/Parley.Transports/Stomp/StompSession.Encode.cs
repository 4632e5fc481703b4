using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Parley.Abstractions.Events;
using Parley.Core.Sessions;
using Parley.Protocol.Stomp;
using Parley.Transports.Json;
using Parley.Transports.Native;

namespace Parley.Transports.Stomp;

public sealed partial class StompSession
{
    private const string Json = "application/json";
    // Message and presence bodies are encoded once per event and shared by every STOMP session receiving it.
    private static readonly object BodyCacheKey = new();
    private static readonly JsonWriterOptions WriterOptions = new() { SkipValidation = true };
    private long _messageCounter;

    /// <summary>The STOMP bytes for one engine event on this session (empty when nothing is subscribed to it).</summary>
    private ReadOnlyMemory<byte> Encode(ClientConnection connection, ServerEvent ev)
    {
        switch (ev)
        {
            case StompRawEvent raw:
                return raw.Bytes;
            case MessageEvent m:
            {
                var groupId = m.Message.GroupId;
                return Messages(ev, s => s.Kind == SubscriptionKind.Messages || (s.Kind == SubscriptionKind.Group && s.GroupId == groupId),
                    m.Message.Id, static e => SharedBody(e, static (w, e) => ChatMessageJsonConverter.WriteMessage(w, ((MessageEvent)e).Message)), Json);
            }
            case MessageRemovedEvent:
                return Messages(ev, s => s.Kind == SubscriptionKind.Removals, null, static e => SharedBody(e, static (w, e) =>
                    NativeEventEncoder.WriteRemoval(w, (MessageRemovedEvent)e)), Json);
            case NoticeEvent:
                return Messages(ev, s => s.Kind == SubscriptionKind.Notices, null, static e => SharedBody(e, static (w, e) =>
                    NativeEventEncoder.WriteNotice(w, (NoticeEvent)e)), Json);
            case PresenceEvent:
                return Messages(ev, s => s.Kind == SubscriptionKind.Presence, null, static e => SharedBody(e, static (w, e) =>
                {
                    var p = (PresenceEvent)e;
                    w.WriteStartObject();
                    w.WriteNumber("user"u8, p.UserId);
                    w.WriteString("userName"u8, p.UserName);
                    w.WriteBoolean("online"u8, p.Online);
                    w.WriteEndObject();
                }), Json);
            case StompSendAckEvent ack:
            {
                var output = new ArrayBufferWriter<byte>(512);
                WriteMessages(output, ev, s => s.Kind == SubscriptionKind.Receipts, null, static e => Body(e, static (w, e) =>
                {
                    var a = (StompSendAckEvent)e;
                    w.WriteStartObject();
                    w.WriteString("conversation"u8, a.Message.ConversationId);
                    w.WriteNumber("seq"u8, a.Message.Seq);
                    w.WriteString("messageId"u8, a.Message.Id);
                    if (a.Message.ClientMsgId is not null) w.WriteString("clientMsgId"u8, a.Message.ClientMsgId);
                    w.WriteNumber("ts"u8, a.Message.Timestamp);
                    w.WriteBoolean("duplicate"u8, a.Duplicate);
                    w.WriteEndObject();
                }), Json);
                if (ack.ReceiptId is not null) StompWriter.Write(output, StompCommand.Receipt, [new(StompHeaders.ReceiptId, ack.ReceiptId)], default);
                return output.WrittenMemory;
            }
            case StompSendErrorEvent:
                return Messages(ev, s => s.Kind == SubscriptionKind.Errors, null, static e => Body(e, static (w, e) =>
                {
                    var x = (StompSendErrorEvent)e;
                    WriteError(w, x.Code, x.Message, x.Destination, x.ClientMsgId);
                }), Json);
            case ClientCallEvent or ClientCallCancelEvent:
                // The body is the native frame: one format for call handlers on either protocol.
                return Messages(ev, s => s.Kind == SubscriptionKind.Calls, null, static e => NativeEventEncoder.Encode(e), Json);
            case ResultEvent or ErrorEvent { RequestId: not null }:
                return Messages(ev, s => s.Kind == SubscriptionKind.Replies, null, static e => NativeEventEncoder.Encode(e), Json);
            case ErrorEvent:
                return Messages(ev, s => s.Kind == SubscriptionKind.Errors, null, static e => Body(e, static (w, e) =>
                {
                    var x = (ErrorEvent)e;
                    WriteError(w, x.Code, x.Message, null, null);
                }), Json);
            case StompTopicEvent topic:
                return Messages(ev, s => s.Kind == SubscriptionKind.Free && s.Destination == topic.Destination, null, static e => ((StompTopicEvent)e).Body,
                    topic.ContentType);
            default:
                // Receipts of others, typing, sync replies: no STOMP mapping (see docs/protocol.md).
                return ReadOnlyMemory<byte>.Empty;
        }
    }

    private ReadOnlyMemory<byte> Messages(ServerEvent ev, Func<Subscription, bool> match, string? messageId, Func<ServerEvent, ReadOnlyMemory<byte>> body, string? contentType)
    {
        var output = new ArrayBufferWriter<byte>(512);
        WriteMessages(output, ev, match, messageId, body, contentType);
        return output.WrittenMemory;
    }

    private void WriteMessages(ArrayBufferWriter<byte> output, ServerEvent ev, Func<Subscription, bool> match, string? messageId,
        Func<ServerEvent, ReadOnlyMemory<byte>> body, string? contentType)
    {
        ReadOnlyMemory<byte>? bytes = null;
        foreach (var s in Subscriptions)
        {
            if (!match(s)) continue;
            bytes ??= body(ev);
            var headers = new List<KeyValuePair<string, string>>(5)
            {
                new(StompHeaders.Destination, s.Destination),
                new(StompHeaders.Subscription, s.Id),
                new(StompHeaders.MessageId, messageId ?? Id.ToString(CultureInfo.InvariantCulture) + "-" + (++_messageCounter).ToString(CultureInfo.InvariantCulture)),
            };
            if (contentType is not null) headers.Add(new(StompHeaders.ContentType, contentType));
            StompWriter.Write(output, StompCommand.Message, headers, bytes.Value.Span);
        }
    }

    private static ReadOnlyMemory<byte> SharedBody(ServerEvent ev, Action<Utf8JsonWriter, ServerEvent> write) =>
        ev.GetOrEncode(BodyCacheKey, write, static (e, w) => Body(e, w));

    private static ReadOnlyMemory<byte> Body(ServerEvent ev, Action<Utf8JsonWriter, ServerEvent> write)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer, WriterOptions)) write(w, ev);
        return buffer.WrittenMemory;
    }

    private static void WriteError(Utf8JsonWriter w, int code, string message, string? destination, string? clientMsgId)
    {
        w.WriteStartObject();
        w.WriteNumber("code"u8, code);
        w.WriteString("message"u8, message);
        if (destination is not null) w.WriteString("destination"u8, destination);
        if (clientMsgId is not null) w.WriteString("clientMsgId"u8, clientMsgId);
        w.WriteEndObject();
    }
}
