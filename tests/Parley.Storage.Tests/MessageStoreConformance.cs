using Parley.Abstractions.Model;
using Parley.Abstractions.Stores;

namespace Parley.Storage.Tests;

/// <summary>The contract of <see cref="IMessageStore"/>; every implementation runs these tests.</summary>
public abstract partial class MessageStoreConformance
{
    protected const string D12 = "d:1:2";
    protected const string D13 = "d:1:3";
    protected const string G7 = "g:7";
    protected const long T0 = 1_750_000_000_000;

    private IMessageStore? _store;

    /// <summary>A store over fresh, empty storage.</summary>
    protected abstract IMessageStore CreateStore();

    protected IMessageStore Store => _store ??= CreateStore();

    public static ChatMessage Msg(string conversationId, long seq, long senderId, string? clientMsgId = null, long? ts = null)
    {
        ConversationId.TryParse(conversationId, out var id);
        return new ChatMessage
        {
            Id = $"m-{conversationId}-{seq}",
            ConversationId = conversationId,
            Seq = seq,
            SenderId = senderId,
            SenderName = $"user{senderId}",
            RecipientId = id is { IsGroup: false } d ? d.OtherParticipant(senderId) : null,
            GroupId = id is { IsGroup: true } g ? g.GroupId : null,
            Kind = "text",
            Text = $"text {seq}",
            ClientMsgId = clientMsgId,
            Timestamp = ts ?? T0 + seq,
        };
    }

    protected static IReadOnlyList<ChatMessage> Range(string conversationId, long from, long to, long senderId) =>
        [.. Enumerable.Range((int)from, (int)(to - from + 1)).Select(s => Msg(conversationId, s, senderId))];

    [Fact]
    public async Task Append_commits_a_batch_and_round_trips_every_field()
    {
        var media = Msg(D12, 2, 2, "c-2") with { Kind = "image", Text = null, Payload = """{"url":"https://x/y.png","w":3}""" };
        var batch = new[] { Msg(D12, 1, 1, "c-1"), media, Msg(G7, 1, 5) };
        await Store.AppendAsync(batch);

        Assert.Equal(batch[..2], await Store.GetMessagesAsync(D12, 0, 0, 10, newestFirst: false));
        Assert.Equal([batch[2]], await Store.GetMessagesAsync(G7, 0, 0, 10, newestFirst: false));
        Assert.Equal(2, await Store.GetLastSeqAsync(D12));
        Assert.Equal(1, await Store.GetLastSeqAsync(G7));
    }

    [Fact]
    public async Task Append_of_nothing_is_a_no_op()
    {
        await Store.AppendAsync([]);
        Assert.Equal(0, await Store.GetLastSeqAsync(D12));
    }

    [Fact]
    public async Task Last_seq_is_zero_for_an_unknown_conversation_and_follows_appends()
    {
        Assert.Equal(0, await Store.GetLastSeqAsync(D13));
        await Store.AppendAsync(Range(D13, 1, 3, 1));
        await Store.AppendAsync(Range(D13, 4, 4, 3));
        Assert.Equal(4, await Store.GetLastSeqAsync(D13));
    }

    [Fact]
    public async Task A_failed_batch_commits_nothing()
    {
        await Store.AppendAsync([Msg(D12, 1, 1)]);
        // seq 1 already exists: the whole batch must roll back
        await Assert.ThrowsAnyAsync<Exception>(() => Store.AppendAsync([Msg(D13, 1, 1), Msg(D12, 1, 2)]));
        Assert.Equal(0, await Store.GetLastSeqAsync(D13));
        Assert.Empty(await Store.GetMessagesAsync(D13, 0, 0, 10, false));
        Assert.Single(await Store.GetMessagesAsync(D12, 0, 0, 10, false));
        Assert.False(await Store.IsParticipantAsync(D13, 3));
    }

    [Fact]
    public async Task FindByClientMsgId_is_scoped_to_the_sender()
    {
        await Store.AppendAsync([Msg(D12, 1, 1, "same"), Msg(D12, 2, 2, "same"), Msg(D12, 3, 1)]);
        Assert.Equal(1, (await Store.FindByClientMsgIdAsync(1, "same"))?.Seq);
        Assert.Equal(2, (await Store.FindByClientMsgIdAsync(2, "same"))?.Seq);
        Assert.Null(await Store.FindByClientMsgIdAsync(3, "same"));
        Assert.Null(await Store.FindByClientMsgIdAsync(1, "other"));
    }

    [Fact]
    public async Task A_repeated_client_msg_id_of_the_same_sender_is_refused()
    {
        await Store.AppendAsync([Msg(D12, 1, 1, "dup")]);
        await Assert.ThrowsAnyAsync<Exception>(() => Store.AppendAsync([Msg(D12, 2, 1, "dup")]));
        Assert.Equal(1, await Store.GetLastSeqAsync(D12));
    }

    [Fact]
    public async Task GetMessages_oldest_first_honours_bounds_and_limit()
    {
        await Store.AppendAsync(Range(D12, 1, 10, 1));
        Assert.Equal("1,2,3", Seqs(await Store.GetMessagesAsync(D12, 0, 0, 3, false)));
        Assert.Equal("5,6", Seqs(await Store.GetMessagesAsync(D12, 4, 0, 2, false)));
        Assert.Equal("5,6,7", Seqs(await Store.GetMessagesAsync(D12, 4, 8, 100, false)));
        Assert.Equal("9,10", Seqs(await Store.GetMessagesAsync(D12, 8, -1, 100, false)));
        Assert.Empty(await Store.GetMessagesAsync(D12, 10, 0, 100, false));
        Assert.Empty(await Store.GetMessagesAsync(D12, 4, 5, 100, false));
        Assert.Empty(await Store.GetMessagesAsync(D12, 0, 0, 0, false));
        Assert.Empty(await Store.GetMessagesAsync(D13, 0, 0, 10, false));
    }

    [Fact]
    public async Task GetMessages_newest_first_honours_bounds_and_limit()
    {
        await Store.AppendAsync(Range(D12, 1, 10, 2));
        Assert.Equal("10,9,8", Seqs(await Store.GetMessagesAsync(D12, 0, 0, 3, true)));
        Assert.Equal("6,5", Seqs(await Store.GetMessagesAsync(D12, 0, 7, 2, true)));
        Assert.Equal("6,5,4", Seqs(await Store.GetMessagesAsync(D12, 3, 7, 100, true)));
        Assert.Equal("2,1", Seqs(await Store.GetMessagesAsync(D12, 0, 3, 100, true)));
        Assert.Empty(await Store.GetMessagesAsync(D12, 0, 1, 100, true));
    }

    [Fact]
    public async Task GetMessages_does_not_mix_conversations()
    {
        await Store.AppendAsync([Msg(D12, 1, 1), Msg(D13, 1, 1), Msg(D12, 2, 2), Msg(D13, 2, 3)]);
        var d13 = await Store.GetMessagesAsync(D13, 0, 0, 10, false);
        Assert.All(d13, m => Assert.Equal(D13, m.ConversationId));
        Assert.Equal("1,2", Seqs(d13));
    }

    protected static string Seqs(IEnumerable<ChatMessage> messages) => string.Join(",", messages.Select(m => m.Seq));
}
