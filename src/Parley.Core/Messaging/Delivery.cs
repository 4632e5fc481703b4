using System.Text.Json;
using Microsoft.Extensions.Logging;
using Parley.Abstractions.Cluster;
using Parley.Abstractions.Events;
using Parley.Abstractions.Hooks;
using Parley.Abstractions.Model;
using Parley.Abstractions.Stores;
using Parley.Core.Cluster;
using Parley.Core.Diagnostics;
using Parley.Core.Services;
using Parley.Core.Sessions;

namespace Parley.Core.Messaging;

/// <summary>
/// Hands committed messages to every live connection of every participant (the sender's other devices included,
/// the originating connection excluded: it gets the ack). One event object per message, so each wire format
/// encodes it once however many connections receive it.
/// </summary>
/// <remarks>
/// In a cluster the message is also serialised once and published: to the nodes of the sender and the recipient
/// (direct) or to every node (group). Each node, this one included, hands messages to its own sessions through a
/// <see cref="ConversationOrderer"/>, so every session sees each seq once and in order even when several nodes
/// commit to one conversation at the same time. A single node skips all of that.
/// </remarks>
public sealed class Delivery : IDisposable
{
    internal const string MessageChannel = "msg";
    internal const string NoticeChannel = "notice";
    // Up to this many users a notice goes to each user's nodes; beyond, once to every node.
    private const int PerUserNoticeLimit = 8;

    private readonly SessionRegistry _registry;
    private readonly GroupDirectory _groups;
    private readonly HookRunner _hooks;
    private readonly ParleyMetrics _metrics;
    private readonly ClusterBus _bus;
    private readonly IPresence _presence;
    private readonly ILogger _logger;
    private readonly bool _clustered;
    private readonly ConversationOrderer? _orderer;
    private readonly TimeProvider _time;
    private readonly long _keepMs;
    // What this node published lately (all of it while the bus is down): republished when the bus comes back, as
    // a publish may have gone nowhere, and other nodes' orderers drop what they already had.
    private readonly Queue<Published> _recent = new();
    private const int RecentCapacity = 100_000;

    public Delivery(SessionRegistry registry, GroupDirectory groups, HookRunner hooks, ParleyMetrics metrics, ClusterBus bus, IPresence presence,
        IMessageStore store, ClusterOptions options, TimeProvider time, ILogger<Delivery> logger)
    {
        _registry = registry;
        _groups = groups;
        _hooks = hooks;
        _metrics = metrics;
        _bus = bus;
        _presence = presence;
        _logger = logger;
        _clustered = bus.IsClustered;
        _time = time;
        _keepMs = Math.Max(10_000, options.CatchUpSlackMs * 2L);
        if (!_clustered) return;
        _orderer = new ConversationOrderer(store, TargetsOfAsync, DeliverLocal, TimeSpan.FromMilliseconds(options.ReorderWaitMs), time, logger);
        bus.Register(MessageChannel, OnRemoteMessage);
        bus.Register(NoticeChannel, OnRemoteNotice);
    }

    internal ConversationOrderer? Orderer => _orderer;

    public async ValueTask PublishAsync(ChatMessage message, long originConnectionId)
    {
        if (_orderer is null)
        {
            await PublishLocalAsync(message, originConnectionId);
            return;
        }
        var targets = await TargetsOfAsync(message);
        if (targets is null) return;
        var payload = JsonSerializer.SerializeToUtf8Bytes(message, BusJson.Default.ChatMessage);
        var published = new Published(_time.GetUtcNow().ToUnixTimeMilliseconds(), message.GroupId is not null ? null : targets, payload);
        Publish(published);
        Remember(published);
        _orderer.Submit(message, targets, originConnectionId);
        // Offline means offline everywhere; the node that committed the message is the one that says so.
        foreach (var user in targets)
        {
            if (user != message.SenderId && !_presence.IsOnline(user)) _hooks.DeliveryFailed(message, user, DeliveryFailure.Offline);
        }
    }

    private void Publish(Published p)
    {
        if (p.Users is null) _bus.PublishToAll(MessageChannel, p.Payload);
        else _bus.PublishToUsers(MessageChannel, p.Users, p.Payload);
    }

