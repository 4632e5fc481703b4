using Parley.Abstractions.Model;

namespace Parley.Abstractions.Stores;

/// <summary>Groups, their members and invitations.</summary>
public interface IGroupStore
{
    /// <summary>Creates a group with its owner as the first member (role Owner), in one transaction.</summary>
    Task<Group> CreateAsync(string name, long ownerId, bool inviteOnly, CancellationToken ct = default);

    /// <summary>Reads a group (dissolved ones too).</summary>
    Task<Group?> GetAsync(long groupId, CancellationToken ct = default);

    /// <summary>Writes Name, InviteOnly and OwnerId. False if unknown.</summary>
    Task<bool> UpdateAsync(Group group, CancellationToken ct = default);

    /// <summary>Marks the group dissolved and removes all members and invites. False if unknown or already dissolved.</summary>
    Task<bool> DissolveAsync(long groupId, CancellationToken ct = default);

    /// <summary>Adds a member (and removes any invite for them). False if already a member.</summary>
    Task<bool> AddMemberAsync(long groupId, long userId, GroupRole role, CancellationToken ct = default);

    /// <summary>Removes a member. False if not a member.</summary>
    Task<bool> RemoveMemberAsync(long groupId, long userId, CancellationToken ct = default);

    /// <summary>The member row, or null.</summary>
    Task<GroupMember?> GetMemberAsync(long groupId, long userId, CancellationToken ct = default);

    /// <summary>All members ordered by join time.</summary>
    Task<IReadOnlyList<GroupMember>> GetMembersAsync(long groupId, CancellationToken ct = default);

    /// <summary>Groups (not dissolved) the user belongs to, by id.</summary>
    Task<IReadOnlyList<Group>> GetGroupsOfUserAsync(long userId, CancellationToken ct = default);

    /// <summary>
    /// Open (not invite-only, not dissolved) groups whose name contains <paramref name="text"/> (case-insensitive;
    /// <c>%</c> and <c>_</c> match themselves), newest first; at most <paramref name="limit"/>.
    /// </summary>
    Task<IReadOnlyList<Group>> SearchOpenAsync(string text, int limit, CancellationToken ct = default);

    /// <summary>Records an invitation; idempotent.</summary>
    Task AddInviteAsync(long groupId, long userId, long invitedBy, CancellationToken ct = default);

    /// <summary>True if the user holds an invitation to the group.</summary>
    Task<bool> HasInviteAsync(long groupId, long userId, CancellationToken ct = default);
}
