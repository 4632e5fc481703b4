using System.Collections.Concurrent;
using Parley.Abstractions.Model;
using Parley.Abstractions.Stores;

namespace Parley.Core.Services;

/// <summary>
/// Cached member sets of groups, for fan-out and permission checks on every group message. Membership changes go
/// through <see cref="GroupService"/>, which calls <see cref="Invalidate"/>.
/// </summary>
public sealed class GroupDirectory(IGroupStore store)
{
    private readonly ConcurrentDictionary<long, Lazy<Task<GroupSnapshot?>>> _cache = new();

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

    public void Invalidate(long groupId) => _cache.TryRemove(groupId, out _);

    private async Task<GroupSnapshot?> LoadAsync(long groupId)
    {
        var group = await store.GetAsync(groupId);
        if (group is null) return null;
        var members = group.Dissolved ? [] : await store.GetMembersAsync(groupId);
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
