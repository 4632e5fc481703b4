using System.Text.Json.Serialization;

namespace Parley.Transports;

// What the transports carry over the cluster bus (see Parley.Core.Cluster.ClusterBus).

/// <summary>A STOMP SEND to a free destination, for the subscribers on other nodes.</summary>
internal sealed record StompTopicNote(string Destination, byte[] Body, string? ContentType, long UserId, string UserName);

/// <summary>A MobileIMSDK login on another node: sessions of the user here follow the duplicate-login rule.</summary>
internal sealed record MobileImLoginNote(string User, long FirstLoginTime, string Node);

/// <summary>A server push for the user's MobileIMSDK session, wherever it is.</summary>
internal sealed record MobileImPushNote(string User, string DataContent, int TypeU, bool Qos, string? Fp);

/// <summary>An administrator's kick of the user's MobileIMSDK session.</summary>
internal sealed record MobileImKickNote(string User, string? Reason);

/// <summary>The answer to a routed request: a status code.</summary>
internal sealed record StatusNote(int Status);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(StompTopicNote))]
[JsonSerializable(typeof(MobileImLoginNote))]
[JsonSerializable(typeof(MobileImPushNote))]
[JsonSerializable(typeof(MobileImKickNote))]
[JsonSerializable(typeof(StatusNote))]
internal sealed partial class TransportBusJson : JsonSerializerContext;
