using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Parley.Abstractions.Model;
using Parley.Abstractions.Stores;

namespace Parley.Core.Cluster;

/// <summary>
/// Per-conversation delivery order on one node of a cluster. Messages of one conversation reach a node from its own
/// commits and from other nodes' (and a direct message may arrive twice, routed by sender and by recipient); this
/// hands each seq to the local sessions once, in order. A message ahead of a missing seq waits at most
/// <see cref="ClusterOptions.ReorderWaitMs"/>; then the gap is filled from the store (it is durable there before
/// anyone publishes it), and what the store does not have is skipped for clients to sync.
/// </summary>
internal sealed class ConversationOrderer : IDisposable
{
    // A conversation quiet this long is forgotten; its next message starts a fresh sequence on this node.
    private static readonly TimeSpan IdleForget = TimeSpan.FromSeconds(60);
    private const int FillBatch = 500;

    private readonly ConcurrentDictionary<string, State> _states = new(StringComparer.Ordinal);
    private readonly IMessageStore _store;
    private readonly Func<ChatMessage, ValueTask<long[]?>> _targets;
    private readonly Action<ChatMessage, long[], long> _deliver;
    private readonly TimeSpan _wait;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ITimer _sweep;

    /// <param name="targets">The users a message goes to (null: drop it, e.g. a dissolved group).</param>
    /// <param name="deliver">Hands one message to the local sessions of the targets (origin connection excluded); never blocks.</param>
    public ConversationOrderer(IMessageStore store, Func<ChatMessage, ValueTask<long[]?>> targets, Action<ChatMessage, long[], long> deliver,
        TimeSpan wait, TimeProvider time, ILogger logger)
    {
        _store = store;
        _targets = targets;
        _deliver = deliver;
        _wait = wait;
        _time = time;
        _logger = logger;
        _sweep = time.CreateTimer(_ => Sweep(), null, IdleForget / 2, IdleForget / 2);
    }

    /// <summary>The next seq this node expects in the conversation (0: none seen lately).</summary>
    public long NextOf(string conversation) => _states.TryGetValue(conversation, out var s) ? Volatile.Read(ref s.Next) : 0;

    /// <summary>Conversations seen lately.</summary>
    public ICollection<string> Conversations => _states.Keys;

    /// <summary>Delivers the message now if it is next, holds it if it is early, drops it if it was delivered already.</summary>
    public void Submit(ChatMessage message, long[] targets, long originConnectionId)
    {
        var state = _states.GetOrAdd(message.ConversationId, static _ => new State());
        var scheduleFill = false;
        lock (state)
        {
            var now = _time.GetTimestamp();
            state.LastActivity = now;
            if (state.Next == 0)
            {
                // Nothing seen lately: start here (clients sync what came before).
                state.Next = message.Seq;
                state.Start = message.Seq;
                state.StartedAt = now;
            }
            if (message.Seq < state.Next)
            {
                // Two nodes committed at once and the later seq happened to arrive first, just as this node started
                // following the conversation: hand the earlier one out too (late, but not lost), once.
                if (message.Seq < state.Start && _time.GetElapsedTime(state.StartedAt, now) < _wait && (state.EarlyDelivered ??= []).Add(message.Seq))
                    _deliver(message, targets, originConnectionId);
                return;
            }
            if (message.Seq > state.Next)
            {
                state.Waiting.TryAdd(message.Seq, new Item(message, targets, originConnectionId));
                if (!state.FillScheduled) scheduleFill = state.FillScheduled = true;
            }
            else
            {
                DeliverLocked(state, new Item(message, targets, originConnectionId));
            }
        }
        if (scheduleFill) ScheduleFill(message.ConversationId, state);
    }

    private void DeliverLocked(State state, Item item)
    {
        _deliver(item.Message, item.Targets, item.Origin);
        state.Next = item.Message.Seq + 1;
        while (state.Waiting.Count > 0)
        {
            var first = state.Waiting.GetKeyAtIndex(0);
            if (first < state.Next)
            {
                state.Waiting.RemoveAt(0);
                continue;
            }
            if (first != state.Next) break;
            var next = state.Waiting.GetValueAtIndex(0);
            state.Waiting.RemoveAt(0);
            _deliver(next.Message, next.Targets, next.Origin);
            state.Next = first + 1;
        }
    }

    private void ScheduleFill(string conversation, State state)
    {
        ITimer? timer = null;
        timer = _time.CreateTimer(_ =>
        {
            timer?.Dispose();
            _ = FillAsync(conversation, state);
        }, null, _wait, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Fills the gap before the earliest waiting message from the store, then skips what is still missing.</summary>
    private async Task FillAsync(string conversation, State state)
    {
        try
        {
            long from, to;
            lock (state)
            {
                if (state.Waiting.Count == 0)
                {
                    state.FillScheduled = false;
                    return;
                }
                from = state.Next;
                to = state.Waiting.GetKeyAtIndex(0) - 1;
            }
            var filled = 0;
            while (from <= to)
            {
                var take = (int)Math.Min(FillBatch, to - from + 1);
                var page = await _store.GetMessagesAsync(conversation, from - 1, to + 1, take, newestFirst: false, CancellationToken.None);
                if (page.Count == 0) break;
                foreach (var message in page)
                {
                    var targets = await _targets(message);
                    if (targets is not null) Submit(message, targets, 0);
                    else lock (state) state.Next = Math.Max(state.Next, message.Seq + 1);
                }
                filled += page.Count;
                from = page[^1].Seq + 1;
            }
            if (filled > 0) ClusterLog.GapFilled(_logger, conversation, filled);
        }
        catch (Exception ex)
        {
            ClusterLog.GapFillFailed(_logger, ex, conversation);
        }
        var again = false;
        lock (state)
        {
            if (state.Waiting.Count > 0 && state.Waiting.GetKeyAtIndex(0) > state.Next)
            {
                // Not in the store (yet, or ever): deliver what we have; clients that care sync by seq.
                var first = state.Waiting.GetKeyAtIndex(0);
                ClusterLog.GapSkipped(_logger, conversation, state.Next, first - 1);
                var item = state.Waiting.GetValueAtIndex(0);
                state.Waiting.RemoveAt(0);
                DeliverLocked(state, item);
            }
            again = state.Waiting.Count > 0;
            state.FillScheduled = again;
        }
        if (again) ScheduleFill(conversation, state);
    }

    private void Sweep()
    {
        var now = _time.GetTimestamp();
        foreach (var (conversation, state) in _states)
        {
            lock (state)
            {
                if (state.Waiting.Count > 0 || state.FillScheduled || _time.GetElapsedTime(state.LastActivity, now) < IdleForget) continue;
            }
            _states.TryRemove(new KeyValuePair<string, State>(conversation, state));
        }
    }

    public void Dispose() => _sweep.Dispose();

    private sealed class State
    {
        public long Next;
        public long Start;
        public long StartedAt;
        public HashSet<long>? EarlyDelivered;
        public long LastActivity;
        public bool FillScheduled;
        public readonly SortedList<long, Item> Waiting = [];
    }

    private readonly record struct Item(ChatMessage Message, long[] Targets, long Origin);
}
