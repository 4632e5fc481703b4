using System.Collections.Concurrent;
using System.Text.Json;
using Parley.Abstractions.Model;
using Parley.Abstractions.Stores;
using Parley.Core.Cluster;

namespace Parley.Core.Services;

/// <summary>
/// Cached member sets of groups, for fan-out and permission checks on every group message. Membership changes go
/// through <see cref="GroupService"/>, which calls <see cref="Invalidate"/> (here and on every other node).
/// </summary>
public sealed class GroupDirectory
{
    private const string Channel = "group";
    private readonly IGroupStore _store;
    private readonly ClusterBus _bus;
    private readonly ConcurrentDictionary<long, Lazy<Task<GroupSnapshot?>>> _cache = new();

    public GroupDirectory(IGroupStore store, ClusterBus bus)
    {
        _store = store;
        _bus = bus;
        if (bus.IsClustered) bus.Register(Channel, payload => _cache.TryRemove(JsonSerializer.Deserialize(payload.Span, BusJson.Default.IdNote)!.Id, out _));
    }

    public async ValueTask<GroupSnapshot?> GetAsync(long groupId, CancellationToken ct = default)
    {
        var lazy = _cache.GetOrAdd(groupId, id => new Lazy<Task<GroupSnapshot?>>(() => LoadAsync(id)));
        try
        {
            return await lazy.Value.WaitAsync(ct);
        }
        catch when (!ct.IsCancellationRequested)
        {
            _cache.TryRemove(new KeyValuePair<long, Lazy<Task<GroupSnapshot?>>>(groupId, lazy));
            throw;
        }
    }

    /// <summary>Forgets a group here and on the other nodes (its membership or state changed).</summary>
    public void Invalidate(long groupId)
    {
        _cache.TryRemove(groupId, out _);
        if (_bus.IsClustered) _bus.PublishToAll(Channel, JsonSerializer.SerializeToUtf8Bytes(new IdNote(groupId), BusJson.Default.IdNote));
    }

    /// <summary>Forgets every group (after the bus was lost).</summary>
    public void Clear() => _cache.Clear();

    private async Task<GroupSnapshot?> LoadAsync(long groupId)
    {
        var group = await _store.GetAsync(groupId);
        if (group is null) return null;
        var members = group.Dissolved ? [] : await _store.GetMembersAsync(groupId);
        return new GroupSnapshot(group, members.Select(m => m.UserId).ToArray());
    }
}

/// <summary>A group and its member ids at one moment.</summary>
public sealed class GroupSnapshot(Group group, long[] memberIds)
{
    private readonly HashSet<long> _set = [.. memberIds];
    public Group Group { get; } = group;
    public long[] MemberIds { get; } = memberIds;
    public bool IsMember(long userId) => _set.Contains(userId);
}
