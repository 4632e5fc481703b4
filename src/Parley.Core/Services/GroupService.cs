using Parley.Abstractions;
using Parley.Abstractions.Events;
using Parley.Abstractions.Model;
using Parley.Abstractions.Stores;
using Parley.Core.Files;

namespace Parley.Core.Services;

/// <summary>
/// Groups and membership. Every membership change also moves the member's participant row in the group's
/// conversation (so sync and the conversation list follow) and invalidates the cached member set.
/// </summary>
public sealed class GroupService(IGroupStore store, IMessageStore messages, GroupDirectory directory, AccountService accounts,
    AccountDirectory accountDirectory, Abstractions.Cluster.IPresence sessions, MediaAttachments media, SocialNotices notices)
{
    public async Task<GroupView> CreateAsync(long me, string? name, bool inviteOnly, CancellationToken ct)
    {
        var clean = CheckName(name);
        var group = await store.CreateAsync(clean, me, inviteOnly, ct);
        await messages.AddParticipantAsync(ConversationId.Group(group.Id).Value, me, 0, ct);
        directory.Invalidate(group.Id);
        return new GroupView(group, 1);
    }

    private static string CheckName(string? name)
    {
        var clean = name?.Trim();
        if (string.IsNullOrEmpty(clean) || clean.Length > 64) throw ParleyException.Invalid("name", "1-64 characters");
        return clean;
    }

    /// <summary>Open groups are visible to anyone; invite-only ones to members and invitees (others get 404).</summary>
    public async Task<GroupView> GetAsync(long me, long groupId, CancellationToken ct)
    {
        var snapshot = await LiveAsync(groupId, ct);
        if (snapshot.Group.InviteOnly && !snapshot.IsMember(me) && !await store.HasInviteAsync(groupId, me, ct))
            throw ParleyException.NotFound("no such group");
        return new GroupView(snapshot.Group, snapshot.MemberIds.Length);
    }

    private async Task<GroupSnapshot> LiveAsync(long groupId, CancellationToken ct)
    {
        var snapshot = await directory.GetAsync(groupId, ct);
        if (snapshot is null || snapshot.Group.Dissolved) throw ParleyException.NotFound("no such group");
        return snapshot;
    }

    private async Task<GroupSnapshot> OwnedAsync(long me, long groupId, CancellationToken ct)
    {
        var snapshot = await LiveAsync(groupId, ct);
        if (!snapshot.IsMember(me)) throw ParleyException.NotFound("no such group");
        if (snapshot.Group.OwnerId != me) throw ParleyException.Forbidden("only the owner may do this");
        return snapshot;
    }

    public async Task<IReadOnlyList<GroupView>> MineAsync(long me, CancellationToken ct)
    {
        var result = new List<GroupView>();
        foreach (var g in await store.GetGroupsOfUserAsync(me, ct))
        {
            var snapshot = await directory.GetAsync(g.Id, ct);
            if (snapshot is not null) result.Add(new GroupView(snapshot.Group, snapshot.MemberIds.Length));
        }
        return result;
    }

    public async Task<GroupView> UpdateAsync(long me, long groupId, string? name, bool? inviteOnly, CancellationToken ct)
    {
        var snapshot = await OwnedAsync(me, groupId, ct);
        var updated = snapshot.Group with
        {
            Name = name is null ? snapshot.Group.Name : CheckName(name),
            InviteOnly = inviteOnly ?? snapshot.Group.InviteOnly,
        };
        await store.UpdateAsync(updated, ct);
        directory.Invalidate(groupId);
        return new GroupView(updated, snapshot.MemberIds.Length);
    }

    public async Task DissolveAsync(long me, long groupId, CancellationToken ct)
    {
        var snapshot = await OwnedAsync(me, groupId, ct);
        await store.DissolveAsync(groupId, ct);
        var conversation = ConversationId.Group(groupId).Value;
        foreach (var member in snapshot.MemberIds) await messages.RemoveParticipantAsync(conversation, member, ct);
        directory.Invalidate(groupId);
        await notices.SendAsync(NoticeKinds.GroupDissolved, me, snapshot.MemberIds.Where(m => m != me), group: snapshot.Group);
        // Nobody can read a dissolved group: its attachments become orphans (swept later) unless shared elsewhere.
        await media.ForgetConversationAsync(conversation, ct);
    }

    public async Task<GroupView> JoinAsync(long me, long groupId, CancellationToken ct)
    {
        var snapshot = await LiveAsync(groupId, ct);
        if (snapshot.IsMember(me)) return new GroupView(snapshot.Group, snapshot.MemberIds.Length);
        if (snapshot.Group.InviteOnly && !await store.HasInviteAsync(groupId, me, ct))
        {
            throw ParleyException.Forbidden("this group is invite-only");
        }
        await AddMemberAsync(groupId, me, GroupRole.Member, ct);
        await notices.SendAsync(NoticeKinds.MemberJoined, me, snapshot.MemberIds, group: snapshot.Group);
        return new GroupView(snapshot.Group, snapshot.MemberIds.Length + 1);
    }

    private async Task AddMemberAsync(long groupId, long userId, GroupRole role, CancellationToken ct)
    {
        await store.AddMemberAsync(groupId, userId, role, ct);
        var conversation = ConversationId.Group(groupId).Value;
        // A new member's sync starts at the present; older history is paged on request.
        await messages.AddParticipantAsync(conversation, userId, await messages.GetLastSeqAsync(conversation, ct), ct);
        directory.Invalidate(groupId);
    }

    /// <summary>Leaves; an owner hands the group to the longest-standing member, or dissolves it when alone.</summary>
    public async Task LeaveAsync(long me, long groupId, CancellationToken ct)
    {
        var snapshot = await LiveAsync(groupId, ct);
        if (!snapshot.IsMember(me)) throw ParleyException.NotFound("not a member of this group");
        Group? handedOver = null;
        if (snapshot.Group.OwnerId == me)
        {
            var heir = (await store.GetMembersAsync(groupId, ct)).Where(m => m.UserId != me).OrderBy(m => m.JoinedAt).ThenBy(m => m.UserId).FirstOrDefault();
            if (heir is null)
            {
                await DissolveAsync(me, groupId, ct);
                return;
            }
            handedOver = snapshot.Group with { OwnerId = heir.UserId };
            await store.UpdateAsync(handedOver, ct);
        }
        await RemoveMemberCoreAsync(groupId, me, ct);
        var remaining = snapshot.MemberIds.Where(m => m != me).ToList();
        await notices.SendAsync(NoticeKinds.MemberLeft, me, remaining, group: snapshot.Group);
        if (handedOver is not null) await notices.SendAsync(NoticeKinds.GroupOwnerChanged, handedOver.OwnerId, remaining, group: handedOver);
    }

    private async Task RemoveMemberCoreAsync(long groupId, long userId, CancellationToken ct)
    {
        await store.RemoveMemberAsync(groupId, userId, ct);
        await messages.RemoveParticipantAsync(ConversationId.Group(groupId).Value, userId, ct);
        directory.Invalidate(groupId);
    }

    public async Task InviteAsync(long me, long groupId, string? user, CancellationToken ct)
    {
        var snapshot = await OwnedAsync(me, groupId, ct);
        var target = await accounts.ResolveAsync(user, ct);
        await store.AddInviteAsync(groupId, target.Id, me, ct);
        await notices.SendAsync(NoticeKinds.GroupInvited, me, [target.Id], group: snapshot.Group);
    }

    public async Task RemoveMemberAsync(long me, long groupId, string? user, CancellationToken ct)
    {
        var snapshot = await OwnedAsync(me, groupId, ct);
        var target = await accounts.ResolveAsync(user, ct);
        if (target.Id == me) throw ParleyException.Invalid("user", "the owner leaves or dissolves instead");
        if (!snapshot.IsMember(target.Id)) throw ParleyException.NotFound("not a member of this group");
        await RemoveMemberCoreAsync(groupId, target.Id, ct);
        await notices.SendAsync(NoticeKinds.GroupRemoved, me, [target.Id], group: snapshot.Group);
        await notices.SendAsync(NoticeKinds.MemberLeft, target.Id, snapshot.MemberIds.Where(m => m != target.Id), group: snapshot.Group);
    }

    public async Task<IReadOnlyList<MemberView>> MembersAsync(long me, long groupId, CancellationToken ct)
    {
        var snapshot = await LiveAsync(groupId, ct);
        if (!snapshot.IsMember(me)) throw ParleyException.Forbidden("not a member of this group");
        var members = await store.GetMembersAsync(groupId, ct);
        var byId = (await accountDirectory.GetManyAsync(members.Select(m => m.UserId).ToList(), ct)).ToDictionary(a => a.Id);
        return members.Where(m => byId.ContainsKey(m.UserId))
            .Select(m => new MemberView(m, byId[m.UserId], sessions.IsOnline(m.UserId))).ToList();
    }
}
