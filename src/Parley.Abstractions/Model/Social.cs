namespace Parley.Abstractions.Model;

/// <summary>State of a friend request.</summary>
public enum FriendRequestStatus
{
    /// <summary>Waiting for the recipient.</summary>
    Pending = 0,
    /// <summary>Accepted: the two users are friends.</summary>
    Accepted = 1,
    /// <summary>Declined by the recipient.</summary>
    Declined = 2,
    /// <summary>Withdrawn by the sender.</summary>
    Cancelled = 3,
}

/// <summary>A request from <see cref="FromUserId"/> to become friends with <see cref="ToUserId"/>.</summary>
public sealed record FriendRequest(long Id, long FromUserId, long ToUserId, string? Message, FriendRequestStatus Status, DateTimeOffset CreatedAt);

/// <summary>Role of a group member.</summary>
public enum GroupRole
{
    /// <summary>Ordinary member.</summary>
    Member = 0,
    /// <summary>The creator; may rename, invite, remove and dissolve.</summary>
    Owner = 1,
}

/// <summary>A chat group. Dissolved groups keep their row (so history stays addressable) but have no members.</summary>
public sealed record Group
{
    /// <summary>Numeric id, assigned by the store.</summary>
    public long Id { get; init; }
    /// <summary>Display name.</summary>
    public required string Name { get; init; }
    /// <summary>Owner's user id.</summary>
    public long OwnerId { get; init; }
    /// <summary>When true only invited users may join.</summary>
    public bool InviteOnly { get; init; }
    /// <summary>True once the owner dissolved it.</summary>
    public bool Dissolved { get; init; }
    /// <summary>Creation time.</summary>
    public DateTimeOffset CreatedAt { get; init; }
}

/// <summary>A member of a group.</summary>
public sealed record GroupMember(long GroupId, long UserId, GroupRole Role, DateTimeOffset JoinedAt);
