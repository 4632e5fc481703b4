using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Parley.Abstractions.Calls;
using Parley.Core.Options;
using Parley.Core.Sessions;

namespace Parley.Core.Clients;

/// <summary>One configured client kind, resolved once: secret hash, token version, connection limits.</summary>
public sealed class ClientKind
{
    private readonly byte[] _secretHash;

    internal ClientKind(string name, ClientKindOptions options, ConnectionLimits limits, int tokenLifetimeSeconds)
    {
        Name = name;
        _secretHash = options.SecretSha256 is { Length: > 0 } hex
            ? Convert.FromHexString(hex)
            : SHA256.HashData(Encoding.UTF8.GetBytes(options.Secret ?? throw new InvalidOperationException($"client kind {name} has no secret")));
        // A fingerprint of the secret travels in every token: rotating the secret invalidates the kind's tokens.
        Version = Convert.ToHexString(SHA256.HashData([.. "parley-client-kind:"u8, .. _secretHash]), 0, 8).ToLowerInvariant();
        AllowUser = options.AllowUser;
        OnDuplicate = options.OnDuplicate;
        Limits = limits;
        TokenLifetimeSeconds = tokenLifetimeSeconds;
    }

    public string Name { get; }
    /// <summary>Fingerprint of the current secret (claim <c>ckv</c>).</summary>
    public string Version { get; }
    public bool AllowUser { get; }
    public DuplicateClientPolicy OnDuplicate { get; }
    internal ConnectionLimits Limits { get; }
    public int TokenLifetimeSeconds { get; }
    public int HeartbeatMs => Limits.HeartbeatMs;
    public int IdleTimeoutMs => Limits.IdleTimeoutMs;

    /// <summary>Compares the SHA-256 of <paramref name="secret"/> with the configured one in constant time.</summary>
    public bool VerifySecret(string? secret)
    {
        if (string.IsNullOrEmpty(secret) || secret.Length > 1024) return false;
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(secret), hash);
        return CryptographicOperations.FixedTimeEquals(hash, _secretHash);
    }

    /// <inheritdoc />
    public override string ToString() => Name;
}

/// <summary>The configured client kinds (<c>Parley:Clients:Kinds</c>) and the name rules they follow.</summary>
public sealed partial class ClientKinds
{
    public const int MaxClientIdLength = 64;
    private readonly Dictionary<string, ClientKind> _kinds = new(StringComparer.Ordinal);

    public ClientKinds(ParleyOptions options)
    {
        UserLimits = ConnectionLimits.From(options.Connections, options.Clients, null);
        foreach (var (name, kind) in options.Clients.Kinds)
        {
            _kinds[name] = new ClientKind(name, kind, ConnectionLimits.From(options.Connections, options.Clients, kind),
                kind.TokenLifetimeSeconds ?? options.Auth.TokenLifetimeSeconds);
        }
    }

    /// <summary>Limits of plain user connections.</summary>
    internal ConnectionLimits UserLimits { get; }

    public IReadOnlyCollection<ClientKind> All => _kinds.Values;

    public ClientKind? Find(string? name) => name is not null && _kinds.TryGetValue(name, out var kind) ? kind : null;

    /// <summary>Lower case, starts with a letter, <c>a-z 0-9 _ . -</c>, at most 32; not a reserved handler kind.</summary>
    public static bool IsValidKindName(string? name) =>
        name is not null && KindPattern().IsMatch(name) && name != ClientQueryKinds.Users;

    /// <summary>1–64 of <c>A-Z a-z 0-9 _ . : -</c>.</summary>
    public static bool IsValidClientId(string? id) => id is not null && ClientIdPattern().IsMatch(id);

    [GeneratedRegex("^[a-z][a-z0-9_.-]{0,31}$")]
    private static partial Regex KindPattern();

    [GeneratedRegex("^[A-Za-z0-9_.:-]{1,64}$")]
    private static partial Regex ClientIdPattern();
}

/// <summary>Per-connection limits, resolved once per kind (Stopwatch ticks precomputed).</summary>
internal sealed record ConnectionLimits(int QueueCapacity, double RatePerSecond, int RateBurst, int FloodThreshold, long FloodWindowTicks,
    int HeartbeatMs, int IdleTimeoutMs, int MaxCallsInFlight, int MaxQueriesInFlight, bool CustomIdleTimeout)
{
    public static ConnectionLimits From(ConnectionOptions c, ClientsOptions clients, ClientKindOptions? kind) => new(
        c.OutboundQueueCapacity,
        kind?.RatePerSecond ?? c.RatePerSecond,
        kind?.RateBurst ?? c.RateBurst,
        kind?.FloodDropThreshold ?? c.FloodDropThreshold,
        (long)(c.FloodWindowMs / 1000.0 * Stopwatch.Frequency),
        kind?.HeartbeatMs ?? c.HeartbeatMs,
        kind?.IdleTimeoutMs ?? c.IdleTimeoutMs,
        kind?.MaxCallsInFlight ?? clients.MaxCallsInFlight,
        kind?.MaxQueriesInFlight ?? clients.MaxQueriesInFlight,
        kind?.IdleTimeoutMs is not null);
}
