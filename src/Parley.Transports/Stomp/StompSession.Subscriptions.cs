using System.Globalization;
using Parley.Abstractions;
using Parley.Core.Sessions;
using Parley.Protocol.Stomp;

namespace Parley.Transports.Stomp;

public sealed partial class StompSession
{
    private sealed record Subscription(string Id, string Destination, SubscriptionKind Kind, long GroupId);

    // Written by the input side, read by the drain loop: copy-on-write under a lock.
    private readonly Lock _subscriptionsGate = new();
    private Subscription[] _subscriptions = [];

    private Subscription[] Subscriptions => Volatile.Read(ref _subscriptions);

    private async ValueTask SubscribeAsync(ClientConnection connection, StompFrame frame)
    {
        var receipt = frame.GetHeader(StompHeaders.Receipt);
        var destination = frame.GetHeader(StompHeaders.Destination);
        var id = frame.GetHeader(StompHeaders.Id) ?? (Version == "1.0" ? destination : null);
        if (string.IsNullOrEmpty(destination) || string.IsNullOrEmpty(id))
        {
            Fail(DisconnectCode.ProtocolError, "SUBSCRIBE requires destination and id", receipt);
            return;
        }
        var current = Subscriptions;
        if (current.Any(s => s.Id == id))
        {
            Fail(DisconnectCode.ProtocolError, $"subscription id '{id}' is already in use", receipt);
            return;
        }
        if (current.Length >= _server.Options.MaxSubscriptionsPerSession)
        {
            Fail(DisconnectCode.ProtocolError, $"more than {_server.Options.MaxSubscriptionsPerSession} subscriptions", receipt);
            return;
        }
        var (kind, groupId, error) = await ResolveSubscriptionAsync(connection, destination);
        if (kind is null)
        {
            Fail(DisconnectCode.ProtocolError, error!, receipt);
            return;
        }
        lock (_subscriptionsGate) _subscriptions = [.. _subscriptions, new Subscription(id, destination, kind.Value, groupId)];
        if (kind == SubscriptionKind.Free) _server.Topics.Subscribe(destination, this);
        // Only a session that listens for calls is offered them.
        if (kind == SubscriptionKind.Calls) connection.EnableCalls();
        Receipt(connection, frame);
    }

    private async ValueTask<(SubscriptionKind? Kind, long GroupId, string? Error)> ResolveSubscriptionAsync(ClientConnection connection, string destination)
    {
        if (destination.StartsWith("/user/", StringComparison.Ordinal))
        {
            var (kind, error) = StompDestinations.ResolveUser(destination, connection.UserId, connection.UserName);
            return (kind, 0, error);
        }
        if (destination == StompDestinations.Presence) return (SubscriptionKind.Presence, 0, null);
        if (StompDestinations.GroupOf(destination) is { } groupId)
        {
            var access = await _server.Access.CheckReadAsync(connection.UserId, "g:" + groupId.ToString(CultureInfo.InvariantCulture), connection.Closing);
            return access.Ok ? (SubscriptionKind.Group, groupId, null) : (null, 0, access.Error);
        }
        if (StompDestinations.IsFree(destination))
        {
            return await AuthorizeTopicAsync(connection, destination, publish: false)
                ? (SubscriptionKind.Free, 0, null)
                : (null, 0, "not allowed to subscribe to " + destination);
        }
        return (null, 0, "unknown destination " + destination);
    }

    private void Unsubscribe(ClientConnection connection, StompFrame frame)
    {
        var id = frame.GetHeader(StompHeaders.Id) ?? (Version == "1.0" ? frame.GetHeader(StompHeaders.Destination) : null);
        Subscription? removed;
        bool stillSubscribed, stillCallable;
        lock (_subscriptionsGate)
        {
            removed = _subscriptions.FirstOrDefault(s => s.Id == id);
            if (removed is not null) _subscriptions = _subscriptions.Where(s => s != removed).ToArray();
            stillSubscribed = removed is not null && _subscriptions.Any(s => s.Destination == removed.Destination);
            stillCallable = _subscriptions.Any(s => s.Kind == SubscriptionKind.Calls);
        }
        if (removed is { Kind: SubscriptionKind.Free } && !stillSubscribed) _server.Topics.Unsubscribe(removed.Destination, this);
        // A call sent now would reach no subscription and only time out: the caller is told at once that no one
        // listens (or the user's other callable connection gets it). Answers to calls already received still count.
        if (removed is { Kind: SubscriptionKind.Calls } && !stillCallable) connection.DisableCalls();
        Receipt(connection, frame);
    }

    private void RemoveAllSubscriptions()
    {
        Subscription[] all;
        lock (_subscriptionsGate)
        {
            all = _subscriptions;
            _subscriptions = [];
        }
        foreach (var destination in all.Where(s => s.Kind == SubscriptionKind.Free).Select(s => s.Destination).Distinct())
            _server.Topics.Unsubscribe(destination, this);
    }
}
