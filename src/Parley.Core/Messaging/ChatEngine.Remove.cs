using Parley.Abstractions;
using Parley.Abstractions.Events;
using Parley.Abstractions.Model;
using Parley.Core.Diagnostics;

namespace Parley.Core.Messaging;

public sealed partial class ChatEngine
{
    /// <summary>
    /// Removes a message: its sender, or the owner of its group, turns it into a tombstone (same seq, no text or
    /// payload), its file references go (so its attachment is no longer readable through it), and the
    /// conversation's online participants get a <see cref="MessageRemovedEvent"/>. Removing a tombstone again
    /// succeeds without a new event.
    /// </summary>
    public async ValueTask<ErrorEvent?> RemoveMessageAsync(long userId, string userName, string? conversation, long seq, long originConnectionId,
        CancellationToken ct)
    {
        if (seq <= 0) return new ErrorEvent(null, ErrorCodes.InvalidField, "seq must be positive");
        var access = await _access.CheckReadAsync(userId, conversation, ct);
        if (!access.Ok) return new ErrorEvent(null, access.ErrorCode, access.Error!);
        var (id, participants) = access.Value;
        var found = await _messages.GetMessagesAsync(id.Value, seq - 1, seq + 1, 1, newestFirst: false, ct);
        if (found.Count == 0) return new ErrorEvent(null, ErrorCodes.NotFound, "no such message");
        var message = found[0];
        if (message.SenderId != userId && !(id.IsGroup && (await _groups.GetAsync(id.GroupId, ct))?.Group.OwnerId == userId))
            return new ErrorEvent(null, ErrorCodes.Forbidden, "only the sender or the group owner may remove a message");
        if (message.Kind == MessageKinds.Removed) return null;

        var before = await _messages.RemoveAsync(id.Value, seq, ct);
        if (before is null) return null; // removed concurrently: that removal told everyone
        await _media.ForgetAsync(before.Id, CancellationToken.None);
        var tombstone = before with { Kind = MessageKinds.Removed, Text = null, Payload = null };
        CoreLog.MessageRemoved(_logger, id.Value, seq, userName, userId);
        _delivery.Notify(participants, new MessageRemovedEvent(tombstone, userId, userName), originConnectionId);
        return null;
    }
}
