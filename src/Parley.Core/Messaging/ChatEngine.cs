using Microsoft.Extensions.Logging;
using Parley.Abstractions;
using Parley.Abstractions.Calls;
using Parley.Abstractions.Cluster;
using Parley.Abstractions.Events;
using Parley.Abstractions.Hooks;
using Parley.Abstractions.Stores;
using Parley.Core.Auth;
using Parley.Core.Clients;
using Parley.Core.Cluster;
using Parley.Core.Diagnostics;
using Parley.Core.Files;
using Parley.Core.Options;
using Parley.Core.Services;
using Parley.Core.Sessions;

namespace Parley.Core.Messaging;

/// <summary>Outcome of authenticating a connection attempt: a user, a client (perhaps with a user), or why not.</summary>
public sealed record AuthOutcome(AuthenticatedUser? User, DisconnectCode Failure, string? Reason)
{
    /// <summary>Set for a client token (which may name a user too, then <see cref="User"/> is set as well).</summary>
    public AuthenticatedClient? Client { get; init; }

    public bool Succeeded => User is not null || Client is not null;
}

/// <summary>
/// What every transport talks to. A transport authenticates, opens a <see cref="ClientConnection"/>, turns its
/// frames into calls here and writes what the connection's outbound queue yields. The engine knows no sockets.
/// </summary>
public sealed partial class ChatEngine
{
    private readonly SessionRegistry _registry;
    private readonly MessagePipeline _pipeline;
    private readonly Delivery _delivery;
    private readonly ConversationAccess _access;
    private readonly AccountDirectory _accounts;
    private readonly GroupDirectory _groups;
    private readonly IMessageStore _messages;
    private readonly TokenService _tokens;
    private readonly AccountService _accountService;
    private readonly HookRunner _hooks;
    private readonly IPresence _clusterPresence;
    private readonly SessionControl _control;
    private readonly ClusterClients _clusterClients;
    private readonly IBroker _broker;
    private readonly bool _clustered;
    private readonly ParleyOptions _options;
    private readonly ConnectionLimits _userLimits;
    private readonly ParleyMetrics _metrics;
    private readonly MediaAttachments _media;
    private readonly ILogger _logger;

    public ChatEngine(SessionRegistry registry, MessagePipeline pipeline, Delivery delivery, ConversationAccess access,
        AccountDirectory accounts, GroupDirectory groups, IMessageStore messages, TokenService tokens, AccountService accountService,
        HookRunner hooks, IPresence clusterPresence, SessionControl control, ClusterClients clusterClients, ClusterBus bus, ParleyOptions options,
        ParleyMetrics metrics, MediaAttachments media, ILogger<ChatEngine> logger, ClientKinds kinds)
    {
        _registry = registry;
        _pipeline = pipeline;
        _delivery = delivery;
        _access = access;
        _accounts = accounts;
        _groups = groups;
        _messages = messages;
        _tokens = tokens;
        _accountService = accountService;
        _hooks = hooks;
        _clusterPresence = clusterPresence;
        _control = control;
        _clusterClients = clusterClients;
        _broker = bus.Broker;
        _clustered = bus.IsClustered;
        _options = options;
        _metrics = metrics;
        _media = media;
        _logger = logger;
        _userLimits = kinds.UserLimits;
        _pipeline.Committed = _delivery.PublishAsync;
        _registry.CountChanged = OnLocalCountChanged;
    }

    // Under the user's registry shard lock: presence and broker interest see one user's changes in order.
    private void OnLocalCountChanged(long userId, int count)
    {
        _clusterPresence.SetLocalConnections(userId, count);
        if (!_clustered) return;
        if (count == 1) Observe(_broker.SubscribeUserAsync(userId));
        else if (count == 0) Observe(_broker.UnsubscribeUserAsync(userId));
    }

    private static void Observe(ValueTask pending)
    {
        if (!pending.IsCompletedSuccessfully) _ = ObserveAsync(pending);
    }

