using System.Text.Json.Serialization;
using Parley.Abstractions.Model;

namespace Parley.Core.Cluster;

// What the engine's own bus channels carry. Short property names: these cross the bus for every fan-out.

internal sealed record PresenceDelta(string Node, string Epoch, long Version, long User, int Count);
internal sealed record PresenceBeat(string Node, string Epoch, long Version);
internal sealed record PresenceSnapshot(string Node, string Epoch, long Version, long[] Users, int[] Counts);
internal sealed record PresenceAsk(string From);
internal sealed record PresenceBye(string Node, string Epoch);

/// <summary>A receipt, typing or removal notice for some users' sessions (except the originating connection).</summary>
internal sealed record NoticeNote(long[] Users, string? ExceptNode, long ExceptConnection, string Type, string Conversation, long Seq,
    long UserId, string UserName, int Kind, ChatMessage? Tombstone = null, string? NoticeKind = null, long? RequestId = null, long? GroupId = null,
    string? GroupName = null);

/// <summary>Close a user's sessions (all, or those opened with one token).</summary>
internal sealed record CloseNote(long UserId, string? TokenId, int Code);

internal sealed record RevokedNote(string TokenId, long ExpiresAt);

internal sealed record IdNote(long Id);

/// <summary>A client identity connected on a node.</summary>
internal sealed record ClientNote(string Kind, string Id, string Node);

/// <summary>A server-to-client call for a connection on another node.</summary>
internal sealed record CallNote(long UserId, string? ClientKind, string? ClientId, string Method, System.Text.Json.JsonElement? Payload, long TimeoutMs);

/// <summary>Its outcome, as <see cref="Parley.Abstractions.Calls.ClientCallResult"/>.</summary>
internal sealed record CallReplyNote(int Status, System.Text.Json.JsonElement? Data, int ErrorCode, string? ErrorMessage);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ChatMessage))]
[JsonSerializable(typeof(PresenceDelta))]
[JsonSerializable(typeof(PresenceBeat))]
[JsonSerializable(typeof(PresenceSnapshot))]
[JsonSerializable(typeof(PresenceAsk))]
[JsonSerializable(typeof(PresenceBye))]
[JsonSerializable(typeof(NoticeNote))]
[JsonSerializable(typeof(CloseNote))]
[JsonSerializable(typeof(RevokedNote))]
[JsonSerializable(typeof(IdNote))]
[JsonSerializable(typeof(CallNote))]
[JsonSerializable(typeof(ClientNote))]
[JsonSerializable(typeof(CallReplyNote))]
internal sealed partial class BusJson : JsonSerializerContext;
