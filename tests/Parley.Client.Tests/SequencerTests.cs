using Parley.Client.Realtime;

namespace Parley.Client.Tests;

public sealed class SequencerTests
{
    private static ChatMessage M(long seq, string conversation = "g:1") =>
        new($"m{seq}", conversation, seq, 2, "bob", null, 1, "text", $"t{seq}", null, null, seq);

    private static List<long> Offer(ConversationSequencer s, bool sync, params long[] seqs)
    {
        var delivered = new List<ChatMessage>();
        foreach (var seq in seqs)
        {
            s.Offer(M(seq), sync, delivered);
        }

        return delivered.Select(m => m.Seq).ToList();
    }

    [Fact]
    public void A_new_conversation_starting_at_seq_1_starts_there()
    {
        var s = new ConversationSequencer(null);
        Assert.Equal([1L, 2L], Offer(s, false, 1, 2, 1));
        Assert.Equal(2, s.GetCursors()["g:1"]);
    }

    [Fact]
    public void An_unknown_conversation_first_seen_past_seq_1_asks_for_a_sync_and_starts_where_it_says()
    {
        var s = new ConversationSequencer(null);
        var delivered = new List<ChatMessage>();
        // Seq 4 may still be on its way (another server committed it at the same time): no start yet, sync once.
        Assert.True(s.Offer(M(5), false, delivered));
        Assert.False(s.Offer(M(6), false, delivered));
        Assert.Empty(delivered);
        Assert.Empty(s.GetCursors());
        // The sync brings 4 (and 5 again); then everything goes out once, in order.
        s.Offer(M(4), true, delivered);
        s.Offer(M(5), true, delivered);
        s.OnSynced(delivered);
        Assert.Equal([4L, 5L, 6L], delivered.Select(m => m.Seq));
        Assert.Equal(6, s.GetCursors()["g:1"]);
    }

    [Fact]
    public void An_own_ack_past_seq_1_in_an_unknown_conversation_asks_for_a_sync_too()
    {
        var s = new ConversationSequencer(null);
        var delivered = new List<ChatMessage>();
        Assert.True(s.OnOwnAck("g:1", 2, false, delivered));
        Assert.False(s.Offer(M(3), false, delivered));
        s.Offer(M(1), true, delivered);
        s.OnSynced(delivered);
        // 1 came from the other writer, 2 is our own (never raised), 3 followed.
        Assert.Equal([1L, 3L], delivered.Select(m => m.Seq));
        Assert.False(s.OnOwnAck("g:2", 1, false, delivered));
    }

    [Fact]
    public void Gap_is_reported_once_until_filled()
    {
        var s = new ConversationSequencer(new Dictionary<string, long> { ["g:1"] = 1 });
        var delivered = new List<ChatMessage>();
        Assert.True(s.Offer(M(4), false, delivered));
        Assert.False(s.Offer(M(5), false, delivered));
        Assert.False(s.Offer(M(2), false, delivered));
        Assert.False(s.Offer(M(3), false, delivered));
        Assert.Equal([2L, 3L, 4L, 5L], delivered.Select(m => m.Seq));
        Assert.True(s.Offer(M(7), false, delivered));
    }

    [Fact]
    public void During_sync_the_start_waits_for_synced()
    {
        var s = new ConversationSequencer(null);
        Assert.Empty(Offer(s, true, 9, 7));
        Assert.Empty(s.GetCursors());
        var delivered = new List<ChatMessage>();
        s.Offer(M(8), true, delivered);
        s.OnSynced(delivered);
        Assert.Equal([7L, 8L, 9L], delivered.Select(m => m.Seq));
    }

    [Fact]
    public void Own_ack_beyond_the_cursor_is_skipped_without_delivery()
    {
        var s = new ConversationSequencer(new Dictionary<string, long> { ["g:1"] = 0 });
        var delivered = new List<ChatMessage>();
        s.OnOwnAck("g:1", 2, false, delivered);
        s.OnOwnAck("g:1", 3, false, delivered);
        Assert.Empty(delivered);
        Assert.Equal([1L, 4L], Offer(s, false, 1, 2, 3, 4));
    }
}
