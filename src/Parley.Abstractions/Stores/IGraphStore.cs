using Parley.Abstractions.Model;

namespace Parley.Abstractions.Stores;

/// <summary>The social graph: friend requests, friendships and blocks.</summary>
public interface IGraphStore
{
    /// <summary>Creates a pending request. Returns the existing pending one if the same pair already has one in that direction.</summary>
    Task<FriendRequest> CreateFriendRequestAsync(long fromUserId, long toUserId, string? message, CancellationToken ct = default);

    /// <summary>Reads a request.</summary>
    Task<FriendRequest?> GetFriendRequestAsync(long requestId, CancellationToken ct = default);

    /// <summary>Pending requests sent to or by the user, newest first.</summary>
    Task<IReadOnlyList<FriendRequest>> GetPendingFriendRequestsAsync(long userId, CancellationToken ct = default);

    /// <summary>
    /// Moves a pending request to <paramref name="status"/>; when Accepted, also creates the friendship in the
    /// same transaction. False if the request is unknown or no longer pending.
    /// </summary>
    Task<bool> ResolveFriendRequestAsync(long requestId, FriendRequestStatus status, CancellationToken ct = default);

    /// <summary>Creates a friendship directly (both directions); idempotent.</summary>
    Task AddFriendshipAsync(long a, long b, CancellationToken ct = default);

    /// <summary>Removes a friendship (both directions). False if they were not friends.</summary>
    Task<bool> RemoveFriendshipAsync(long a, long b, CancellationToken ct = default);

    /// <summary>True if a and b are friends.</summary>
    Task<bool> AreFriendsAsync(long a, long b, CancellationToken ct = default);

    /// <summary>Ids of the user's friends, ascending.</summary>
    Task<IReadOnlyList<long>> GetFriendIdsAsync(long userId, CancellationToken ct = default);

    /// <summary><paramref name="userId"/> blocks <paramref name="blockedUserId"/>; idempotent.</summary>
    Task BlockAsync(long userId, long blockedUserId, CancellationToken ct = default);

    /// <summary>Lifts a block. False if there was none.</summary>
    Task<bool> UnblockAsync(long userId, long blockedUserId, CancellationToken ct = default);

    /// <summary>True if <paramref name="userId"/> has blocked <paramref name="otherUserId"/>.</summary>
    Task<bool> HasBlockedAsync(long userId, long otherUserId, CancellationToken ct = default);

    /// <summary>Ids the user has blocked, ascending.</summary>
    Task<IReadOnlyList<long>> GetBlockedIdsAsync(long userId, CancellationToken ct = default);
}