    private void Remember(Published published)
    {
        lock (_recent)
        {
            _recent.Enqueue(published);
            var connected = _bus.IsConnected;
            while (_recent.Count > RecentCapacity || (connected && _recent.Peek().AtMs < published.AtMs - _keepMs)) _recent.Dequeue();
        }
    }

    /// <summary>Publishes again what this node committed since <paramref name="sinceMs"/> (after its bus came back).</summary>
    internal int RepublishSince(long sinceMs)
    {
        Published[] again;
        lock (_recent) again = _recent.Where(p => p.AtMs >= sinceMs).ToArray();
        foreach (var p in again) Publish(p);
        return again.Length;
    }

    private sealed record Published(long AtMs, long[]? Users, byte[] Payload);

    /// <summary>
    /// Fans out a message stored earlier (a resend answered as a duplicate) once more, without the hooks: in a cluster
    /// the node that stored it may have died before publishing it. Nodes that handed it out already drop it.
    /// </summary>
    internal async Task RepublishAsync(ChatMessage message, long originConnectionId)
    {
        if (_orderer is null) return;
        try
        {
            var targets = await TargetsOfAsync(message);
            if (targets is null) return;
            var payload = JsonSerializer.SerializeToUtf8Bytes(message, BusJson.Default.ChatMessage);
            Publish(new Published(_time.GetUtcNow().ToUnixTimeMilliseconds(), message.GroupId is not null ? null : targets, payload));
            _orderer.Submit(message, targets, originConnectionId);
        }
        catch (Exception ex)
        {
            CoreLog.FanOutFailed(_logger, ex, message.Id);
        }
    }

    // The single-node path, exactly as before the cluster existed: no orderer, no serialisation.
    private async ValueTask PublishLocalAsync(ChatMessage message, long originConnectionId)
    {
        var ev = new MessageEvent(message);
        long handed = 0;
        if (message.GroupId is { } groupId)
        {
            var group = await _groups.GetAsync(groupId);
            if (group is null) return;
            foreach (var member in group.MemberIds) handed += DeliverTo(member, message, ev, originConnectionId, reportOffline: true);
        }
        else
        {
            handed += DeliverTo(message.SenderId, message, ev, originConnectionId, reportOffline: true);
            if (message.RecipientId is { } recipient) handed += DeliverTo(recipient, message, ev, originConnectionId, reportOffline: true);
        }
        _metrics.MessagesOut.Add(handed);
    }

    private async ValueTask<long[]?> TargetsOfAsync(ChatMessage message)
    {
        if (message.GroupId is { } groupId)
        {
            var group = await _groups.GetAsync(groupId);
            return group?.MemberIds;
        }
        return message.RecipientId is { } recipient && recipient != message.SenderId ? [message.SenderId, recipient] : [message.SenderId];
    }

    private void DeliverLocal(ChatMessage message, long[] targets, long originConnectionId)
    {
        var ev = new MessageEvent(message);
        long handed = 0;
        foreach (var user in targets) handed += DeliverTo(user, message, ev, originConnectionId, reportOffline: false);
        _metrics.MessagesOut.Add(handed);
    }

    private int DeliverTo(long userId, ChatMessage message, MessageEvent ev, long originConnectionId, bool reportOffline)
    {
        var connections = _registry.Get(userId);
        var isSender = userId == message.SenderId;
        if (connections.Length == 0)
        {
            if (!isSender && reportOffline) _hooks.DeliveryFailed(message, userId, DeliveryFailure.Offline);
            return 0;
        }
        var handed = 0;
        foreach (var connection in connections)
        {
            if (connection.Id == originConnectionId) continue;
            if (connection.TryEnqueueLive(ev)) handed++;
            else if (!isSender) _hooks.DeliveryFailed(message, userId, DeliveryFailure.SlowConsumer);
        }
        if (!isSender && handed > 0) _hooks.Delivered(message, userId, handed);
        return handed;
    }

    private void OnRemoteMessage(ReadOnlyMemory<byte> payload)
    {
        var message = JsonSerializer.Deserialize(payload.Span, BusJson.Default.ChatMessage);
        if (message is not null) _ = SubmitRemoteAsync(message);
    }

    private async Task SubmitRemoteAsync(ChatMessage message)
    {
        try
        {
            var targets = await TargetsOfAsync(message);
            if (targets is not null) _orderer!.Submit(message, targets, 0);
        }
        catch (Exception ex)
        {
            CoreLog.FanOutFailed(_logger, ex, message.Id);
        }
    }

