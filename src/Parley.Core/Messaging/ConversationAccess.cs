using Parley.Abstractions;
using Parley.Abstractions.Model;
using Parley.Abstractions.Stores;
using Parley.Core.Options;
using Parley.Core.Services;

namespace Parley.Core.Messaging;

/// <summary>
/// Who may write to and read from which conversation. One place for the rules, so the native protocol, STOMP,
/// MobileIMSDK and REST enforce exactly the same ones.
/// </summary>
public sealed class ConversationAccess(AccountDirectory accounts, GroupDirectory groups, IGraphStore graph, MessagingOptions options)
{
    public async ValueTask<Access<ResolvedTarget>> ResolveForSendAsync(Account sender, MessageTarget target, CancellationToken ct)
    {
        if (!target.IsValid) return Access<ResolvedTarget>.Deny(ErrorCodes.InvalidField, "exactly one of to, group or conversation is required");
        if (target.GroupId is { } groupId) return await GroupAsync(sender.Id, groupId, ct);
        if (target.Conversation is { } conversation)
        {
            if (!ConversationId.TryParse(conversation, out var id)) return Access<ResolvedTarget>.Deny(ErrorCodes.InvalidField, "invalid conversation id");
            if (id.Value.IsGroup) return await GroupAsync(sender.Id, id.Value.GroupId, ct);
            if (!id.Value.HasParticipant(sender.Id)) return Access<ResolvedTarget>.Deny(ErrorCodes.Forbidden, "not a participant of this conversation");
            return await DirectAsync(sender, await accounts.GetAsync(id.Value.OtherParticipant(sender.Id), ct), ct);
        }
        return await DirectAsync(sender, await accounts.ResolveAsync(target.User, ct), ct);
    }

    private async ValueTask<Access<ResolvedTarget>> GroupAsync(long userId, long groupId, CancellationToken ct)
    {
        var group = await groups.GetAsync(groupId, ct);
        if (group is null || group.Group.Dissolved) return Access<ResolvedTarget>.Deny(ErrorCodes.NotFound, "no such group");
        if (!group.IsMember(userId)) return Access<ResolvedTarget>.Deny(ErrorCodes.Forbidden, "not a member of this group");
        return Access<ResolvedTarget>.Allow(new ResolvedTarget(ConversationId.Group(groupId), null, group));
    }

    private async ValueTask<Access<ResolvedTarget>> DirectAsync(Account sender, Account? recipient, CancellationToken ct)
    {
        if (recipient is null) return Access<ResolvedTarget>.Deny(ErrorCodes.NotFound, "no such user");
        if (recipient.Id == sender.Id) return Access<ResolvedTarget>.Deny(ErrorCodes.InvalidField, "cannot message yourself");
        if (await graph.HasBlockedAsync(recipient.Id, sender.Id, ct)) return Access<ResolvedTarget>.Deny(ErrorCodes.Blocked, "this user does not accept your messages");
        if (await graph.HasBlockedAsync(sender.Id, recipient.Id, ct)) return Access<ResolvedTarget>.Deny(ErrorCodes.Blocked, "you blocked this user");
        var friendsOnly = options.DirectMessages == DirectMessagePolicy.FriendsOnly || recipient.DirectMessages == DirectMessagePolicy.FriendsOnly;
        if (friendsOnly && !await graph.AreFriendsAsync(sender.Id, recipient.Id, ct))
            return Access<ResolvedTarget>.Deny(ErrorCodes.NotFriends, "this user accepts direct messages from friends only");
        return Access<ResolvedTarget>.Allow(new ResolvedTarget(ConversationId.Direct(sender.Id, recipient.Id), recipient, null));
    }

    /// <summary>May the user read (history, receipts, typing) this conversation? Returns its parsed id and participants' ids.</summary>
    public async ValueTask<Access<(ConversationId Id, long[] Participants)>> CheckReadAsync(long userId, string? conversation, CancellationToken ct)
    {
        if (!ConversationId.TryParse(conversation, out var parsed)) return Access<(ConversationId, long[])>.Deny(ErrorCodes.InvalidField, "invalid conversation id");
        var id = parsed.Value;
        if (!id.IsGroup)
        {
            return id.HasParticipant(userId)
                ? Access<(ConversationId, long[])>.Allow((id, [id.UserA, id.UserB]))
                : Access<(ConversationId, long[])>.Deny(ErrorCodes.Forbidden, "not a participant of this conversation");
        }
        var group = await groups.GetAsync(id.GroupId, ct);
        if (group is null || group.Group.Dissolved) return Access<(ConversationId, long[])>.Deny(ErrorCodes.NotFound, "no such group");
        return group.IsMember(userId)
            ? Access<(ConversationId, long[])>.Allow((id, group.MemberIds))
            : Access<(ConversationId, long[])>.Deny(ErrorCodes.Forbidden, "not a member of this group");
    }
}
