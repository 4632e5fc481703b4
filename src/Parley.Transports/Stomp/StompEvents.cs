using Parley.Abstractions.Events;
using Parley.Abstractions.Model;

namespace Parley.Transports.Stomp;

/// <summary>Bytes already encoded for this session (CONNECTED, RECEIPT, ERROR, heart-beat).</summary>
internal sealed class StompRawEvent(ReadOnlyMemory<byte> bytes) : ServerEvent
{
    public static readonly StompRawEvent Heartbeat = new("\n"u8.ToArray());
    public ReadOnlyMemory<byte> Bytes { get; } = bytes;
}

/// <summary>A STOMP send was committed: a MESSAGE on /user/queue/receipts and, if asked, a RECEIPT.</summary>
internal sealed class StompSendAckEvent(ChatMessage message, bool duplicate, string? receiptId) : ServerEvent
{
    public ChatMessage Message { get; } = message;
    public bool Duplicate { get; } = duplicate;
    public string? ReceiptId { get; } = receiptId;
}

/// <summary>A per-message error for /user/queue/errors.</summary>
internal sealed class StompSendErrorEvent(int code, string message, string? destination, string? clientMsgId) : ServerEvent
{
    public int Code { get; } = code;
    public string Message { get; } = message;
    public string? Destination { get; } = destination;
    public string? ClientMsgId { get; } = clientMsgId;
}

/// <summary>A SEND to a free topic, shared by every subscriber (the body is encoded once, by the publisher).</summary>
internal sealed class StompTopicEvent(string destination, ReadOnlyMemory<byte> body, string? contentType, long fromUserId, string fromUserName) : ServerEvent
{
    public string Destination { get; } = destination;
    public ReadOnlyMemory<byte> Body { get; } = body;
    public string? ContentType { get; } = contentType;
    public long FromUserId { get; } = fromUserId;
    public string FromUserName { get; } = fromUserName;
}
