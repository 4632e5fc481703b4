using System.Text.Json.Serialization;
using Parley.Abstractions.Model;

namespace Parley.Core.Cluster;

// What the engine's own bus channels carry. Short property names: these cross the bus for every fan-out.

internal sealed record PresenceDelta(string Node, string Epoch, long Version, long User, int Count);
internal sealed record PresenceBeat(string Node, string Epoch, long Version);
internal sealed record PresenceSnapshot(string Node, string Epoch, long Version, long[] Users, int[] Counts);
internal sealed record PresenceAsk(string From);
internal sealed record PresenceBye(string Node, string Epoch);

/// <summary>A receipt or typing notice for some users' sessions (except the originating connection).</summary>
internal sealed record NoticeNote(long[] Users, string? ExceptNode, long ExceptConnection, string Type, string Conversation, long Seq,
    long UserId, string UserName, int Kind);

/// <summary>Close a user's sessions (all, or those opened with one token).</summary>
internal sealed record CloseNote(long UserId, string? TokenId, int Code);

internal sealed record RevokedNote(string TokenId, long ExpiresAt);

internal sealed record IdNote(long Id);

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
internal sealed partial class BusJson : JsonSerializerContext;
