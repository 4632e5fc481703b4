using System.Text.RegularExpressions;
using Parley.Abstractions;
using Parley.Abstractions.Model;
using Parley.Core.Auth;
using Parley.Core.Cluster;
using Parley.Core.Options;

namespace Parley.Core.Services;

/// <summary>A login's result.</summary>
public sealed record LoginResult(string Token, DateTimeOffset ExpiresAt, Account Account);

/// <summary>Profile fields a user may change; null = unchanged.</summary>
public sealed record ProfileChange(string? DisplayName, string? AvatarUrl, string? Bio, DirectMessagePolicy? DirectMessages);

/// <summary>Registration, login, logout, profile, administration of accounts.</summary>
public sealed partial class AccountService(AccountDirectory accounts, TokenService tokens, IPasswordHashing hashing, SessionControl sessions,
    ParleyOptions options, TimeProvider time)
{
    [GeneratedRegex("^[a-z][a-z0-9_.-]{2,31}$")]
    private static partial Regex AccountPattern();

    public static string Normalize(string account) => account.Trim().ToLowerInvariant();

    public async Task<Account> RegisterAsync(string? account, string? password, string? displayName, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var name = Normalize(account ?? "");
        if (!AccountPattern().IsMatch(name))
            errors["account"] = ["3-32 characters of a-z, 0-9, '_', '.', '-', starting with a letter"];
        CheckPassword(password, "password", errors);
        var display = displayName?.Trim();
        if (string.IsNullOrEmpty(display)) display = name;
        if (display.Length > 64) errors["displayName"] = ["at most 64 characters"];
        if (errors.Count > 0) throw new ParleyException(ParleyErrorKind.Validation, ErrorCodes.InvalidField, "invalid registration", errors);

        var created = await accounts.CreateAsync(new Account
        {
            Name = name,
            DisplayName = display,
            PasswordHash = hashing.Hash(password!),
            CreatedAt = time.GetUtcNow(),
        }, ct);
        return created ?? throw ParleyException.Conflict("account name is taken");
    }

    private void CheckPassword(string? password, string field, Dictionary<string, string[]> errors)
    {
        if (password is null || password.Length < options.Auth.MinPasswordLength || password.Length > 128)
            errors[field] = [$"{options.Auth.MinPasswordLength}-128 characters"];
    }

    public async Task<LoginResult> LoginAsync(string? account, string? password, CancellationToken ct)
    {
        var verified = await VerifyPasswordAsync(account, password, ct)
            ?? throw new ParleyException(ParleyErrorKind.Unauthorized, ErrorCodes.Forbidden, "invalid account or password");
        if (verified.Disabled) throw new ParleyException(ParleyErrorKind.Forbidden, ErrorCodes.Forbidden, "account disabled");
        var (token, _, expires) = tokens.Issue(verified);
        return new LoginResult(token, expires, verified);
    }

    /// <summary>The account if the password matches (disabled accounts included: callers decide), else null.</summary>
    public async Task<Account?> VerifyPasswordAsync(string? account, string? password, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(account) || string.IsNullOrEmpty(password) || password.Length > 128) return null;
        var found = await accounts.GetByNameAsync(Normalize(account), ct);
        if (found is null)
        {
            hashing.Verify(DummyHash, password, out _); // same cost whether or not the account exists
            return null;
        }
        if (!hashing.Verify(found.PasswordHash, password, out var rehash)) return null;
        if (rehash)
        {
            found = found with { PasswordHash = hashing.Hash(password) };
            await accounts.SaveAsync(found, ct);
        }
        return found;
    }

    private string? _dummyHash;
    private string DummyHash => _dummyHash ??= hashing.Hash("not-a-real-password");

    /// <summary>Revokes the token (or all of the user's tokens) and closes the connections opened with it, on every node.</summary>
    public async Task LogoutAsync(long userId, string tokenId, DateTimeOffset expiresAt, bool everywhere, CancellationToken ct)
    {
        await tokens.RevokeAsync(tokenId, expiresAt, ct);
        if (everywhere)
        {
            await RevokeAllTokensAsync(userId, ct);
            sessions.CloseUser(userId, DisconnectCode.LoggedOut);
            return;
        }
        sessions.CloseToken(userId, tokenId, DisconnectCode.LoggedOut);
    }

    private async Task RevokeAllTokensAsync(long userId, CancellationToken ct)
    {
        var account = await RequireAsync(userId, ct);
        await accounts.SaveAsync(account with { TokensNotBefore = NextCut(account) }, ct);
    }

    /// <summary>A "revoke all tokens" cut: now, but always past the previous cut (tokens are stamped after it).</summary>
    private long NextCut(Account account) => Math.Max(time.GetUtcNow().ToUnixTimeMilliseconds(), account.TokensNotBefore + 1);

    public async Task<Account> RequireAsync(long userId, CancellationToken ct) =>
        await accounts.GetAsync(userId, ct) ?? throw ParleyException.NotFound("no such user");

    public async Task<Account> ResolveAsync(string? reference, CancellationToken ct) =>
        await accounts.ResolveAsync(reference, ct) ?? throw ParleyException.NotFound("no such user");

    public async Task<Account> UpdateProfileAsync(long userId, ProfileChange change, CancellationToken ct)
    {
        var account = await RequireAsync(userId, ct);
        var errors = new Dictionary<string, string[]>();
        if (change.DisplayName is { } d && (d.Trim().Length is 0 or > 64)) errors["displayName"] = ["1-64 characters"];
        if (change.AvatarUrl is { Length: > 1024 }) errors["avatarUrl"] = ["at most 1024 characters"];
        if (change.AvatarUrl is { Length: > 0 } url && !Uri.TryCreate(url, UriKind.RelativeOrAbsolute, out _)) errors["avatarUrl"] = ["not a URL"];
        if (change.Bio is { Length: > 512 }) errors["bio"] = ["at most 512 characters"];
        if (errors.Count > 0) throw new ParleyException(ParleyErrorKind.Validation, ErrorCodes.InvalidField, "invalid profile", errors);
        var updated = account with
        {
            DisplayName = change.DisplayName?.Trim() ?? account.DisplayName,
            AvatarUrl = change.AvatarUrl is null ? account.AvatarUrl : change.AvatarUrl.Length == 0 ? null : change.AvatarUrl,
            Bio = change.Bio is null ? account.Bio : change.Bio.Length == 0 ? null : change.Bio,
            DirectMessages = change.DirectMessages ?? account.DirectMessages,
        };
        await accounts.SaveAsync(updated, ct);
        return updated;
    }

    /// <summary>Sets or clears (null) the avatar address shown in the profile.</summary>
    public async Task<Account> SetAvatarUrlAsync(long userId, string? url, CancellationToken ct)
    {
        var account = await RequireAsync(userId, ct);
        var updated = account with { AvatarUrl = url };
        await accounts.SaveAsync(updated, ct);
        return updated;
    }

    /// <summary>Changes the password; every earlier token stops working and a fresh one is returned.</summary>
    public async Task<LoginResult> ChangePasswordAsync(long userId, string? current, string? next, CancellationToken ct)
    {
        var account = await RequireAsync(userId, ct);
        if (current is null || !hashing.Verify(account.PasswordHash, current, out _))
            throw new ParleyException(ParleyErrorKind.Forbidden, ErrorCodes.Forbidden, "current password is wrong");
        var errors = new Dictionary<string, string[]>();
        CheckPassword(next, "newPassword", errors);
        if (errors.Count > 0) throw new ParleyException(ParleyErrorKind.Validation, ErrorCodes.InvalidField, "invalid password", errors);
        var updated = account with { PasswordHash = hashing.Hash(next!), TokensNotBefore = NextCut(account) };
        await accounts.SaveAsync(updated, ct);
        sessions.CloseUser(userId, DisconnectCode.LoggedOut);
        var (token, _, expires) = tokens.Issue(updated);
        return new LoginResult(token, expires, updated);
    }

    public bool IsAdmin(Account account) => options.Admins.Contains(account.Name, StringComparer.OrdinalIgnoreCase);

    public async Task SetDisabledAsync(long userId, bool disabled, CancellationToken ct)
    {
        var account = await RequireAsync(userId, ct);
        var updated = account with
        {
            Disabled = disabled,
            TokensNotBefore = disabled ? NextCut(account) : account.TokensNotBefore,
        };
        await accounts.SaveAsync(updated, ct);
        if (disabled) sessions.CloseUser(userId, DisconnectCode.AccountDisabled);
    }

    /// <summary>Closes every session of the user on every node; returns how many there were.</summary>
    public int Kick(long userId) => sessions.CloseUser(userId, DisconnectCode.Kicked);
}
