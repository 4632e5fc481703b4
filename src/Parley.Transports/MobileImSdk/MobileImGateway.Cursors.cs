using System.Collections.Concurrent;
using Parley.Abstractions.Events;
using Parley.Abstractions.Hooks;
using Parley.Abstractions.Model;
using Parley.Protocol.MobileImSdk;

namespace Parley.Transports.MobileImSdk;

public sealed partial class MobileImGateway
{
    private readonly ConcurrentDictionary<long, CursorTracker> _cursors = new();
    private readonly CursorFlush _cursorFlush;

    private void ResetCursor(long userId) => _cursors[userId] = new CursorTracker();

    /// <summary>Queues the delivered cursor's move for an acknowledged chat message, then fires the "received" hook.</summary>
    private void Acknowledged(string user, PendingS2C pending)
    {
        if (pending.Message is { } message && _cursors.TryGetValue(pending.UserId, out var tracker) && tracker.Acked(message) is var target and > 0)
            _cursorFlush.Add(pending.UserId, user, message.ConversationId, target);
        Observe(_hooks.OnMobileImS2CReceivedAsync(ToHookPacket(user, pending)), nameof(ParleyHooks.OnMobileImS2CReceivedAsync));
    }

    private async Task MoveCursorAsync(long userId, string userName, string conversationId, long seq)
    {
        try { await _engine.MoveCursorAsync(userId, userName, conversationId, seq, ReceiptKind.Delivered, 0, CancellationToken.None); }
        catch (Exception ex) { Log.PacketFailed(_logger, ex, ProtocalType.Received, "cursor", userName); }
    }

    /// <summary>
    /// A MobileIMSDK receiver ACKs every message, where a native one acknowledges cumulatively. Moving the cursor
    /// per ACK cost a store write and a receipt per message; here the targets gather for a short delay and each
    /// (receiver, conversation) moves once, to the highest target.
    /// </summary>
    private sealed class CursorFlush(MobileImGateway gateway, int delayMs)
    {
        private readonly Lock _gate = new();
        private Dictionary<(long User, string Conversation), (string UserName, long Seq)> _due = new();
        private bool _scheduled;
        // Every move issued so far: a replay must not start while a move made elsewhere (the replaced session's
        // detach) is still being written.
        private Task _moving = Task.CompletedTask;

        public void Add(long userId, string userName, string conversationId, long seq)
        {
            if (delayMs <= 0)
            {
                _ = gateway.MoveCursorAsync(userId, userName, conversationId, seq);
                return;
            }
            bool schedule;
            lock (_gate)
            {
                var key = (userId, conversationId);
                if (!_due.TryGetValue(key, out var due) || due.Seq < seq) _due[key] = (userName, seq);
                schedule = !_scheduled;
                _scheduled = true;
            }
            if (schedule) _ = FlushLaterAsync();
        }

        /// <summary>Moves one user's gathered cursors now (before a replay from them, or when the user leaves).</summary>
        public Task FlushUserAsync(long userId)
        {
            lock (_gate)
            {
                List<Task>? moves = null;
                foreach (var (key, due) in _due)
                {
                    if (key.User != userId) continue;
                    (moves ??= []).Add(gateway.MoveCursorAsync(key.User, due.UserName, key.Conversation, due.Seq));
                    _due.Remove(key);
                }
                if (moves is not null) Track(moves);
                return _moving;
            }
        }

        /// <summary>Moves every gathered cursor now.</summary>
        public Task FlushAllAsync()
        {
            lock (_gate)
            {
                if (_due.Count == 0) return _moving;
                // Issued under the gate (each only queues its write), so a user's flush never misses one in flight.
                var moves = new List<Task>(_due.Count + 1);
                foreach (var (key, due) in _due) moves.Add(gateway.MoveCursorAsync(key.User, due.UserName, key.Conversation, due.Seq));
                _due = new();
                return Track(moves);
            }
        }

        private Task Track(List<Task> moves)
        {
            if (!_moving.IsCompleted) moves.Add(_moving);
            return _moving = Task.WhenAll(moves);
        }

        private async Task FlushLaterAsync()
        {
            await Task.Delay(delayMs).ConfigureAwait(false);
            lock (_gate) _scheduled = false;
            await FlushAllAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Per user and conversation: the delivered cursor moves to the highest acknowledged seq below which nothing is
    /// still waiting, so a lost message stays undelivered and is replayed at the next login.
    /// </summary>
    internal sealed class CursorTracker
    {
        // Outstanding seqs in ascending order: messages go out and come back acknowledged mostly in order, so a sorted
        // list adds at its end and removes near its start, without the tree nodes a SortedSet allocates per message.
        private readonly Dictionary<string, (List<long> Outstanding, long MaxAcked, long Moved)> _byConversation = new(StringComparer.Ordinal);

        public void Sent(ChatMessage message)
        {
            lock (_byConversation)
            {
                if (!_byConversation.TryGetValue(message.ConversationId, out var state)) state = ([], 0, 0);
                var outstanding = state.Outstanding;
                if (outstanding.Count == 0 || outstanding[^1] < message.Seq) outstanding.Add(message.Seq);
                else if (outstanding.BinarySearch(message.Seq) is var at and < 0) outstanding.Insert(~at, message.Seq);
                _byConversation[message.ConversationId] = state;
            }
        }

        /// <summary>The seq to move the cursor to, or 0 when it does not move.</summary>
        public long Acked(ChatMessage message)
        {
            lock (_byConversation)
            {
                if (!_byConversation.TryGetValue(message.ConversationId, out var state)) return 0;
                var outstanding = state.Outstanding;
                if (outstanding.Count > 0 && outstanding[0] == message.Seq) outstanding.RemoveAt(0);
                else if (outstanding.BinarySearch(message.Seq) is var at and >= 0) outstanding.RemoveAt(at);
                var maxAcked = Math.Max(state.MaxAcked, message.Seq);
                var target = outstanding.Count == 0 ? maxAcked : Math.Min(maxAcked, outstanding[0] - 1);
                var moved = Math.Max(state.Moved, target);
                _byConversation[message.ConversationId] = (outstanding, maxAcked, moved);
                return target > state.Moved ? target : 0;
            }
        }
    }
}
