using Parley.Abstractions.Model;

namespace Parley.Storage.Tests;

public abstract partial class MessageStoreConformance
{
    [Fact]
    public async Task Remove_turns_a_message_into_a_tombstone_and_keeps_the_sequence()
    {
        var media = Msg(D12, 2, 1, "c-2") with { Kind = "image", Text = "caption", Payload = """{"fileId":"f"}""" };
        await Store.AppendAsync([Msg(D12, 1, 1), media, Msg(D12, 3, 2)]);

        var before = await Store.RemoveAsync(D12, 2);
        Assert.Equal(media, before);

        var all = await Store.GetMessagesAsync(D12, 0, 0, 10, newestFirst: false);
        Assert.Equal([1L, 2L, 3L], all.Select(m => m.Seq));
        Assert.Equal(media with { Kind = MessageKinds.Removed, Text = null, Payload = null }, all[1]);
        Assert.Equal(3, await Store.GetLastSeqAsync(D12));
        // the idempotency key still answers with the tombstone, so a late resend does not bring the message back
        Assert.Equal(MessageKinds.Removed, (await Store.FindByClientMsgIdAsync(1, "c-2"))?.Kind);
    }

    [Fact]
    public async Task Remove_of_an_unknown_or_already_removed_message_returns_null()
    {
        await Store.AppendAsync([Msg(D12, 1, 1)]);
        Assert.Null(await Store.RemoveAsync(D12, 2));
        Assert.Null(await Store.RemoveAsync(D13, 1));
        Assert.NotNull(await Store.RemoveAsync(D12, 1));
        Assert.Null(await Store.RemoveAsync(D12, 1));
    }

    [Fact]
    public async Task Removed_messages_do_not_count_as_unread()
    {
        await Store.AppendAsync(Range(D12, 1, 3, senderId: 2));
        Assert.Equal(3, (await Store.GetConversationAsync(1, D12))!.UnreadCount);
        await Store.RemoveAsync(D12, 2);
        var state = await Store.GetConversationAsync(1, D12);
        Assert.Equal(2, state!.UnreadCount);
        Assert.Equal(3, state.LastSeq);
    }

    [Fact]
    public async Task The_last_message_of_a_conversation_shows_as_a_tombstone_once_removed()
    {
        await Store.AppendAsync(Range(D12, 1, 2, senderId: 1));
        await Store.RemoveAsync(D12, 2);
        var last = (await Store.GetConversationAsync(2, D12))!.LastMessage;
        Assert.Equal((2L, MessageKinds.Removed, (string?)null), (last!.Seq, last.Kind, last.Text));
    }
}
