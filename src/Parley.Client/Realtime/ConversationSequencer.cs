namespace Parley.Client.Realtime;

/// <summary>
/// Per-conversation cursors that turn a stream of possibly duplicated, out-of-order messages into gap-free,
/// duplicate-free, in-order delivery. Not thread-safe: callers lock.
/// </summary>
internal sealed class ConversationSequencer
{
    private readonly Dictionary<string, State> _states = new(StringComparer.Ordinal);

    public ConversationSequencer(IReadOnlyDictionary<string, long>? initial)
    {
        if (initial is null)
        {
            return;
        }

        foreach (var (conversation, seq) in initial)
        {
            _states[conversation] = new State { Cursor = seq };
        }
    }

    /// <summary>Offers a message. Deliverable messages (in order) are appended to <paramref name="deliver"/>.</summary>
    /// <param name="message">The message.</param>
    /// <param name="syncActive">A sync is in flight: the start of an unknown conversation is not known yet.</param>
    /// <param name="deliver">Receives the messages to raise, in order.</param>
    /// <returns>True when a gap was found and a sync should be requested for it.</returns>
    public bool Offer(ChatMessage message, bool syncActive, List<ChatMessage> deliver)
    {
        var state = Get(message.Conversation);
        var seq = message.Seq;
        if (state.Cursor is null)
        {
            state.Buffer.TryAdd(seq, message);
            return Start(state, syncActive, deliver);
        }

        if (seq <= state.Cursor)
        {
            return false;
        }

        if (seq == state.Cursor + 1)
        {
            var own = Take(state, seq, out var existing) && ReferenceEquals(existing, OwnMarker);
            state.Cursor = seq;
            if (!own)
            {
                deliver.Add(message);
            }

            Drain(state, deliver);
            return false;
        }

        state.Buffer.TryAdd(seq, message);
        if (state.GapSyncRequested)
        {
            return false;
        }

        state.GapSyncRequested = true;
        return true;
    }

    /// <summary>Records the ack of a message sent by this client (it never comes back as a <c>message</c>).</summary>
    /// <param name="conversation">Conversation id.</param>
    /// <param name="seq">Seq of the acknowledged message.</param>
    /// <param name="syncActive">A sync is in flight.</param>
    /// <param name="deliver">Receives buffered messages that became deliverable.</param>
    /// <returns>True when the conversation's start is unknown and a sync should be requested to find it.</returns>
    public bool OnOwnAck(string conversation, long seq, bool syncActive, List<ChatMessage> deliver)
    {
        var state = Get(conversation);
        if (state.Cursor is null)
        {
            state.Buffer.TryAdd(seq, OwnMarker);
            return Start(state, syncActive, deliver);
        }

        if (seq <= state.Cursor)
        {
            return false;
        }

        if (seq == state.Cursor + 1)
        {
            state.Buffer.Remove(seq);
            state.Cursor = seq;
            Drain(state, deliver);
            return false;
        }

        state.Buffer.TryAdd(seq, OwnMarker);
        return false;
    }

    // A conversation this client has no cursor for. Starting at seq 1 is certain; a later first seq may have been
    // overtaken by an earlier one still on its way (two servers committing to one conversation at once), so the
    // start is taken from a sync instead: it returns whatever came before.
    private static bool Start(State state, bool syncActive, List<ChatMessage> deliver)
    {
        if (syncActive || state.StartSyncRequested)
        {
            return false;
        }

        if (state.Buffer.Keys.First() <= 1)
        {
            Resolve(state, deliver);
            return false;
        }

        state.StartSyncRequested = true;
        return true;
    }

    /// <summary>A sync round finished: conversations whose start was pending start at their oldest buffered seq.</summary>
    /// <param name="deliver">Receives messages that became deliverable.</param>
    public void OnSynced(List<ChatMessage> deliver)
    {
        foreach (var state in _states.Values)
        {
            state.GapSyncRequested = false;
            state.StartSyncRequested = false;
            if (state.Cursor is null)
            {
                Resolve(state, deliver);
            }
        }
    }

    /// <summary>Known cursors (conversations with a starting point).</summary>
    /// <returns>A snapshot.</returns>
    public Dictionary<string, long> GetCursors()
    {
        var result = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (conversation, state) in _states)
        {
            if (state.Cursor is { } cursor)
            {
                result[conversation] = cursor;
            }
        }

        return result;
    }

    private static readonly ChatMessage OwnMarker = new("", "", 0, 0, null, null, null, "", null, null, null, 0);

    private State Get(string conversation)
    {
        if (!_states.TryGetValue(conversation, out var state))
        {
            state = new State();
            _states[conversation] = state;
        }

        return state;
    }

    private static bool Take(State state, long seq, out ChatMessage? message) =>
        state.Buffer.TryGetValue(seq, out message) && state.Buffer.Remove(seq);

    private static void Resolve(State state, List<ChatMessage> deliver)
    {
        if (state.Buffer.Count == 0)
        {
            return;
        }

        state.Cursor = state.Buffer.Keys.First() - 1;
        Drain(state, deliver);
    }

    private static void Drain(State state, List<ChatMessage> deliver)
    {
        while (Take(state, state.Cursor!.Value + 1, out var next))
        {
            state.Cursor++;
            if (!ReferenceEquals(next, OwnMarker))
            {
                deliver.Add(next!);
            }
        }

        if (state.Buffer.Count == 0)
        {
            state.GapSyncRequested = false;
        }
        else
        {
            // Anything at or below the cursor is stale.
            foreach (var stale in state.Buffer.Keys.TakeWhile(k => k <= state.Cursor).ToList())
            {
                state.Buffer.Remove(stale);
            }
        }
    }

    private sealed class State
    {
        public long? Cursor { get; set; }
        public SortedDictionary<long, ChatMessage> Buffer { get; } = [];
        public bool GapSyncRequested { get; set; }
        public bool StartSyncRequested { get; set; }
    }
}
