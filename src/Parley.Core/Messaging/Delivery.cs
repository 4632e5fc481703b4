using Parley.Abstractions.Events;
using Parley.Abstractions.Hooks;
using Parley.Abstractions.Model;
using Parley.Core.Diagnostics;
using Parley.Core.Services;
using Parley.Core.Sessions;

namespace Parley.Core.Messaging;

/// <summary>
/// Hands committed messages to every live connection of every participant (the sender's other devices included,
/// the originating connection excluded: it gets the ack). One event object per message, so each wire format
/// encodes it once however many connections receive it.
/// </summary>
public sealed class Delivery(SessionRegistry registry, GroupDirectory groups, HookRunner hooks, ParleyMetrics metrics)
{
    public async ValueTask PublishAsync(ChatMessage message, long originConnectionId)
    {
        var ev = new MessageEvent(message);
        long handed = 0;
        if (message.GroupId is { } groupId)
        {
            var group = await groups.GetAsync(groupId);
            if (group is null) return;
            foreach (var member in group.MemberIds) handed += DeliverTo(member, message, ev, originConnectionId);
        }
        else
        {
            handed += DeliverTo(message.SenderId, message, ev, originConnectionId);
            if (message.RecipientId is { } recipient) handed += DeliverTo(recipient, message, ev, originConnectionId);
        }
        metrics.MessagesOut.Add(handed);
    }

    private int DeliverTo(long userId, ChatMessage message, MessageEvent ev, long originConnectionId)
    {
        var connections = registry.Get(userId);
        var isSender = userId == message.SenderId;
        if (connections.Length == 0)
        {
            if (!isSender) hooks.DeliveryFailed(message, userId, DeliveryFailure.Offline);
            return 0;
        }
        var handed = 0;
        foreach (var connection in connections)
        {
            if (connection.Id == originConnectionId) continue;
            if (connection.TryEnqueueLive(ev)) handed++;
            else if (!isSender) hooks.DeliveryFailed(message, userId, DeliveryFailure.SlowConsumer);
        }
        if (!isSender && handed > 0) hooks.Delivered(message, userId, handed);
        return handed;
    }

    /// <summary>Queues a transient event (typing, receipt) on the live connections of the given users.</summary>
    public void Notify(IEnumerable<long> userIds, ServerEvent ev, long exceptConnectionId = 0)
    {
        foreach (var user in userIds)
        {
            foreach (var connection in registry.Get(user))
            {
                if (connection.Id != exceptConnectionId) connection.TryEnqueueLive(ev);
            }
        }
    }
}
