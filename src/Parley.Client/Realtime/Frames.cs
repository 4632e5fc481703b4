using System.Text.Json;

namespace Parley.Client.Realtime;

/// <summary>Every client → server frame; unused fields stay null and are omitted.</summary>
internal sealed class ClientFrame
{
    public required string Type { get; init; }
    public string? Id { get; set; }
    public string? To { get; init; }
    public long? Group { get; init; }
    public string? Conversation { get; init; }
    public string? ClientMsgId { get; init; }
    public string? Kind { get; init; }
    public string? Text { get; init; }
    public JsonElement? Payload { get; init; }
    public long? Seq { get; init; }
    public Dictionary<string, long>? Cursors { get; init; }
    public int? Limit { get; init; }
    public long? Before { get; init; }
    public long? After { get; init; }
    public string? Method { get; init; }
    public string? CallId { get; init; }
    public JsonElement? Data { get; init; }
    public int? Code { get; init; }
    public string? Message { get; init; }
}

/// <summary>Every server → client frame. <see cref="Message"/> is an object for <c>message</c> and a string for <c>error</c>.</summary>
internal sealed class ServerFrame
{
    public string? Type { get; init; }
    public string? Id { get; init; }
    public long? UserId { get; init; }
    public string? UserName { get; init; }
    public long? ConnectionId { get; init; }
    public int? HeartbeatMs { get; init; }
    public int? IdleTimeoutMs { get; init; }
    public int? MaxFrameBytes { get; init; }
    public long? ServerTime { get; init; }
    public JsonElement? Message { get; init; }
    public string? ClientMsgId { get; init; }
    public string? Conversation { get; init; }
    public long? Seq { get; init; }
    public string? MessageId { get; init; }
    public long? Ts { get; init; }
    public bool? Duplicate { get; init; }
    public long? User { get; init; }
    public string? Status { get; init; }
    public bool? Online { get; init; }
    public bool? More { get; init; }
    public Dictionary<string, long>? Cursors { get; init; }
    public JsonElement? Data { get; init; }
    public int? Code { get; init; }
    public string? ClientKind { get; init; }
    public string? ClientId { get; init; }
    public string? CallId { get; init; }
    public string? Method { get; init; }
    public JsonElement? Payload { get; init; }
    public int? TimeoutMs { get; init; }
    public long? By { get; init; }
    public string? ByName { get; init; }
    public string? Kind { get; init; }
    public long? RequestId { get; init; }
    public long? Group { get; init; }
    public string? GroupName { get; init; }
}

internal sealed record OnlineResult(IReadOnlyList<OnlineMember> Users);
