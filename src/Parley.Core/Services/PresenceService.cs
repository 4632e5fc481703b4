using Microsoft.Extensions.Logging;
using Parley.Abstractions.Events;
using Parley.Abstractions.Stores;
using Parley.Core.Diagnostics;
using Parley.Core.Messaging;
using Parley.Core.Sessions;

namespace Parley.Core.Services;

/// <summary>
/// Who is online, and who is told: a user's friends and fellow group members ("watchers") hear when the user
/// comes online or goes offline.
/// </summary>
public sealed class PresenceService(SessionRegistry registry, IGraphStore graph, IGroupStore groupStore, GroupDirectory groups,
    Delivery delivery, ILogger<PresenceService> logger)
{
    public bool IsOnline(long userId) => registry.IsOnline(userId);

    /// <summary>Friends and fellow members of the user's groups (not the user).</summary>
    public async Task<HashSet<long>> WatchersOfAsync(long userId, CancellationToken ct = default)
    {
        var result = new HashSet<long>(await graph.GetFriendIdsAsync(userId, ct));
        foreach (var group in await groupStore.GetGroupsOfUserAsync(userId, ct))
        {
            var snapshot = await groups.GetAsync(group.Id, ct);
            if (snapshot is not null) result.UnionWith(snapshot.MemberIds);
        }
        result.Remove(userId);
        return result;
    }

    /// <summary>The user's watchers who are online now: the "online users visible to me" list.</summary>
    public async Task<List<long>> VisibleOnlineAsync(long userId, CancellationToken ct = default) =>
        (await WatchersOfAsync(userId, ct)).Where(registry.IsOnline).Order().ToList();

    /// <summary>Tells watchers in the background; presence is best-effort and never delays a connect.</summary>
    public void Announce(long userId, string userName, bool online) => _ = AnnounceAsync(userId, userName, online);

    private async Task AnnounceAsync(long userId, string userName, bool online)
    {
        try
        {
            // A quick reconnect may have flipped the state again; announce only what is still true.
            if (registry.IsOnline(userId) != online) return;
            var watchers = await WatchersOfAsync(userId);
            delivery.Notify(watchers, new PresenceEvent(userId, userName, online));
        }
        catch (Exception ex)
        {
            CoreLog.PresenceFailed(logger, ex, userId);
        }
    }
}
