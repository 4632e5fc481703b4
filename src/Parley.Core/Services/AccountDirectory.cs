using System.Collections.Concurrent;
using System.Text.Json;
using Parley.Abstractions.Model;
using Parley.Abstractions.Stores;
using Parley.Core.Cluster;

namespace Parley.Core.Services;

/// <summary>
/// Read-through cache of accounts by id and name. Every token check and every send reads an account, so this
/// keeps those off storage; all account writes go through <see cref="SaveAsync"/>, which refreshes it here and
/// evicts the account from the other nodes' caches.
/// </summary>
public sealed class AccountDirectory
{
    private const string Channel = "account";
    private readonly IAccountStore _store;
    private readonly ClusterBus _bus;
    private readonly ConcurrentDictionary<long, Account> _byId = new();
    private readonly ConcurrentDictionary<string, long> _idByName = new(StringComparer.OrdinalIgnoreCase);

    public AccountDirectory(IAccountStore store, ClusterBus bus)
    {
        _store = store;
        _bus = bus;
        if (bus.IsClustered) bus.Register(Channel, payload => Evict(JsonSerializer.Deserialize(payload.Span, BusJson.Default.IdNote)!.Id));
    }

    /// <summary>Forgets one account (changed on another node).</summary>
    public void Evict(long id)
    {
        if (_byId.TryRemove(id, out var account)) _idByName.TryRemove(new KeyValuePair<string, long>(account.Name, id));
    }

    /// <summary>Forgets everything (after the bus was lost: other nodes' changes may have been missed).</summary>
    public void Clear()
    {
        _byId.Clear();
        _idByName.Clear();
    }

    public async ValueTask<Account?> GetAsync(long id, CancellationToken ct = default)
    {
        if (_byId.TryGetValue(id, out var cached)) return cached;
        var account = await _store.GetAsync(id, ct);
        if (account is not null) Remember(account);
        return account;
    }

    public async ValueTask<Account?> GetByNameAsync(string name, CancellationToken ct = default)
    {
        if (_idByName.TryGetValue(name, out var id) && _byId.TryGetValue(id, out var cached)) return cached;
        var account = await _store.GetByNameAsync(name, ct);
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
            foreach (var a in await _store.GetManyAsync(missing, ct))
            {
                Remember(a);
                found.Add(a);
            }
        }
        return found;
    }

    public async Task<Account?> CreateAsync(Account account, CancellationToken ct = default)
    {
        var created = await _store.TryCreateAsync(account, ct);
        if (created is not null) Remember(created);
        return created;
    }

    public async Task<bool> SaveAsync(Account account, CancellationToken ct = default)
    {
        var ok = await _store.UpdateAsync(account, ct);
        if (!ok) return false;
        Remember(account);
        if (_bus.IsClustered) _bus.PublishToAll(Channel, JsonSerializer.SerializeToUtf8Bytes(new IdNote(account.Id), BusJson.Default.IdNote));
        return true;
    }

    private void Remember(Account account)
    {
        _byId[account.Id] = account;
        _idByName[account.Name] = account.Id;
    }
}
