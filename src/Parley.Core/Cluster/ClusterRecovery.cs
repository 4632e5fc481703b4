using Microsoft.Extensions.Logging;
using Parley.Abstractions;
using Parley.Abstractions.Model;
using Parley.Abstractions.Stores;
using Parley.Core.Auth;
using Parley.Core.Messaging;
using Parley.Core.Services;
using Parley.Core.Sessions;

namespace Parley.Core.Cluster;

/// <summary>
/// What a node does when the bus comes back after an outage (everything other nodes published meanwhile is lost for
/// it): forget cached accounts and groups, reload token revocations and close sessions that were logged out or
/// disabled elsewhere, and hand its clients the messages committed elsewhere during the outage, read back from the
/// store through the per-conversation orderer (so nothing is handed twice and order holds). Then, as what it
/// published itself may have gone nowhere, it publishes its recent messages again and asks the other nodes to
/// refresh their caches and sessions the same way.
/// </summary>
public sealed class ClusterRecovery
{
    private const int PageSize = 500;
    private const string RecoveredChannel = "recovered";
    private readonly ClusterBus _bus;

    private readonly SessionRegistry _registry;
    private readonly Delivery _delivery;
    private readonly AccountDirectory _accounts;
    private readonly GroupDirectory _groups;
    private readonly TokenService _tokens;
    private readonly IMessageStore _messages;
    private readonly ClusterOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private long _lostAtMs = -1;
    private Task _running = Task.CompletedTask;

    public ClusterRecovery(ClusterBus bus, SessionRegistry registry, Delivery delivery, AccountDirectory accounts, GroupDirectory groups,
        TokenService tokens, IMessageStore messages, ClusterOptions options, TimeProvider time, ILogger<ClusterRecovery> logger)
    {
        _bus = bus;
        _registry = registry;
        _delivery = delivery;
        _accounts = accounts;
        _groups = groups;
        _tokens = tokens;
        _messages = messages;
        _options = options;
        _time = time;
        _logger = logger;
        if (!bus.IsClustered) return;
        bus.OnConnectionChange(OnConnectionChanged);
        bus.Register(RecoveredChannel, _ =>
        {
            lock (_gate)
            {
                var previous = _running;
                _running = Task.Run(async () =>
                {
                    await previous;
                    await RefreshAsync();
                });
            }
        });
    }

    /// <summary>Completes when the latest resynchronisation finished (tests, diagnostics).</summary>
    public Task Completion
    {
        get { lock (_gate) return _running; }
    }

    private void OnConnectionChanged(bool connected)
    {
        lock (_gate)
        {
            if (!connected)
            {
                if (_lostAtMs < 0) _lostAtMs = _time.GetUtcNow().ToUnixTimeMilliseconds();
                return;
            }
            if (_lostAtMs < 0) return; // first connection, nothing was missed
            var since = _lostAtMs - _options.CatchUpSlackMs;
            _lostAtMs = -1;
            var previous = _running;
            _running = Task.Run(async () =>
            {
                await previous;
                await RecoverAsync(since);
            });
        }
    }

    private async Task RecoverAsync(long sinceMs)
    {
        try
        {
            await RefreshAsync();
            await CatchUpAsync(sinceMs);
            var republished = _delivery.RepublishSince(sinceMs);
            _bus.PublishToAll(RecoveredChannel, []);
            ClusterLog.Republished(_logger, republished);
        }
        catch (Exception ex)
        {
            ClusterLog.CatchUpFailed(_logger, ex);
        }
    }

    // Caches and sessions: what another node may have changed while this one (or that one) was cut off.
    private async Task RefreshAsync()
    {
        try
        {
            _accounts.Clear();
            _groups.Clear();
            await _tokens.LoadRevocationsAsync(CancellationToken.None);
            foreach (var connection in _registry.All())
            {
                if (_tokens.IsRevoked(connection.TokenId))
                {
                    connection.Close(DisconnectCode.LoggedOut);
                    continue;
                }
                var account = await _accounts.GetAsync(connection.UserId);
                if (account is null || account.Disabled) connection.Close(DisconnectCode.AccountDisabled);
            }
        }
        catch (Exception ex)
        {
            ClusterLog.CatchUpFailed(_logger, ex);
        }
    }

    private async Task CatchUpAsync(long sinceMs)
    {
        if (_delivery.Orderer is not { } orderer) return;
        var users = _registry.OnlineUserIds();
        var done = new HashSet<string>(StringComparer.Ordinal);
        var replayed = 0;
        foreach (var user in users)
        {
            foreach (var cursor in await _messages.GetCursorsAsync(user))
            {
                if (cursor.LastSeq == 0 || !done.Add(cursor.ConversationId)) continue;
                var next = orderer.NextOf(cursor.ConversationId);
                IReadOnlyList<ChatMessage> missed;
                if (next > 0)
                {
                    // Seen lately: everything after what this node handed out.
                    if (cursor.LastSeq < next) continue;
                    missed = await _messages.GetMessagesAsync(cursor.ConversationId, next - 1, 0, PageSize, newestFirst: false);
                }
                else
                {
                    // Not seen lately: what was committed since the outage began and this user has not acknowledged.
                    var newest = await _messages.GetMessagesAsync(cursor.ConversationId, cursor.DeliveredSeq, 0, PageSize, newestFirst: true);
                    missed = newest.Where(m => m.Timestamp >= sinceMs).Reverse().ToList();
                }
                await _delivery.ReplayAsync(missed);
                replayed += missed.Count;
            }
        }
        ClusterLog.CaughtUp(_logger, replayed, users.Count);
    }
}