    private static async Task ObserveAsync(ValueTask pending)
    {
        try { await pending; }
        catch (Exception) { } // the broker logs and re-applies interest when it reconnects
    }

    /// <summary>
    /// In a cluster, completes once messages other nodes publish to the connection's user reach this node, so a sync
    /// the client sends next misses nothing. Transports await it after <see cref="Open"/> / <see cref="OpenClient"/>.
    /// </summary>
    public async ValueTask ReadyAsync(ClientConnection connection)
    {
        if (!_clustered || !connection.HasUser) return;
        try { await _broker.SubscribeUserAsync(connection.UserId); }
        catch (Exception) { } // bus down: interest is re-applied on reconnection, and the node resyncs its clients then
    }

    /// <summary>Registers an authenticated connection and waits until it is routable (see <see cref="ReadyAsync"/>).</summary>
    public async ValueTask<ClientConnection> OpenAsync(AuthenticatedUser user, string transport, string? remoteAddress)
    {
        var connection = Open(user, transport, remoteAddress);
        await ReadyAsync(connection);
        return connection;
    }

    public ParleyOptions Options => _options;
    public SessionRegistry Sessions => _registry;

    /// <summary>Validates a JWT and runs the login hook.</summary>
    public async ValueTask<AuthOutcome> AuthenticateAsync(string? token, string transport, string? remoteAddress, CancellationToken ct)
    {
        var (user, failure) = await _tokens.ValidateAsync(token, ct);
        return user is null ? Refused(failure) : await VerifyLoginAsync(user, transport, remoteAddress, ct);
    }

    /// <summary>
    /// Validates a user or a client token (transports that serve client kinds) and runs the login hooks: for a token
    /// naming a user <see cref="ParleyHooks.VerifyLoginAsync"/>, for a client token
    /// <see cref="ParleyHooks.VerifyClientLoginAsync"/>.
    /// </summary>
    public async ValueTask<AuthOutcome> AuthenticateAnyAsync(string? token, string transport, string? remoteAddress, CancellationToken ct)
    {
        var (user, client, failure) = await _tokens.ValidateAnyAsync(token, ct);
        if (client is null)
        {
            return user is null ? Refused(failure) : await VerifyLoginAsync(user, transport, remoteAddress, ct);
        }
        if (client.User is { } named)
        {
            var asUser = await VerifyLoginAsync(named, transport, remoteAddress, ct);
            if (!asUser.Succeeded) return asUser;
        }
        var decision = await _hooks.VerifyClientLoginAsync(
            new ClientLoginContext(client.Identity.Kind, client.Identity.Id, client.User?.Account, transport, remoteAddress), ct);
        return decision.Allowed
            ? new AuthOutcome(client.User, DisconnectCode.Normal, null) { Client = client }
            : new AuthOutcome(null, DisconnectCode.LoginRefused, decision.Reason ?? "login refused");
    }

    private static AuthOutcome Refused(TokenFailure failure)
    {
        var code = failure switch
        {
            TokenFailure.Revoked => DisconnectCode.LoggedOut,
            TokenFailure.AccountDisabled => DisconnectCode.AccountDisabled,
            _ => DisconnectCode.Unauthorized,
        };
        return new AuthOutcome(null, code, failure == TokenFailure.Missing ? "token required" : code.ToReason());
    }

