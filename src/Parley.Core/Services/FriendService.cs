using Parley.Abstractions;
using Parley.Abstractions.Events;
using Parley.Abstractions.Model;
using Parley.Abstractions.Stores;

namespace Parley.Core.Services;

/// <summary>Friend requests, friendships and blocks.</summary>
public sealed class FriendService(IGraphStore graph, AccountService accounts, AccountDirectory directory, Abstractions.Cluster.IPresence sessions,
    SocialNotices notices)
{
    public async Task<FriendRequestView> RequestAsync(long me, string? user, string? message, CancellationToken ct)
    {
        var target = await accounts.ResolveAsync(user, ct);
        if (target.Id == me) throw ParleyException.Invalid("user", "cannot befriend yourself");
        if (message is { Length: > 256 }) throw ParleyException.Invalid("message", "at most 256 characters");
        if (await graph.AreFriendsAsync(me, target.Id, ct)) throw ParleyException.Conflict("already friends");
        if (await graph.HasBlockedAsync(target.Id, me, ct) || await graph.HasBlockedAsync(me, target.Id, ct))
            throw new ParleyException(ParleyErrorKind.Forbidden, ErrorCodes.Blocked, "blocked");

        var theirs = (await graph.GetPendingFriendRequestsAsync(me, ct)).FirstOrDefault(r => r.FromUserId == target.Id && r.ToUserId == me);
        if (theirs is not null)
        {
            await graph.ResolveFriendRequestAsync(theirs.Id, FriendRequestStatus.Accepted, ct);
            await notices.SendAsync(NoticeKinds.FriendAccepted, me, [target.Id], theirs.Id);
            return await ViewAsync(theirs with { Status = FriendRequestStatus.Accepted }, ct);
        }
        var created = await graph.CreateFriendRequestAsync(me, target.Id, message, ct);
        await notices.SendAsync(NoticeKinds.FriendRequest, me, [target.Id], created.Id);
        return await ViewAsync(created, ct);
    }

    public Task<FriendRequestView> AcceptAsync(long me, long requestId, CancellationToken ct) => ResolveAsync(me, requestId, FriendRequestStatus.Accepted, ct);
    public Task<FriendRequestView> DeclineAsync(long me, long requestId, CancellationToken ct) => ResolveAsync(me, requestId, FriendRequestStatus.Declined, ct);

    public async Task CancelAsync(long me, long requestId, CancellationToken ct)
    {
        var request = await graph.GetFriendRequestAsync(requestId, ct);
        if (request is null || request.FromUserId != me) throw ParleyException.NotFound("no such friend request");
        if (!await graph.ResolveFriendRequestAsync(requestId, FriendRequestStatus.Cancelled, ct)) throw ParleyException.Conflict("request is no longer pending");
        await notices.SendAsync(NoticeKinds.FriendCancelled, me, [request.ToUserId], requestId);
    }

    private async Task<FriendRequestView> ResolveAsync(long me, long requestId, FriendRequestStatus status, CancellationToken ct)
    {
        var request = await graph.GetFriendRequestAsync(requestId, ct);
        // Someone else's request is reported as absent, so ids cannot be probed.
        if (request is null || (request.ToUserId != me && request.FromUserId != me)) throw ParleyException.NotFound("no such friend request");
        if (request.ToUserId != me) throw ParleyException.Forbidden("only the recipient may answer a friend request");
        if (!await graph.ResolveFriendRequestAsync(requestId, status, ct)) throw ParleyException.Conflict("request is no longer pending");
        var kind = status == FriendRequestStatus.Accepted ? NoticeKinds.FriendAccepted : NoticeKinds.FriendDeclined;
        await notices.SendAsync(kind, me, [request.FromUserId], requestId);
        return await ViewAsync(request with { Status = status }, ct);
    }

    public async Task RemoveAsync(long me, string? user, CancellationToken ct)
    {
        var target = await accounts.ResolveAsync(user, ct);
        if (!await graph.RemoveFriendshipAsync(me, target.Id, ct)) throw ParleyException.NotFound("not friends");
        await notices.SendAsync(NoticeKinds.FriendRemoved, me, [target.Id]);
    }

    public async Task<IReadOnlyList<UserView>> FriendsAsync(long me, CancellationToken ct) => await ViewsAsync(await graph.GetFriendIdsAsync(me, ct), ct);

    public async Task<IReadOnlyList<FriendRequestView>> PendingAsync(long me, CancellationToken ct)
    {
        var result = new List<FriendRequestView>();
        foreach (var r in await graph.GetPendingFriendRequestsAsync(me, ct)) result.Add(await ViewAsync(r, ct));
        return result;
    }

    public async Task BlockAsync(long me, string? user, CancellationToken ct)
    {
        var target = await accounts.ResolveAsync(user, ct);
        if (target.Id == me) throw ParleyException.Invalid("user", "cannot block yourself");
        await graph.BlockAsync(me, target.Id, ct);
    }

    public async Task UnblockAsync(long me, string? user, CancellationToken ct)
    {
        var target = await accounts.ResolveAsync(user, ct);
        if (!await graph.UnblockAsync(me, target.Id, ct)) throw ParleyException.NotFound("not blocked");
    }

    public async Task<IReadOnlyList<UserView>> BlockedAsync(long me, CancellationToken ct) => await ViewsAsync(await graph.GetBlockedIdsAsync(me, ct), ct);

    public async Task<IReadOnlyList<UserView>> ViewsAsync(IReadOnlyCollection<long> ids, CancellationToken ct) =>
        (await directory.GetManyAsync(ids, ct)).OrderBy(a => a.Id).Select(a => new UserView(a, sessions.IsOnline(a.Id))).ToList();

    private async Task<FriendRequestView> ViewAsync(FriendRequest r, CancellationToken ct)
    {
        var from = await accounts.RequireAsync(r.FromUserId, ct);
        var to = await accounts.RequireAsync(r.ToUserId, ct);
        return new FriendRequestView(r, new UserView(from, sessions.IsOnline(from.Id)), new UserView(to, sessions.IsOnline(to.Id)));
    }
}
