namespace Parley.Abstractions.Events;

/// <summary>
/// A change to the user's social graph made by someone else: a friend request, its answer, a removal, a group
/// invitation, a group member joining or leaving. Live only (not stored): a client that was offline reads the
/// current state (friend requests, friends, groups, members) from the REST API when it connects.
/// </summary>
public sealed class NoticeEvent(string kind, long userId, string userName, long? requestId = null, long? groupId = null, string? groupName = null)
    : ServerEvent
{
    /// <summary>What happened: one of <see cref="NoticeKinds"/>.</summary>
    public string Kind { get; } = kind;
    /// <summary>Who did it (for <see cref="NoticeKinds.MemberJoined"/> and <see cref="NoticeKinds.MemberLeft"/>: the member;
    /// for <see cref="NoticeKinds.GroupOwnerChanged"/>: the new owner).</summary>
    public long UserId { get; } = userId;
    /// <summary>Their account name.</summary>
    public string UserName { get; } = userName;
    /// <summary>The friend request, for the friend request kinds.</summary>
    public long? RequestId { get; } = requestId;
    /// <summary>The group, for the group kinds.</summary>
    public long? GroupId { get; } = groupId;
    /// <summary>The group's name, for the group kinds.</summary>
    public string? GroupName { get; } = groupName;
}

/// <summary>The kinds of <see cref="NoticeEvent"/>, and who receives each.</summary>
public static class NoticeKinds
{
    /// <summary>To the user asked: someone sent a friend request.</summary>
    public const string FriendRequest = "friendRequest";
    /// <summary>To the asker: the friend request was accepted (they are friends now).</summary>
    public const string FriendAccepted = "friendAccepted";
    /// <summary>To the asker: the friend request was declined.</summary>
    public const string FriendDeclined = "friendDeclined";
    /// <summary>To the user asked: the asker withdrew the friend request.</summary>
    public const string FriendCancelled = "friendCancelled";
    /// <summary>To the former friend: the user ended the friendship.</summary>
    public const string FriendRemoved = "friendRemoved";
    /// <summary>To the invitee: the group's owner invited them (they may now join an invite-only group).</summary>
    public const string GroupInvited = "groupInvited";
    /// <summary>To the member removed: the group's owner removed them.</summary>
    public const string GroupRemoved = "groupRemoved";
    /// <summary>To every member but the owner: the owner dissolved the group.</summary>
    public const string GroupDissolved = "groupDissolved";
    /// <summary>To the group's other members: the user joined.</summary>
    public const string MemberJoined = "memberJoined";
    /// <summary>To the group's remaining members: the user left or was removed.</summary>
    public const string MemberLeft = "memberLeft";
    /// <summary>To the group's remaining members, after the owner's <see cref="MemberLeft"/>: the group passed to the
    /// user named (the longest-standing member).</summary>
    public const string GroupOwnerChanged = "groupOwnerChanged";
}
