using Parley.Client.Rest;

namespace Parley.Client;

public sealed partial class ParleyApiClient
{
    /// <summary>Creates a group owned by the caller.</summary>
    /// <param name="name">Group name.</param>
    /// <param name="inviteOnly">Whether joining needs an invitation (server default when null).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The new group.</returns>
    public Task<GroupInfo> CreateGroupAsync(string name, bool? inviteOnly = null, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, "api/groups", new GroupCreateRequest(name, inviteOnly), Json.GroupCreateRequest, Json.GroupInfo, cancellationToken);

    /// <summary>Lists the caller's groups.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The groups.</returns>
    public async Task<IReadOnlyList<GroupInfo>> GetGroupsAsync(CancellationToken cancellationToken = default) =>
        await GetAsync("api/groups", Json.ListGroupInfo, cancellationToken).ConfigureAwait(false);

    /// <summary>Gets a group.</summary>
    /// <param name="groupId">Group id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The group.</returns>
    public Task<GroupInfo> GetGroupAsync(long groupId, CancellationToken cancellationToken = default) =>
        GetAsync($"api/groups/{groupId}", Json.GroupInfo, cancellationToken);

    /// <summary>Renames a group or changes its invite-only flag (owner only); null fields stay unchanged.</summary>
    /// <param name="groupId">Group id.</param>
    /// <param name="name">New name.</param>
    /// <param name="inviteOnly">New invite-only flag.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The updated group.</returns>
    public Task<GroupInfo> UpdateGroupAsync(long groupId, string? name = null, bool? inviteOnly = null, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Patch, $"api/groups/{groupId}", new GroupUpdateRequest(name, inviteOnly), Json.GroupUpdateRequest, Json.GroupInfo, cancellationToken);

    /// <summary>Dissolves a group (owner only).</summary>
    /// <param name="groupId">Group id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the group is dissolved.</returns>
    public Task DissolveGroupAsync(long groupId, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, $"api/groups/{groupId}", cancellationToken);

    /// <summary>Joins a group (invite-only groups need an invitation).</summary>
    /// <param name="groupId">Group id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The group.</returns>
    public Task<GroupInfo> JoinGroupAsync(long groupId, CancellationToken cancellationToken = default) =>
        SendCoreAsync(HttpMethod.Post, $"api/groups/{groupId}/join", null, Json.GroupInfo, cancellationToken);

    /// <summary>Leaves a group; an owner hands it to the longest-standing member.</summary>
    /// <param name="groupId">Group id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the caller has left.</returns>
    public Task LeaveGroupAsync(long groupId, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, $"api/groups/{groupId}/leave", cancellationToken);

    /// <summary>Invites a user to a group (owner only).</summary>
    /// <param name="groupId">Group id.</param>
    /// <param name="user">Account name, or the user id as digits.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the invitation is stored.</returns>
    public Task InviteToGroupAsync(long groupId, string user, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, $"api/groups/{groupId}/invites", new UserRefRequest(user), Json.UserRefRequest, cancellationToken);

    /// <summary>Lists the members of a group with their online state (members only).</summary>
    /// <param name="groupId">Group id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The members.</returns>
    public async Task<IReadOnlyList<GroupMemberInfo>> GetGroupMembersAsync(long groupId, CancellationToken cancellationToken = default) =>
        await GetAsync($"api/groups/{groupId}/members", Json.ListGroupMemberInfo, cancellationToken).ConfigureAwait(false);

    /// <summary>Lists the online members of a group (members only).</summary>
    /// <param name="groupId">Group id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The online members.</returns>
    public async Task<IReadOnlyList<UserSummary>> GetGroupOnlineAsync(long groupId, CancellationToken cancellationToken = default) =>
        await GetAsync($"api/groups/{groupId}/online", Json.ListUserSummary, cancellationToken).ConfigureAwait(false);

    /// <summary>Removes a member from a group (owner only).</summary>
    /// <param name="groupId">Group id.</param>
    /// <param name="user">Account name, or the user id as digits.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the member is removed.</returns>
    public Task RemoveGroupMemberAsync(long groupId, string user, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, $"api/groups/{groupId}/members/{Seg(user)}", cancellationToken);
}