    /// <summary>
    /// For protocols whose clients log in with an account and a secret (STOMP passcode, MobileIMSDK token):
    /// the secret may be a Parley JWT of that account or the account's password.
    /// </summary>
    public async ValueTask<AuthOutcome> AuthenticateCredentialAsync(string? account, string? secret, string transport, string? remoteAddress, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(secret)) return new AuthOutcome(null, DisconnectCode.Unauthorized, "credentials required");
        if (secret.Count(c => c == '.') == 2 && secret.Length > 40)
        {
            var byToken = await AuthenticateAsync(secret, transport, remoteAddress, ct);
            if (byToken.Succeeded && (account is null || string.Equals(byToken.User!.Account.Name, account, StringComparison.OrdinalIgnoreCase)))
                return byToken;
            if (account is null) return byToken;
        }
        var verified = await _accountService.VerifyPasswordAsync(account, secret, ct);
        if (verified is null) return new AuthOutcome(null, DisconnectCode.Unauthorized, "invalid account or password");
        if (verified.Disabled) return new AuthOutcome(null, DisconnectCode.AccountDisabled, DisconnectCode.AccountDisabled.ToReason());
        var user = new AuthenticatedUser(verified, "pwd-" + Guid.CreateVersion7().ToString("N"), DateTimeOffset.MaxValue);
        return await VerifyLoginAsync(user, transport, remoteAddress, ct);
    }

    private async ValueTask<AuthOutcome> VerifyLoginAsync(AuthenticatedUser user, string transport, string? remoteAddress, CancellationToken ct)
    {
        var decision = await _hooks.VerifyLoginAsync(new LoginContext(user.Account, transport, remoteAddress), ct);
        return decision.Allowed
            ? new AuthOutcome(user, DisconnectCode.Normal, null)
            : new AuthOutcome(null, DisconnectCode.LoginRefused, decision.Reason ?? "login refused");
    }

    /// <summary>Registers an authenticated connection; presence and hooks follow.</summary>
    public ClientConnection Open(AuthenticatedUser user, string transport, string? remoteAddress)
    {
        var connection = new ClientConnection(_registry.NextConnectionId(), user.Account.Id, user.Account.Name, user.TokenId, transport,
            remoteAddress, _userLimits);
        var first = _registry.Add(connection);
        // Closes the race with a logout that landed between validation and registration.
        if (_tokens.IsRevoked(user.TokenId)) connection.Close(DisconnectCode.LoggedOut);
        _metrics.Connects.Add(1, new KeyValuePair<string, object?>("transport", transport));
        CoreLog.Connected(_logger, user.Account.Name, user.Account.Id, transport, connection.Id);
        _hooks.Online(connection, first);
        return connection;
    }

    /// <summary>
    /// As <see cref="OpenClient"/>, with the kind's duplicate rule applied across the cluster (a connection of the
    /// identity on another node is replaced, or this one refused).
    /// </summary>
    public async ValueTask<ClientConnection?> OpenClientAsync(AuthenticatedClient client, string transport, string? remoteAddress, CancellationToken ct = default)
    {
        if (!await _clusterClients.MayOpenAsync(client.Identity, client.Kind.OnDuplicate, ct))
        {
            CoreLog.DuplicateClientRefused(_logger, client.Identity.Kind, client.Identity.Id);
            return null;
        }
        var connection = OpenClient(client, transport, remoteAddress);
        if (connection is not null) _clusterClients.Opened(client.Identity);
        return connection;
    }

    /// <summary>
    /// Registers a client connection (a kind and an id, perhaps with a user). Null when the identity is already
    /// connected and its kind refuses duplicates; otherwise an older connection of the identity is closed (4012).
    /// </summary>
    public ClientConnection? OpenClient(AuthenticatedClient client, string transport, string? remoteAddress)
    {
        var user = client.User?.Account;
        var connection = new ClientConnection(_registry.NextConnectionId(), user?.Id ?? 0, user?.Name ?? "", client.TokenId, transport,
            remoteAddress, client.Kind.Limits, client.Identity);
        if (!_registry.TryAddClient(connection, client.Kind.OnDuplicate == DuplicateClientPolicy.ReplaceOld, out var replaced))
        {
            CoreLog.DuplicateClientRefused(_logger, client.Identity.Kind, client.Identity.Id);
            return null;
        }
        if (replaced is not null)
        {
            replaced.Close(DisconnectCode.Replaced);
            CoreLog.ClientReplaced(_logger, client.Identity.Kind, client.Identity.Id, replaced.Id, connection.Id);
        }
        var first = user is not null && _registry.Add(connection);
        if (_tokens.IsRevoked(client.TokenId)) connection.Close(DisconnectCode.LoggedOut);
        _metrics.Connects.Add(1, new KeyValuePair<string, object?>("transport", transport));
        CoreLog.ClientConnected(_logger, client.Identity.Kind, client.Identity.Id, user?.Name ?? "", transport, connection.Id);
        _hooks.Online(connection, first);
        return connection;
    }

    /// <summary>The transport's connection ended (for any reason); unregisters it.</summary>
    public void Closed(ClientConnection connection)
    {
        connection.Close(DisconnectCode.Normal);
        var removed = _registry.RemoveClient(connection);
        var last = false;
        if (connection.Client is null || connection.HasUser)
        {
            last = _registry.Remove(connection, out var removedUser);
            removed |= removedUser;
        }
        if (!removed) return;
        var code = connection.CloseCode ?? DisconnectCode.Normal;
        _metrics.Disconnects.Add(1, new KeyValuePair<string, object?>("reason", code.ToReason()));
        CoreLog.Disconnected(_logger, connection.Id, connection.DisplayName, code.ToReason());
        _hooks.Offline(connection, code, last);
    }

    /// <summary>Admits one inbound frame (liveness + rate limit), counting it.</summary>
    public FrameAdmission Admit(ClientConnection connection)
    {
        _metrics.FramesIn.Add(1);
        var admission = connection.Admit();
        if (admission != FrameAdmission.Accepted) _metrics.FramesRateLimited.Add(1);
        if (admission == FrameAdmission.Flooding) CoreLog.ForcedClose(_logger, connection.Id, connection.DisplayName, DisconnectCode.Flooding);
        return admission;
    }

    /// <summary>
    /// First half of <see cref="Admit"/>: counts the frame and takes a rate token if one is left. When none is, the
    /// transport may still accept a frame that answers a pending server call (bounded by the server's own calls), or
    /// else call <see cref="Reject"/>.
    /// </summary>
    public bool TryAdmit(ClientConnection connection)
    {
        _metrics.FramesIn.Add(1);
        return connection.TryAdmit();
    }

    /// <summary>Second half of <see cref="Admit"/> for a frame that found no rate token.</summary>
    public FrameAdmission Reject(ClientConnection connection)
    {
        _metrics.FramesRateLimited.Add(1);
        var admission = connection.Reject();
        if (admission == FrameAdmission.Flooding) CoreLog.ForcedClose(_logger, connection.Id, connection.DisplayName, DisconnectCode.Flooding);
        return admission;
    }

    /// <summary>
    /// Refusal for chat commands (send, receipts, typing, sync, history, online) on a client connection whose token
    /// names no user; null when the connection may chat.
    /// </summary>
    public static ErrorEvent? ChatRefusal(ClientConnection connection, string? requestId) => connection.HasUser
        ? null
        : new ErrorEvent(requestId, ErrorCodes.Forbidden, "this client connection has no user: chat commands need a token that names one");

    /// <summary>Closes the connection of a client identity (kick); returns how many (0 or 1).</summary>
    public int CloseClient(ClientIdentity client, DisconnectCode code, string? onlyTokenId = null)
    {
        var connection = _registry.GetClient(client);
        if (connection is null || connection.IsClosed || onlyTokenId is not null && connection.TokenId != onlyTokenId) return 0;
        connection.Close(code);
        CoreLog.ForcedClose(_logger, connection.Id, connection.DisplayName, code);
        return 1;
    }

    /// <summary>Closes every connection of a user on every node; returns how many.</summary>
    public int CloseUser(long userId, DisconnectCode code) => _control.CloseUser(userId, code);

    /// <summary>Closes the user's connections opened with one token (logout of one session), on every node.</summary>
    public int CloseToken(long userId, string tokenId, DisconnectCode code) => _control.CloseToken(userId, tokenId, code);
}
