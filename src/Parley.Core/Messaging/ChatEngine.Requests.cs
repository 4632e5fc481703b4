using Parley.Core.Sessions;
using Parley.Abstractions;
using Parley.Abstractions.Events;
using Parley.Abstractions.Model;

namespace Parley.Core.Messaging;

/// <summary>A page of history.</summary>
public sealed record HistoryPage(IReadOnlyList<ChatMessage> Messages, bool HasMore);

/// <summary>An online user, as listed to clients.</summary>
public sealed record OnlineUser(long Id, string Name);

public sealed partial class ChatEngine
{
    /// <summary>Delivery receipt: the user has everything up to <paramref name="seq"/>.</summary>
    public ValueTask<ErrorEvent?> AcknowledgeAsync(ClientConnection connection, string? conversation, long seq, CancellationToken ct) =>
        MoveCursorAsync(connection.UserId, connection.UserName, conversation, seq, ReceiptKind.Delivered, connection.Id, ct);

    /// <summary>Read receipt.</summary>
    public ValueTask<ErrorEvent?> MarkReadAsync(ClientConnection connection, string? conversation, long seq, CancellationToken ct) =>
        MoveCursorAsync(connection.UserId, connection.UserName, conversation, seq, ReceiptKind.Read, connection.Id, ct);

    /// <summary>Moves a cursor and tells the other participants (and the user's other devices).</summary>
    public async ValueTask<ErrorEvent?> MoveCursorAsync(long userId, string userName, string? conversation, long seq, ReceiptKind kind,
        long originConnectionId, CancellationToken ct)
    {
        if (seq < 0) return new ErrorEvent(null, ErrorCodes.InvalidField, "seq must not be negative");
        var access = await _access.CheckReadAsync(userId, conversation, ct);
        if (!access.Ok) return new ErrorEvent(null, access.ErrorCode, access.Error!);
        var (id, participants) = access.Value;
        var reached = kind == ReceiptKind.Read
            ? await _messages.MarkReadAsync(id.Value, userId, seq, ct)
            : await _messages.MarkDeliveredAsync(id.Value, userId, seq, ct);
        // Delivered receipts in groups would be one frame per member per message for everyone; only read ones go out.
        if (reached > 0 && (kind == ReceiptKind.Read || !id.IsGroup))
            _delivery.Notify(participants, new ReceiptEvent(id.Value, reached, userId, userName, kind), originConnectionId);
        return null;
    }

    /// <summary>Forwards a typing notice to the other participants' live connections; nothing is stored.</summary>
    public async ValueTask<ErrorEvent?> TypingAsync(ClientConnection connection, MessageTarget target, CancellationToken ct)
    {
        var sender = await _accounts.GetAsync(connection.UserId, ct);
        if (sender is null) return new ErrorEvent(null, ErrorCodes.Forbidden, "account unavailable");
        var resolved = await _access.ResolveForSendAsync(sender, target, ct);
        if (!resolved.Ok) return new ErrorEvent(null, resolved.ErrorCode, resolved.Error!);
        var to = resolved.Value!;
        var ev = new TypingEvent(to.Conversation.Value, sender.Id, sender.Name);
        IEnumerable<long> recipients = to.Group is { } g ? g.MemberIds.Where(m => m != sender.Id) : [to.Recipient!.Id];
        _delivery.Notify(recipients, ev);
        return null;
    }

    /// <summary>
    /// Queues every message after the given cursors (or, for conversations not named, after the user's delivered
    /// cursor), oldest first per conversation, then a <see cref="SyncedEvent"/>.
    /// </summary>
    public async Task SyncAsync(ClientConnection connection, string? requestId, IReadOnlyDictionary<string, long>? cursors, int? limit, CancellationToken ct)
    {
        var remaining = Math.Clamp(limit ?? _options.Messaging.SyncDefaultLimit, 1, _options.Messaging.SyncMaxLimit);
        var more = false;
        var reached = new Dictionary<string, long>(StringComparer.Ordinal);
        var states = await _messages.GetCursorsAsync(connection.UserId, ct);
        foreach (var state in states.OrderBy(s => s.ConversationId, StringComparer.Ordinal))
        {
            var from = cursors is not null && cursors.TryGetValue(state.ConversationId, out var c) ? Math.Max(0, c) : state.DeliveredSeq;
            reached[state.ConversationId] = Math.Min(from, state.LastSeq);
            if (state.LastSeq <= from) continue;
            if (remaining == 0)
            {
                more = true;
                continue;
            }
            var page = await _messages.GetMessagesAsync(state.ConversationId, from, 0, remaining, newestFirst: false, ct);
            foreach (var message in page)
            {
                if (!connection.EnqueueReply(new MessageEvent(message))) return;
                reached[state.ConversationId] = message.Seq;
            }
            remaining -= page.Count;
            if (reached[state.ConversationId] < state.LastSeq) more = true;
        }
        connection.EnqueueReply(new SyncedEvent(requestId, more, reached));
    }

    /// <summary>A page of history: with <paramref name="after"/> the oldest after it, else the newest before <paramref name="before"/>; oldest first.</summary>
    public async ValueTask<Access<HistoryPage>> HistoryAsync(long userId, string? conversation, long? before, long? after, int? limit, CancellationToken ct)
    {
        var access = await _access.CheckReadAsync(userId, conversation, ct);
        if (!access.Ok) return Access<HistoryPage>.Deny(access.ErrorCode, access.Error!);
        var take = Math.Clamp(limit ?? _options.Messaging.HistoryDefaultLimit, 1, _options.Messaging.HistoryMaxLimit);
        var id = access.Value.Id.Value;
        if (after is { } a)
        {
            var page = await _messages.GetMessagesAsync(id, Math.Max(0, a), before ?? 0, take + 1, newestFirst: false, ct);
            return Access<HistoryPage>.Allow(new HistoryPage(page.Take(take).ToList(), page.Count > take));
        }
        var newest = await _messages.GetMessagesAsync(id, 0, before ?? 0, take + 1, newestFirst: true, ct);
        var list = newest.Take(take).Reverse().ToList();
        return Access<HistoryPage>.Allow(new HistoryPage(list, newest.Count > take));
    }

    /// <summary>Members of a group who are online now (the group's "live view").</summary>
    public async ValueTask<Access<IReadOnlyList<OnlineUser>>> OnlineMembersAsync(long userId, long groupId, CancellationToken ct)
    {
        var group = await _groups.GetAsync(groupId, ct);
        if (group is null || group.Group.Dissolved) return Access<IReadOnlyList<OnlineUser>>.Deny(ErrorCodes.NotFound, "no such group");
        if (!group.IsMember(userId)) return Access<IReadOnlyList<OnlineUser>>.Deny(ErrorCodes.Forbidden, "not a member of this group");
        var online = group.MemberIds.Where(_clusterPresence.IsOnline).ToList();
        var accounts = await _accounts.GetManyAsync(online, ct);
        return Access<IReadOnlyList<OnlineUser>>.Allow(accounts.OrderBy(a => a.Id).Select(a => new OnlineUser(a.Id, a.Name)).ToList());
    }
}
