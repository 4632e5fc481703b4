using Parley.Abstractions.Stores;

namespace Parley.Storage.Tests;

public abstract partial class MessageStoreConformance
{
    [Fact]
    public async Task Direct_messages_create_participant_rows_for_both_users()
    {
        Assert.False(await Store.IsParticipantAsync(D12, 1));
        await Store.AppendAsync([Msg(D12, 1, 1)]);
        Assert.True(await Store.IsParticipantAsync(D12, 1));
        Assert.True(await Store.IsParticipantAsync(D12, 2));
        Assert.False(await Store.IsParticipantAsync(D12, 3));

        await Store.AppendAsync([Msg(G7, 1, 1)]);
        Assert.False(await Store.IsParticipantAsync(G7, 1));
    }

    [Fact]
    public async Task Participants_are_added_idempotently_and_removed()
    {
        await Store.AppendAsync(Range(G7, 1, 5, 1));
        await Store.AddParticipantAsync(G7, 4, 3);
        await Store.AddParticipantAsync(G7, 4, 0);
        Assert.True(await Store.IsParticipantAsync(G7, 4));
        Assert.Equal(new ConversationCursor(G7, 5, 3, 3), Assert.Single(await Store.GetCursorsAsync(4)));

        await Store.RemoveParticipantAsync(G7, 4);
        Assert.False(await Store.IsParticipantAsync(G7, 4));
        Assert.Empty(await Store.GetCursorsAsync(4));
        await Store.RemoveParticipantAsync(G7, 4);
    }

    [Fact]
    public async Task A_participant_of_an_empty_conversation_sees_it()
    {
        await Store.AddParticipantAsync(G7, 4, 0);
        var state = await Store.GetConversationAsync(4, G7);
        Assert.NotNull(state);
        Assert.Equal((0L, 0L, 0L, 0), (state.LastSeq, state.DeliveredSeq, state.ReadSeq, state.UnreadCount));
        Assert.Null(state.LastMessage);
        Assert.Equal(0, await Store.GetLastSeqAsync(G7));
    }

    [Fact]
    public async Task Delivered_cursor_never_goes_down_and_is_capped_at_last_seq()
    {
        await Store.AppendAsync(Range(D12, 1, 5, 1));
        Assert.Equal(3, await Store.MarkDeliveredAsync(D12, 2, 3));
        Assert.Equal(3, await Store.MarkDeliveredAsync(D12, 2, 1));
        Assert.Equal(5, await Store.MarkDeliveredAsync(D12, 2, 99));
        Assert.Equal(new ConversationCursor(D12, 5, 5, 0), Assert.Single(await Store.GetCursorsAsync(2)));
        Assert.Equal(0, await Store.MarkDeliveredAsync(D13, 2, 3));
    }

