using System.ComponentModel.DataAnnotations;
using Parley.Abstractions.Model;

namespace Parley.Core.Options;

/// <summary>Root of the <c>Parley</c> configuration section. Defaults live here, with their units in the names.</summary>
public sealed class ParleyOptions
{
    public const string Section = "Parley";

    /// <summary>Where SQLite, the signing key and uploads live. Relative paths are from the working directory.</summary>
    public string DataDirectory { get; set; } = "data";

    /// <summary>Account names that may use the administration API.</summary>
    public List<string> Admins { get; set; } = [];

    public ConnectionOptions Connections { get; set; } = new();
    public MessagingOptions Messaging { get; set; } = new();
    public AuthOptions Auth { get; set; } = new();
    public Cluster.ClusterOptions Cluster { get; set; } = new();
    public ClientsOptions Clients { get; set; } = new();
    public FilesOptions Files { get; set; } = new();
}

public sealed class ConnectionOptions
{
    /// <summary>Interval at which clients should send something; advertised in the welcome frame.</summary>
    [Range(1000, 3_600_000)] public int HeartbeatMs { get; set; } = 25_000;

    /// <summary>A connection with no inbound frame for this long is closed (4008).</summary>
    [Range(1000, 7_200_000)] public int IdleTimeoutMs { get; set; } = 60_000;

    /// <summary>Largest inbound frame (WebSocket message) in bytes.</summary>
    [Range(1024, 16 * 1024 * 1024)] public int MaxFrameBytes { get; set; } = 64 * 1024;

    /// <summary>Live events queued for one connection before it counts as a slow consumer.</summary>
    [Range(16, 1_000_000)] public int OutboundQueueCapacity { get; set; } = 1024;

    /// <summary>Sustained inbound frames per second per connection.</summary>
    [Range(1, 100_000)] public double RatePerSecond { get; set; } = 20;

    /// <summary>Burst allowance (bucket size) of the per-connection rate limit.</summary>
    [Range(1, 100_000)] public int RateBurst { get; set; } = 100;

    /// <summary>Dropped frames within <see cref="FloodWindowMs"/> that close the connection (4029).</summary>
    [Range(1, 1_000_000)] public int FloodDropThreshold { get; set; } = 200;

    [Range(100, 600_000)] public int FloodWindowMs { get; set; } = 10_000;

    /// <summary>
    /// A write to a WebSocket peer that has not completed after this long closes the connection as a slow consumer
    /// (4010) and aborts it: the peer stopped reading.
    /// </summary>
    [Range(100, 600_000)] public int SendTimeLimitMs { get; set; } = 15_000;

    /// <summary>How long a closed WebSocket waits for the peer to answer the close frame before it is aborted.</summary>
    [Range(100, 60_000)] public int CloseGraceMs { get; set; } = 5_000;
}

public sealed class MessagingOptions
{
    /// <summary>Server-wide direct-message policy; users may be stricter for themselves.</summary>
    public DirectMessagePolicy DirectMessages { get; set; } = DirectMessagePolicy.Anyone;

    [Range(1, 1024 * 1024)] public int MaxTextChars { get; set; } = 16 * 1024;
    [Range(0, 8 * 1024 * 1024)] public int MaxPayloadBytes { get; set; } = 32 * 1024;

    /// <summary>Most messages committed in one storage transaction.</summary>
    [Range(1, 10_000)] public int CommitBatchSize { get; set; } = 256;

    /// <summary>Messages waiting for storage before new sends are refused with 301.</summary>
    [Range(16, 10_000_000)] public int CommitQueueCapacity { get; set; } = 50_000;

    [Range(1, 10_000)] public int SyncDefaultLimit { get; set; } = 200;
    [Range(1, 10_000)] public int SyncMaxLimit { get; set; } = 1000;
    [Range(1, 1000)] public int HistoryDefaultLimit { get; set; } = 50;
    [Range(1, 1000)] public int HistoryMaxLimit { get; set; } = 200;
}

public sealed class AuthOptions
{
    [Range(60, 31_536_000)] public int TokenLifetimeSeconds { get; set; } = 7 * 24 * 3600;
    public string Issuer { get; set; } = "parley";
    public string Audience { get; set; } = "parley";

    /// <summary>Base64 HMAC key; when empty a key is generated on first run and kept in the data directory.</summary>
    public string? SigningKey { get; set; }

    [Range(1, 128)] public int MinPasswordLength { get; set; } = 8;
}

/// <summary>
/// <c>Parley:Clients</c>: client kinds (devices and programs that connect with a kind and an id) and the limits of
/// calls between the server and its clients.
/// </summary>
public sealed class ClientsOptions
{
    /// <summary>Configured client kinds by name (lower case: <c>a-z 0-9 _ . -</c>, starting with a letter, at most 32).</summary>
    public Dictionary<string, ClientKindOptions> Kinds { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Timeout of a server → client call when the caller names none.</summary>
    [Range(1, 3_600_000)] public int DefaultCallTimeoutMs { get; set; } = 10_000;

    /// <summary>Longest timeout a server → client call may ask for.</summary>
    [Range(1, 3_600_000)] public int MaxCallTimeoutMs { get; set; } = 300_000;

    /// <summary>Server → client calls waiting for answers on one connection (default for every kind and for users).</summary>
    [Range(1, 100_000)] public int MaxCallsInFlight { get; set; } = 1000;

    /// <summary>Client → server queries being handled at once for one connection (default for every kind and for users).</summary>
    [Range(1, 10_000)] public int MaxQueriesInFlight { get; set; } = 32;
}

/// <summary>What a connection with a client duplicate of an already connected (kind, id) does.</summary>
public enum DuplicateClientPolicy
{
    /// <summary>The new connection wins; the old one is closed with 4012 <c>replaced</c>.</summary>
    ReplaceOld = 0,
    /// <summary>The new connection is refused with HTTP 409 before the upgrade.</summary>
    RejectNew = 1,
}

/// <summary>
/// <c>Parley:Clients:Kinds:{kind}</c>. Exactly one of <see cref="Secret"/> and <see cref="SecretSha256"/>; unset limits
/// fall back to <c>Parley:Connections</c> and <c>Parley:Clients</c>.
/// </summary>
public sealed class ClientKindOptions
{
    /// <summary>The shared secret clients of this kind present to get a token (at least 16 characters). Never logged.</summary>
    public string? Secret { get; set; }

    /// <summary>Instead of <see cref="Secret"/>: its SHA-256 as 64 hex digits, so the configuration holds no secret.</summary>
    public string? SecretSha256 { get; set; }

    /// <summary>May a token of this kind also name a user (requested with that user's bearer token)?</summary>
    public bool AllowUser { get; set; }

    /// <summary>Duplicate (kind, id) logins.</summary>
    public DuplicateClientPolicy OnDuplicate { get; set; } = DuplicateClientPolicy.ReplaceOld;

    [Range(60, 31_536_000)] public int? TokenLifetimeSeconds { get; set; }
    [Range(0.01, 100_000)] public double? RatePerSecond { get; set; }
    [Range(1, 100_000)] public int? RateBurst { get; set; }
    [Range(1, 1_000_000)] public int? FloodDropThreshold { get; set; }
    [Range(1000, 3_600_000)] public int? HeartbeatMs { get; set; }
    [Range(1000, 7_200_000)] public int? IdleTimeoutMs { get; set; }
    [Range(1, 100_000)] public int? MaxCallsInFlight { get; set; }
    [Range(1, 10_000)] public int? MaxQueriesInFlight { get; set; }
}
