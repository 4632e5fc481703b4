namespace Parley.Client;

public sealed partial class ParleyApiClient
{
    /// <summary>Gets a user by account name or numeric id.</summary>
    /// <param name="user">Account name, or the user id as digits.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The user.</returns>
    public Task<UserSummary> GetUserAsync(string user, CancellationToken cancellationToken = default) =>
        GetAsync($"api/users/{Seg(user)}", Json.UserSummary, cancellationToken);

    /// <summary>Lists online friends and fellow group members.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The online users.</returns>
    public async Task<IReadOnlyList<UserSummary>> GetOnlineUsersAsync(CancellationToken cancellationToken = default) =>
        await GetAsync("api/users/online", Json.ListUserSummary, cancellationToken).ConfigureAwait(false);

    /// <summary>Lists friends with their online state.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The friends.</returns>
    public async Task<IReadOnlyList<UserSummary>> GetFriendsAsync(CancellationToken cancellationToken = default) =>
        await GetAsync("api/friends", Json.ListUserSummary, cancellationToken).ConfigureAwait(false);

    /// <summary>Lists pending friend requests, incoming and outgoing.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The pending requests.</returns>
    public async Task<IReadOnlyList<FriendRequestInfo>> GetFriendRequestsAsync(CancellationToken cancellationToken = default) =>
        await GetAsync("api/friends/requests", Json.ListFriendRequestInfo, cancellationToken).ConfigureAwait(false);

    /// <summary>Asks a user to be friends; if that user already asked, this accepts (status <c>accepted</c>).</summary>
    /// <param name="user">Account name, or the user id as digits.</param>
    /// <param name="message">Optional message.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The request.</returns>
    public Task<FriendRequestInfo> SendFriendRequestAsync(string user, string? message = null, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, "api/friends/requests", new Rest.FriendRequestCreate(user, message), Json.FriendRequestCreate, Json.FriendRequestInfo, cancellationToken);

    /// <summary>Accepts an incoming friend request.</summary>
    /// <param name="requestId">Request id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The updated request.</returns>
    public Task<FriendRequestInfo> AcceptFriendRequestAsync(long requestId, CancellationToken cancellationToken = default) =>
        SendCoreAsync(HttpMethod.Post, $"api/friends/requests/{requestId}/accept", null, Json.FriendRequestInfo, cancellationToken);

    /// <summary>Declines an incoming friend request.</summary>
    /// <param name="requestId">Request id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The updated request.</returns>
    public Task<FriendRequestInfo> DeclineFriendRequestAsync(long requestId, CancellationToken cancellationToken = default) =>
        SendCoreAsync(HttpMethod.Post, $"api/friends/requests/{requestId}/decline", null, Json.FriendRequestInfo, cancellationToken);

    /// <summary>Withdraws a friend request the caller sent.</summary>
    /// <param name="requestId">Request id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the request is withdrawn.</returns>
    public Task CancelFriendRequestAsync(long requestId, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, $"api/friends/requests/{requestId}", cancellationToken);

    /// <summary>Ends a friendship.</summary>
    /// <param name="user">Account name, or the user id as digits.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the friendship is removed.</returns>
    public Task RemoveFriendAsync(string user, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, $"api/friends/{Seg(user)}", cancellationToken);

    /// <summary>Lists blocked users.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The blocked users.</returns>
    public async Task<IReadOnlyList<UserSummary>> GetBlocksAsync(CancellationToken cancellationToken = default) =>
        await GetAsync("api/blocks", Json.ListUserSummary, cancellationToken).ConfigureAwait(false);

    /// <summary>Blocks a user: neither side can message the other.</summary>
    /// <param name="user">Account name, or the user id as digits.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the user is blocked.</returns>
    public Task BlockAsync(string user, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Put, $"api/blocks/{Seg(user)}", cancellationToken);

    /// <summary>Unblocks a user.</summary>
    /// <param name="user">Account name, or the user id as digits.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the user is unblocked.</returns>
    public Task UnblockAsync(string user, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, $"api/blocks/{Seg(user)}", cancellationToken);
}