    /// <summary>
    /// Feeds messages this node may have missed (read back from the store) through the orderer: sessions get the
    /// ones they have not been handed yet, in order. For resynchronising after a bus outage.
    /// </summary>
    internal async Task ReplayAsync(IReadOnlyList<ChatMessage> messages)
    {
        if (_orderer is null) return;
        foreach (var message in messages)
        {
            var targets = await TargetsOfAsync(message);
            if (targets is not null) _orderer.Submit(message, targets, 0);
        }
    }

    /// <summary>Queues a notice (receipt, typing, removal, social notice) on the live connections of the given users, on every node.</summary>
    public void Notify(IEnumerable<long> userIds, ServerEvent ev, long exceptConnectionId = 0)
    {
        if (!_clustered)
        {
            NotifyLocal(userIds, ev, exceptConnectionId);
            return;
        }
        var users = userIds as IReadOnlyCollection<long> ?? userIds.ToList();
        NotifyLocal(users, ev, exceptConnectionId);
        if (ToNote(ev, users, exceptConnectionId) is not { } note) return;
        if (users.Count <= PerUserNoticeLimit)
        {
            // One copy per user, naming only that user, so a node holding two of them does not deliver twice.
            foreach (var user in users)
                _bus.PublishToUser(NoticeChannel, user, JsonSerializer.SerializeToUtf8Bytes(note with { Users = [user] }, BusJson.Default.NoticeNote));
        }
        else
        {
            _bus.PublishToAll(NoticeChannel, JsonSerializer.SerializeToUtf8Bytes(note, BusJson.Default.NoticeNote));
        }
    }

    /// <summary>Queues a transient event on this node's connections of the given users only.</summary>
    public void NotifyLocal(IEnumerable<long> userIds, ServerEvent ev, long exceptConnectionId = 0)
    {
        foreach (var user in userIds)
        {
            foreach (var connection in _registry.Get(user))
            {
                if (connection.Id != exceptConnectionId) connection.TryEnqueueLive(ev);
            }
        }
    }

    private NoticeNote? ToNote(ServerEvent ev, IReadOnlyCollection<long> users, long exceptConnectionId) => ev switch
    {
        ReceiptEvent r => new NoticeNote([.. users], _bus.NodeId, exceptConnectionId, "receipt", r.ConversationId, r.Seq, r.UserId, r.UserName, (int)r.Kind),
        TypingEvent t => new NoticeNote([.. users], _bus.NodeId, exceptConnectionId, "typing", t.ConversationId, 0, t.UserId, t.UserName, 0),
        MessageRemovedEvent r => new NoticeNote([.. users], _bus.NodeId, exceptConnectionId, "removed", r.Tombstone.ConversationId, r.Tombstone.Seq,
            r.RemovedBy, r.RemovedByName, 0, r.Tombstone),
        NoticeEvent n => new NoticeNote([.. users], _bus.NodeId, exceptConnectionId, "notice", "", 0, n.UserId, n.UserName, 0, null, n.Kind,
            n.RequestId, n.GroupId, n.GroupName),
        _ => null,
    };

    private void OnRemoteNotice(ReadOnlyMemory<byte> payload)
    {
        var note = JsonSerializer.Deserialize(payload.Span, BusJson.Default.NoticeNote);
        if (note is null) return;
        ServerEvent? ev = note.Type switch
        {
            "receipt" => new ReceiptEvent(note.Conversation, note.Seq, note.UserId, note.UserName, (ReceiptKind)note.Kind),
            "typing" => new TypingEvent(note.Conversation, note.UserId, note.UserName),
            "removed" when note.Tombstone is { } tombstone => new MessageRemovedEvent(tombstone, note.UserId, note.UserName),
            "notice" when note.NoticeKind is { } kind => new NoticeEvent(kind, note.UserId, note.UserName, note.RequestId, note.GroupId, note.GroupName),
            _ => null,
        };
        if (ev is null) return;
        var except = note.ExceptNode == _bus.NodeId ? note.ExceptConnection : 0;
        NotifyLocal(note.Users, ev, except);
    }

    public void Dispose() => _orderer?.Dispose();
}
