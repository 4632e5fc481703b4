using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Parley.Abstractions.Model;
using Parley.Abstractions.Stores;
using Parley.Core.Cluster;
using Parley.Core.Options;
using Parley.Core.Services;

namespace Parley.Core.Auth;

/// <summary>An identity proven by a valid token (or password) for an enabled account.</summary>
public sealed record AuthenticatedUser(Account Account, string TokenId, DateTimeOffset ExpiresAt);

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
    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };
    private readonly SymmetricSecurityKey _key;
    private readonly AuthOptions _options;
    private readonly AccountDirectory _accounts;
    private readonly IAccountStore _store;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, long> _revoked = new(StringComparer.Ordinal);
    private readonly TokenValidationParameters _validation;
    private readonly ClusterBus? _bus;
    private const string RevokedChannel = "revoked";

    public TokenService(byte[] signingKey, AuthOptions options, AccountDirectory accounts, IAccountStore store, TimeProvider time, ClusterBus? bus = null)
    {
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

    public async ValueTask<(AuthenticatedUser? User, TokenFailure Failure)> ValidateAsync(string? token, CancellationToken ct = default)
    {
        if (string.IsNullOrWhiteSpace(token)) return (null, TokenFailure.Missing);
        if (token.Length > 8192) return (null, TokenFailure.Invalid);
        var result = await _handler.ValidateTokenAsync(token, _validation);
        if (!result.IsValid || result.SecurityToken is not JsonWebToken jwt) return (null, TokenFailure.Invalid);
        if (!long.TryParse(jwt.Subject, NumberStyles.None, CultureInfo.InvariantCulture, out var userId)) return (null, TokenFailure.Invalid);
        var tokenId = jwt.Id;
        if (string.IsNullOrEmpty(tokenId)) return (null, TokenFailure.Invalid);
        if (_revoked.ContainsKey(tokenId)) return (null, TokenFailure.Revoked);
        var account = await _accounts.GetAsync(userId, ct);
        if (account is null) return (null, TokenFailure.Invalid);
        if (account.Disabled) return (null, TokenFailure.AccountDisabled);
        var issuedMs = jwt.TryGetPayloadValue<long>(IssuedAtMsClaim, out var ms) ? ms : 0;
        if (issuedMs <= account.TokensNotBefore) return (null, TokenFailure.Revoked);
        return (new AuthenticatedUser(account, tokenId, jwt.ValidTo), TokenFailure.None);
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