    [Fact]
    public async Task Concurrent_cursor_moves_each_get_their_own_result()
    {
        await Store.AppendAsync(Range(D12, 1, 50, 1));
        await Store.AppendAsync(Range(D13, 1, 10, 1));
        // Many moves at once (stores may commit them together): each answers with the cursor after its own move.
        var delivered = Enumerable.Range(1, 40).Select(seq => Store.MarkDeliveredAsync(D12, 2, seq)).ToList();
        var read = Store.MarkReadAsync(D13, 3, 4);
        var unknown = Store.MarkDeliveredAsync(D13, 2, 5);
        var results = await Task.WhenAll(delivered).WaitAsync(TimeSpan.FromSeconds(30));
        for (var i = 0; i < results.Length; i++) Assert.True(results[i] >= i + 1 && results[i] <= 40, $"move to {i + 1} answered {results[i]}");
        Assert.Equal(4, await read.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(0, await unknown.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(new ConversationCursor(D12, 50, 40, 0), Assert.Single(await Store.GetCursorsAsync(2), c => c.ConversationId == D12));
        Assert.Equal(new ConversationCursor(D13, 10, 4, 4), Assert.Single(await Store.GetCursorsAsync(3)));
    }

    [Fact]
    public async Task Read_cursor_never_goes_down_is_capped_and_raises_delivered()
    {
        await Store.AppendAsync(Range(D12, 1, 6, 1));
        Assert.Equal(2, await Store.MarkDeliveredAsync(D12, 2, 2));
        Assert.Equal(4, await Store.MarkReadAsync(D12, 2, 4));
        Assert.Equal(new ConversationCursor(D12, 6, 4, 4), Assert.Single(await Store.GetCursorsAsync(2)));

        Assert.Equal(4, await Store.MarkReadAsync(D12, 2, 2));
        Assert.Equal(6, await Store.MarkReadAsync(D12, 2, 50));
        Assert.Equal(new ConversationCursor(D12, 6, 6, 6), Assert.Single(await Store.GetCursorsAsync(2)));

        Assert.Equal(6, await Store.MarkDeliveredAsync(D12, 2, 1));
        Assert.Equal(0, await Store.MarkReadAsync(G7, 2, 3));
    }

    [Fact]
    public async Task Cursors_cover_every_conversation_of_the_user()
    {
        await Store.AppendAsync([.. Range(D12, 1, 3, 2), .. Range(D13, 1, 2, 1)]);
        await Store.AppendAsync(Range(G7, 1, 4, 5));
        await Store.AddParticipantAsync(G7, 1, 4);
        await Store.MarkReadAsync(D13, 1, 1);

        var cursors = (await Store.GetCursorsAsync(1)).OrderBy(c => c.ConversationId, StringComparer.Ordinal).ToList();
        Assert.Equal(
            [new ConversationCursor(D12, 3, 0, 0), new ConversationCursor(D13, 2, 1, 1), new ConversationCursor(G7, 4, 4, 4)],
            cursors);
        Assert.Equal([D12], (await Store.GetCursorsAsync(2)).Select(c => c.ConversationId));
    }

    [Fact]
    public async Task Unread_counts_exclude_own_messages_and_read_ones()
    {
        await Store.AppendAsync([Msg(D12, 1, 1), Msg(D12, 2, 2), Msg(D12, 3, 1), Msg(D12, 4, 1), Msg(D12, 5, 2)]);

        var forTwo = await Store.GetConversationAsync(2, D12);
        Assert.NotNull(forTwo);
        Assert.Equal(3, forTwo.UnreadCount);
        Assert.Equal(2, (await Store.GetConversationAsync(1, D12))?.UnreadCount);

        await Store.MarkReadAsync(D12, 2, 3);
        Assert.Equal(1, (await Store.GetConversationAsync(2, D12))?.UnreadCount);
        await Store.MarkReadAsync(D12, 2, 5);
        Assert.Equal(0, (await Store.GetConversationAsync(2, D12))?.UnreadCount);
    }

    [Fact]
    public async Task Conversation_state_carries_cursors_and_the_last_message()
    {
        await Store.AppendAsync(Range(D12, 1, 3, 1));
        var last = Msg(D12, 4, 2, "cm-4");
        await Store.AppendAsync([last]);
        await Store.MarkDeliveredAsync(D12, 1, 3);
        await Store.MarkReadAsync(D12, 1, 2);

        var state = await Store.GetConversationAsync(1, D12);
        Assert.NotNull(state);
        Assert.Equal(D12, state.ConversationId);
        Assert.Equal((4L, 3L, 2L, 1), (state.LastSeq, state.DeliveredSeq, state.ReadSeq, state.UnreadCount));
        Assert.Equal(last, state.LastMessage);
    }

    [Fact]
    public async Task GetConversation_is_null_for_a_non_participant()
    {
        await Store.AppendAsync(Range(D12, 1, 2, 1));
        await Store.AppendAsync(Range(G7, 1, 2, 1));
        Assert.Null(await Store.GetConversationAsync(3, D12));
        Assert.Null(await Store.GetConversationAsync(1, G7));
        Assert.Null(await Store.GetConversationAsync(1, "d:1:99"));
    }

    [Fact]
    public async Task Conversations_are_listed_most_recently_active_first()
    {
        await Store.AppendAsync([Msg(D12, 1, 1, ts: T0 + 100)]);
        await Store.AppendAsync([Msg(D13, 1, 3, ts: T0 + 200)]);
        await Store.AppendAsync([Msg(G7, 1, 5, ts: T0 + 150)]);
        await Store.AddParticipantAsync(G7, 1, 0);

        Assert.Equal([D13, G7, D12], (await Store.GetConversationsAsync(1, 10)).Select(s => s.ConversationId));

        await Store.AppendAsync([Msg(D12, 2, 2, ts: T0 + 300)]);
        var list = await Store.GetConversationsAsync(1, 10);
        Assert.Equal([D12, D13, G7], list.Select(s => s.ConversationId));
        Assert.Equal([1, 1, 1], list.Select(s => s.UnreadCount));
        Assert.Equal(2, list[0].LastMessage?.Seq);

        Assert.Equal([D12, D13], (await Store.GetConversationsAsync(1, 2)).Select(s => s.ConversationId));
        Assert.Empty(await Store.GetConversationsAsync(1, 0));
        Assert.Empty(await Store.GetConversationsAsync(42, 10));
    }

    [Fact]
    public async Task Conversations_with_the_same_activity_are_ordered_by_id()
    {
        await Store.AppendAsync([Msg(D13, 1, 1, ts: T0), Msg(D12, 1, 1, ts: T0)]);
        Assert.Equal([D12, D13], (await Store.GetConversationsAsync(1, 10)).Select(s => s.ConversationId));
    }
}
