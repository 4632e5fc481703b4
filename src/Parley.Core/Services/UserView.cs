using Parley.Abstractions.Model;

namespace Parley.Core.Services;

/// <summary>An account with its live state, as lists show it.</summary>
public sealed record UserView(Account Account, bool Online);

/// <summary>A pending friend request with both accounts.</summary>
public sealed record FriendRequestView(FriendRequest Request, UserView From, UserView To);

/// <summary>A group member with account and live state.</summary>
public sealed record MemberView(GroupMember Member, Account Account, bool Online);

/// <summary>A group with its member count.</summary>
public sealed record GroupView(Group Group, int MemberCount);
