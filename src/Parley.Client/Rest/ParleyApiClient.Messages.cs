using System.Text.Json;
using Parley.Client.Rest;

namespace Parley.Client;

public sealed partial class ParleyApiClient
{
    /// <summary>Lists the caller's conversations, most recent first.</summary>
    /// <param name="limit">Maximum number (server default 50 when null).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The conversations.</returns>
    public async Task<IReadOnlyList<ConversationInfo>> GetConversationsAsync(int? limit = null, CancellationToken cancellationToken = default) =>
        await GetAsync("api/conversations" + Query(("limit", limit)), Json.ListConversationInfo, cancellationToken).ConfigureAwait(false);

    /// <summary>Pages a conversation's messages, oldest first: with <paramref name="after"/>, the oldest after it, else the newest before <paramref name="before"/>.</summary>
    /// <param name="conversation">Conversation id.</param>
    /// <param name="before">Exclusive upper seq bound.</param>
    /// <param name="after">Exclusive lower seq bound.</param>
    /// <param name="limit">Maximum number (server default 50 when null).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The page.</returns>
    public Task<HistoryPage> GetMessagesAsync(string conversation, long? before = null, long? after = null, int? limit = null, CancellationToken cancellationToken = default) =>
        GetAsync($"api/conversations/{Seg(conversation)}/messages" + Query(("before", before), ("after", after), ("limit", limit)), Json.HistoryPage, cancellationToken);

    /// <summary>Moves the caller's read cursor in a conversation.</summary>
    /// <param name="conversation">Conversation id.</param>
    /// <param name="seq">Read up to and including this seq.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the cursor is stored.</returns>
    public Task MarkReadAsync(string conversation, long seq, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, $"api/conversations/{Seg(conversation)}/read", new ReadRequest(seq), Json.ReadRequest, cancellationToken);

    /// <summary>Sends a message over REST; exactly one of <paramref name="to"/>, <paramref name="group"/>, <paramref name="conversation"/> must be set.</summary>
    /// <param name="to">Recipient account name or id as digits.</param>
    /// <param name="group">Group id.</param>
    /// <param name="conversation">Conversation id.</param>
    /// <param name="text">Text.</param>
    /// <param name="kind">Kind (server default <c>text</c>).</param>
    /// <param name="payload">JSON payload.</param>
    /// <param name="clientMsgId">Idempotency key; a new GUID v7 when null.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Where the message was stored; durable when returned.</returns>
    public Task<SendResult> SendMessageAsync(
        string? to = null, long? group = null, string? conversation = null, string? text = null, string? kind = null,
        JsonElement? payload = null, string? clientMsgId = null, CancellationToken cancellationToken = default)
    {
        if ((to is null ? 0 : 1) + (group is null ? 0 : 1) + (conversation is null ? 0 : 1) != 1)
        {
            throw new ArgumentException("Exactly one of to, group or conversation must be given.");
        }

        var body = new RestSendRequest(to, group, conversation, kind, text, payload, clientMsgId ?? Guid.CreateVersion7().ToString());
        return SendAsync(HttpMethod.Post, "api/messages", body, Json.RestSendRequest, Json.SendResult, cancellationToken);
    }

    /// <summary>Lists every live connection (administrators only).</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The connections.</returns>
    public async Task<IReadOnlyList<AdminConnectionInfo>> AdminGetConnectionsAsync(CancellationToken cancellationToken = default) =>
        await GetAsync("api/admin/connections", Json.ListAdminConnectionInfo, cancellationToken).ConfigureAwait(false);

    /// <summary>Lists every online user (administrators only).</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The online users.</returns>
    public async Task<IReadOnlyList<UserSummary>> AdminGetOnlineAsync(CancellationToken cancellationToken = default) =>
        await GetAsync("api/admin/online", Json.ListUserSummary, cancellationToken).ConfigureAwait(false);

    /// <summary>Closes every connection of a user with 4003 <c>kicked</c> (administrators only).</summary>
    /// <param name="user">Account name, or the user id as digits.</param>
    /// <param name="reason">Optional reason.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>How many connections were closed.</returns>
    public Task<KickResult> AdminKickAsync(string user, string? reason = null, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, $"api/admin/users/{Seg(user)}/kick", new KickRequest(reason), Json.KickRequest, Json.KickResult, cancellationToken);

    /// <summary>Disables an account: tokens are refused and connections close with 4004 (administrators only).</summary>
    /// <param name="user">Account name, or the user id as digits.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the account is disabled.</returns>
    public Task AdminDisableUserAsync(string user, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, $"api/admin/users/{Seg(user)}/disable", cancellationToken);

    /// <summary>Enables a disabled account (administrators only).</summary>
    /// <param name="user">Account name, or the user id as digits.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the account is enabled.</returns>
    public Task AdminEnableUserAsync(string user, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, $"api/admin/users/{Seg(user)}/enable", cancellationToken);
}
