using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Parley.Abstractions;
using Parley.Abstractions.Hooks;
using Parley.Abstractions.Stores;
using Parley.Core.Auth;
using Parley.Core.Diagnostics;
using Parley.Core.Files;
using Parley.Core.Options;
using Parley.Core.Services;
using Parley.Core.Sessions;

namespace Parley.Core.Messaging;

/// <summary>Outcome of authenticating a connection attempt.</summary>
public sealed record AuthOutcome(AuthenticatedUser? User, DisconnectCode Failure, string? Reason)
{
    public bool Succeeded => User is not null;
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
    private readonly PresenceService _presence;
    private readonly ParleyOptions _options;
    private readonly ConnectionOptionsSnapshot _connectionOptions;
    private readonly ParleyMetrics _metrics;
    private readonly MediaAttachments _media;
    private readonly ILogger _logger;

    public ChatEngine(SessionRegistry registry, MessagePipeline pipeline, Delivery delivery, ConversationAccess access,
        AccountDirectory accounts, GroupDirectory groups, IMessageStore messages, TokenService tokens, AccountService accountService,
        HookRunner hooks, PresenceService presence, ParleyOptions options, ParleyMetrics metrics, MediaAttachments media, ILogger<ChatEngine> logger)
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
        _presence = presence;
        _options = options;
        _metrics = metrics;
        _media = media;
        _logger = logger;
        var c = options.Connections;
        _connectionOptions = new ConnectionOptionsSnapshot(c.OutboundQueueCapacity, c.RatePerSecond, c.RateBurst, c.FloodDropThreshold,
            (long)(c.FloodWindowMs / 1000.0 * Stopwatch.Frequency));
        _pipeline.Committed = _delivery.PublishAsync;
    }

    public ParleyOptions Options => _options;
    public SessionRegistry Sessions => _registry;

    /// <summary>Validates a JWT and runs the login hook.</summary>
    public async ValueTask<AuthOutcome> AuthenticateAsync(string? token, string transport, string? remoteAddress, CancellationToken ct)
    {
        var (user, failure) = await _tokens.ValidateAsync(token, ct);
        if (user is null)
        {
            var code = failure switch
            {
                TokenFailure.Revoked => DisconnectCode.LoggedOut,
                TokenFailure.AccountDisabled => DisconnectCode.AccountDisabled,
                _ => DisconnectCode.Unauthorized,
            };
            return new AuthOutcome(null, code, failure == TokenFailure.Missing ? "token required" : code.ToReason());
        }
        return await VerifyLoginAsync(user, transport, remoteAddress, ct);
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
            remoteAddress, _connectionOptions);
        var first = _registry.Add(connection);
        // Closes the race with a logout that landed between validation and registration.
        if (_tokens.IsRevoked(user.TokenId)) connection.Close(DisconnectCode.LoggedOut);
        _metrics.Connects.Add(1, new KeyValuePair<string, object?>("transport", transport));
        CoreLog.Connected(_logger, user.Account.Name, user.Account.Id, transport, connection.Id);
        _hooks.Online(connection, first);
        if (first) _presence.Announce(connection.UserId, connection.UserName, online: true);
        return connection;
    }

    /// <summary>The transport's connection ended (for any reason); unregisters it.</summary>
    public void Closed(ClientConnection connection)
    {
        connection.Close(DisconnectCode.Normal);
        var last = _registry.Remove(connection, out var removed);
        if (!removed) return;
        var code = connection.CloseCode ?? DisconnectCode.Normal;
        _metrics.Disconnects.Add(1, new KeyValuePair<string, object?>("reason", code.ToReason()));
        CoreLog.Disconnected(_logger, connection.Id, connection.UserName, code.ToReason());
        _hooks.Offline(connection, code, last);
        if (last) _presence.Announce(connection.UserId, connection.UserName, online: false);
    }

    /// <summary>Admits one inbound frame (liveness + rate limit), counting it.</summary>
    public FrameAdmission Admit(ClientConnection connection)
    {
        _metrics.FramesIn.Add(1);
        var admission = connection.Admit();
        if (admission != FrameAdmission.Accepted) _metrics.FramesRateLimited.Add(1);
        if (admission == FrameAdmission.Flooding) CoreLog.ForcedClose(_logger, connection.Id, connection.UserName, DisconnectCode.Flooding);
        return admission;
    }

    /// <summary>Closes every connection of a user; returns how many.</summary>
    public int CloseUser(long userId, DisconnectCode code)
    {
        var connections = _registry.Get(userId);
        foreach (var c in connections) c.Close(code);
        if (connections.Length > 0) CoreLog.Kicked(_logger, connections[0].UserName, userId, connections.Length, code);
        return connections.Length;
    }

    /// <summary>Closes the user's connections opened with one token (logout of one session).</summary>
    public int CloseToken(long userId, string tokenId, DisconnectCode code)
    {
        var closed = 0;
        foreach (var c in _registry.Get(userId))
        {
            if (c.TokenId != tokenId) continue;
            c.Close(code);
            closed++;
        }
        return closed;
    }
}
