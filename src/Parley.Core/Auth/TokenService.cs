using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Parley.Abstractions.Calls;
using Parley.Abstractions.Model;
using Parley.Abstractions.Stores;
using Parley.Core.Clients;
using Parley.Core.Cluster;
using Parley.Core.Options;
using Parley.Core.Services;

namespace Parley.Core.Auth;

/// <summary>An identity proven by a valid token (or password) for an enabled account.</summary>
public sealed record AuthenticatedUser(Account Account, string TokenId, DateTimeOffset ExpiresAt);

/// <summary>
/// A device or program proven by a valid client token: its identity and kind, and the user when the token names one.
/// </summary>
public sealed record AuthenticatedClient(ClientIdentity Identity, ClientKind Kind, AuthenticatedUser? User, string TokenId, DateTimeOffset ExpiresAt);

/// <summary>Why a token was refused.</summary>
public enum TokenFailure
{
    None,
    Missing,
    Invalid,
    Revoked,
    AccountDisabled,
}

/// <summary>
/// Issues and validates the JWTs every transport accepts. Validation = signature and lifetime
/// (JsonWebTokenHandler), then revocation (logout) and account state, so a logged-out token stops working
/// on REST, WebSocket, STOMP and the MobileIMSDK gateway alike.
/// </summary>
public sealed class TokenService
{
    private const string IssuedAtMsClaim = "iat_ms";
    /// <summary>Claims of client tokens: kind, client id, and the fingerprint of the kind's secret when issued.</summary>
    public const string ClientKindClaim = "ckind", ClientIdClaim = "cid", ClientKindVersionClaim = "ckv";
    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };
    private readonly SymmetricSecurityKey _key;
    private readonly AuthOptions _options;
    private readonly AccountDirectory _accounts;
    private readonly IAccountStore _store;
    private readonly TimeProvider _time;
    private readonly ClientKinds _kinds;
    private readonly ConcurrentDictionary<string, long> _revoked = new(StringComparer.Ordinal);
    private readonly TokenValidationParameters _validation;
    private readonly ClusterBus? _bus;
    private const string RevokedChannel = "revoked";

    public TokenService(byte[] signingKey, AuthOptions options, AccountDirectory accounts, IAccountStore store, TimeProvider time, ClientKinds? kinds = null,
        ClusterBus? bus = null)
    {
        _kinds = kinds ?? new ClientKinds(new ParleyOptions());
        _bus = bus;
        if (bus is { IsClustered: true })
        {
            bus.Register(RevokedChannel, payload =>
            {
                var note = JsonSerializer.Deserialize(payload.Span, BusJson.Default.RevokedNote)!;
                _revoked[note.TokenId] = note.ExpiresAt;
            });
        }
        _key = new SymmetricSecurityKey(signingKey);
        _options = options;
        _accounts = accounts;
        _store = store;
        _time = time;
        _validation = new TokenValidationParameters
        {
            ValidIssuer = options.Issuer,
            ValidAudience = options.Audience,
            IssuerSigningKey = _key,
            ValidateIssuerSigningKey = true,
            ClockSkew = TimeSpan.FromSeconds(30),
            LifetimeValidator = (nbf, exp, _, _) => exp is { } e && e > _time.GetUtcNow().UtcDateTime.AddSeconds(-30),
        };
    }

    /// <summary>Loads revocations that are still in force (call once at start).</summary>
    public async Task LoadRevocationsAsync(CancellationToken ct)
    {
        foreach (var id in await _store.GetRevokedTokensAsync(_time.GetUtcNow(), ct)) _revoked[id] = long.MaxValue;
    }

    public (string Token, string TokenId, DateTimeOffset ExpiresAt) Issue(Account account)
    {
        var now = _time.GetUtcNow();
        // Strictly after the account's last "revoke all" cut, even within the same millisecond.
        var issuedMs = Math.Max(now.ToUnixTimeMilliseconds(), account.TokensNotBefore + 1);
        var expires = now.AddSeconds(_options.TokenLifetimeSeconds);
        var tokenId = Guid.CreateVersion7().ToString("N");
        var token = _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = _options.Issuer,
            Audience = _options.Audience,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = expires.UtcDateTime,
            SigningCredentials = new SigningCredentials(_key, SecurityAlgorithms.HmacSha256),
            Claims = new Dictionary<string, object>
            {
                [JwtRegisteredClaimNames.Sub] = account.Id.ToString(CultureInfo.InvariantCulture),
                [JwtRegisteredClaimNames.Jti] = tokenId,
                ["name"] = account.Name,
                [IssuedAtMsClaim] = issuedMs,
            },
        });
        return (token, tokenId, expires);
    }

    /// <summary>
    /// Issues a client token for <paramref name="clientId"/> of <paramref name="kind"/>, naming <paramref name="account"/>
    /// too when given (the kind must allow users; the caller checks).
    /// </summary>
    public (string Token, string TokenId, DateTimeOffset ExpiresAt) IssueClient(ClientKind kind, string clientId, Account? account)
    {
        var now = _time.GetUtcNow();
        var expires = now.AddSeconds(kind.TokenLifetimeSeconds);
        var tokenId = Guid.CreateVersion7().ToString("N");
        var claims = new Dictionary<string, object>
        {
            [JwtRegisteredClaimNames.Jti] = tokenId,
            [ClientKindClaim] = kind.Name,
            [ClientIdClaim] = clientId,
            [ClientKindVersionClaim] = kind.Version,
            [IssuedAtMsClaim] = now.ToUnixTimeMilliseconds(),
        };
        if (account is not null)
        {
            claims[JwtRegisteredClaimNames.Sub] = account.Id.ToString(CultureInfo.InvariantCulture);
            claims["name"] = account.Name;
            claims[IssuedAtMsClaim] = Math.Max(now.ToUnixTimeMilliseconds(), account.TokensNotBefore + 1);
        }
        var token = _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = _options.Issuer,
            Audience = _options.Audience,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = expires.UtcDateTime,
            SigningCredentials = new SigningCredentials(_key, SecurityAlgorithms.HmacSha256),
            Claims = claims,
        });
        return (token, tokenId, expires);
    }

    /// <summary>Validates a user token; client tokens are refused (they are accepted only where clients connect).</summary>
    public async ValueTask<(AuthenticatedUser? User, TokenFailure Failure)> ValidateAsync(string? token, CancellationToken ct = default)
    {
        var (user, client, failure) = await ValidateAnyAsync(token, ct);
        return client is not null ? (null, TokenFailure.Invalid) : (user, failure);
    }

    /// <summary>Validates a client token; user tokens are refused.</summary>
    public async ValueTask<(AuthenticatedClient? Client, TokenFailure Failure)> ValidateClientAsync(string? token, CancellationToken ct = default)
    {
        var (user, client, failure) = await ValidateAnyAsync(token, ct);
        return user is not null && client is null ? (null, TokenFailure.Invalid) : (client, failure);
    }

    /// <summary>
    /// Validates a user or a client token: signature and lifetime, revocation of its id, then for the user it names
    /// (if any) the account's state and "revoke all" cut, and for a client token that its kind is still configured with
    /// the same secret.
    /// </summary>
    public async ValueTask<(AuthenticatedUser? User, AuthenticatedClient? Client, TokenFailure Failure)> ValidateAnyAsync(string? token, CancellationToken ct = default)
    {
        if (string.IsNullOrWhiteSpace(token)) return (null, null, TokenFailure.Missing);
        if (token.Length > 8192) return (null, null, TokenFailure.Invalid);
        var result = await _handler.ValidateTokenAsync(token, _validation);
        if (!result.IsValid || result.SecurityToken is not JsonWebToken jwt) return (null, null, TokenFailure.Invalid);
        var tokenId = jwt.Id;
        if (string.IsNullOrEmpty(tokenId)) return (null, null, TokenFailure.Invalid);
        if (_revoked.ContainsKey(tokenId)) return (null, null, TokenFailure.Revoked);
        var issuedMs = jwt.TryGetPayloadValue<long>(IssuedAtMsClaim, out var ms) ? ms : 0;

        AuthenticatedUser? user = null;
        var isClient = jwt.TryGetPayloadValue<string>(ClientKindClaim, out var kindName);
        if (!isClient || !string.IsNullOrEmpty(jwt.Subject))
        {
            if (!long.TryParse(jwt.Subject, NumberStyles.None, CultureInfo.InvariantCulture, out var userId)) return (null, null, TokenFailure.Invalid);
            var account = await _accounts.GetAsync(userId, ct);
            if (account is null) return (null, null, TokenFailure.Invalid);
            if (account.Disabled) return (null, null, TokenFailure.AccountDisabled);
            if (issuedMs <= account.TokensNotBefore) return (null, null, TokenFailure.Revoked);
            user = new AuthenticatedUser(account, tokenId, jwt.ValidTo);
        }
        if (!isClient) return (user, null, TokenFailure.None);

        var kind = _kinds.Find(kindName);
        if (kind is null || !jwt.TryGetPayloadValue<string>(ClientKindVersionClaim, out var version) || version != kind.Version)
            return (null, null, TokenFailure.Revoked);
        if (!jwt.TryGetPayloadValue<string>(ClientIdClaim, out var clientId) || !ClientKinds.IsValidClientId(clientId)) return (null, null, TokenFailure.Invalid);
        if (user is not null && !kind.AllowUser) return (null, null, TokenFailure.Revoked);
        return (null, new AuthenticatedClient(new ClientIdentity(kind.Name, clientId), kind, user, tokenId, jwt.ValidTo), TokenFailure.None);
    }

    /// <summary>True if a token id was revoked (checked again right after a connection registers, to close the race with logout).</summary>
    public bool IsRevoked(string tokenId) => _revoked.ContainsKey(tokenId);

    public async Task RevokeAsync(string tokenId, DateTimeOffset expiresAt, CancellationToken ct = default)
    {
        _revoked[tokenId] = expiresAt.ToUnixTimeSeconds();
        await _store.RevokeTokenAsync(tokenId, expiresAt, ct);
        if (_bus is { IsClustered: true })
            _bus.PublishToAll(RevokedChannel, JsonSerializer.SerializeToUtf8Bytes(new RevokedNote(tokenId, expiresAt.ToUnixTimeSeconds()), BusJson.Default.RevokedNote));
    }

    /// <summary>Turns a validated principal's claims into the user id, for REST handlers.</summary>
    public static long UserIdOf(ClaimsPrincipal principal) =>
        long.Parse(principal.FindFirst(JwtRegisteredClaimNames.Sub)?.Value ?? "0", CultureInfo.InvariantCulture);
}
