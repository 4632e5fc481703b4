using System.Collections.Concurrent;
using Parley.Abstractions.Model;
using Parley.Abstractions.Stores;

namespace Parley.Core.Services;

/// <summary>
/// Read-through cache of accounts by id and name. Every token check and every send reads an account, so this
/// keeps those off storage; all account writes go through <see cref="SaveAsync"/>, which refreshes it.
/// </summary>
public sealed class AccountDirectory(IAccountStore store)
{
    private readonly ConcurrentDictionary<long, Account> _byId = new();
    private readonly ConcurrentDictionary<string, long> _idByName = new(StringComparer.OrdinalIgnoreCase);

    public async ValueTask<Account?> GetAsync(long id, CancellationToken ct = default)
    {
        if (_byId.TryGetValue(id, out var cached)) return cached;
        var account = await store.GetAsync(id, ct);
        if (account is not null) Remember(account);
        return account;
    }

    public async ValueTask<Account?> GetByNameAsync(string name, CancellationToken ct = default)
    {
        if (_idByName.TryGetValue(name, out var id) && _byId.TryGetValue(id, out var cached)) return cached;
        var account = await store.GetByNameAsync(name, ct);
        if (account is not null) Remember(account);
        return account;
    }

    /// <summary>Resolves "bob" or "42" (account names start with a letter, so digits always mean an id).</summary>
    public ValueTask<Account?> ResolveAsync(string? reference, CancellationToken ct = default)
    {
        if (string.IsNullOrWhiteSpace(reference) || reference.Length > 64) return ValueTask.FromResult<Account?>(null);
        reference = reference.Trim();
        return long.TryParse(reference, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id)
            ? GetAsync(id, ct)
            : GetByNameAsync(reference.ToLowerInvariant(), ct);
    }

    public async Task<IReadOnlyList<Account>> GetManyAsync(IReadOnlyCollection<long> ids, CancellationToken ct = default)
    {
        var found = new List<Account>(ids.Count);
        var missing = new List<long>();
        foreach (var id in ids)
        {
            if (_byId.TryGetValue(id, out var a)) found.Add(a);
            else missing.Add(id);
        }
        if (missing.Count > 0)
        {
            foreach (var a in await store.GetManyAsync(missing, ct))
            {
                Remember(a);
                found.Add(a);
            }
        }
        return found;
    }

    public async Task<Account?> CreateAsync(Account account, CancellationToken ct = default)
    {
        var created = await store.TryCreateAsync(account, ct);
        if (created is not null) Remember(created);
        return created;
    }

    public async Task<bool> SaveAsync(Account account, CancellationToken ct = default)
    {
        var ok = await store.UpdateAsync(account, ct);
        if (ok) Remember(account);
        return ok;
    }

    private void Remember(Account account)
    {
        _byId[account.Id] = account;
        _idByName[account.Name] = account.Id;
    }
}
