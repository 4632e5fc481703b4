using Microsoft.Extensions.Logging;
using Parley.Abstractions.Cluster;
using Parley.Abstractions.Events;
using Parley.Abstractions.Stores;
using Parley.Core.Diagnostics;
using Parley.Core.Messaging;
using Parley.Core.Sessions;

namespace Parley.Core.Services;

/// <summary>
/// Who is online, and who is told: a user's friends and fellow group members ("watchers") hear when the user
/// comes online or goes offline. Online means online anywhere in the cluster (<see cref="IPresence"/>); every node
/// tells its own connected watchers, so each watcher session hears a transition once whichever node it is on.
/// </summary>
public sealed class PresenceService(SessionRegistry registry, IPresence presence, IGraphStore graph, IGroupStore groupStore, GroupDirectory groups,
    AccountDirectory accounts, Delivery delivery, ILogger<PresenceService> logger) : IPresenceObserver
{
    public bool IsOnline(long userId) => presence.IsOnline(userId);

    /// <summary>Users online anywhere in the cluster.</summary>
    public IReadOnlyList<long> OnlineUserIds() => presence.OnlineUserIds();

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
        (await WatchersOfAsync(userId, ct)).Where(presence.IsOnline).Order().ToList();

    /// <summary>Tells this node's watchers in the background; presence is best-effort and never delays a connect.</summary>
    void IPresenceObserver.OnPresenceChanged(long userId, bool online) => _ = AnnounceAsync(userId, online);

    private async Task AnnounceAsync(long userId, bool online)
    {
        try
        {
            // A quick reconnect may have flipped the state again; announce only what is still true.
            if (presence.IsOnline(userId) != online || registry.Count == 0) return;
            var account = await accounts.GetAsync(userId);
            if (account is null) return;
            var watchers = await WatchersOfAsync(userId);
            delivery.NotifyLocal(watchers, new PresenceEvent(userId, account.Name, online));
        }
        catch (Exception ex)
        {
            CoreLog.PresenceFailed(logger, ex, userId);
        }
    }
}
