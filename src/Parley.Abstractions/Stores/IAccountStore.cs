using Parley.Abstractions.Model;

namespace Parley.Abstractions.Stores;

/// <summary>Durable accounts and revoked tokens.</summary>
public interface IAccountStore
{
    /// <summary>Inserts a new account and returns it with its id, or null when the name is taken.</summary>
    Task<Account?> TryCreateAsync(Account account, CancellationToken ct = default);

    /// <summary>Reads an account by id.</summary>
    Task<Account?> GetAsync(long id, CancellationToken ct = default);

    /// <summary>Reads an account by (normalised) name.</summary>
    Task<Account?> GetByNameAsync(string name, CancellationToken ct = default);

    /// <summary>Reads several accounts; unknown ids are skipped.</summary>
    Task<IReadOnlyList<Account>> GetManyAsync(IReadOnlyCollection<long> ids, CancellationToken ct = default);

    /// <summary>Writes every mutable field of an existing account (all but Id, Name, CreatedAt). False if unknown.</summary>
    Task<bool> UpdateAsync(Account account, CancellationToken ct = default);

    /// <summary>
    /// Enabled accounts whose name starts with <paramref name="text"/> or whose display name contains it
    /// (case-insensitive; <c>%</c> and <c>_</c> match themselves), exact name first, then by name; at most
    /// <paramref name="limit"/>.
    /// </summary>
    Task<IReadOnlyList<Account>> SearchAsync(string text, int limit, CancellationToken ct = default);

    /// <summary>Records a revoked token id until it expires.</summary>
    Task RevokeTokenAsync(string tokenId, DateTimeOffset expiresAt, CancellationToken ct = default);

    /// <summary>Token ids revoked and not yet expired at <paramref name="now"/> (loaded into memory at start).</summary>
    Task<IReadOnlyList<string>> GetRevokedTokensAsync(DateTimeOffset now, CancellationToken ct = default);
}
