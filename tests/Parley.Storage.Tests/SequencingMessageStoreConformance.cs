using Parley.Abstractions.Model;
using Parley.Abstractions.Stores;

namespace Parley.Storage.Tests;

/// <summary>
/// The contract of <see cref="ISequencingMessageStore"/>: the store numbers messages in the commit, gap-free per
/// conversation, idempotent by (sender, client message id), also with several writers ("nodes") at once.
/// </summary>
public abstract class SequencingMessageStoreConformance
{
    private const string D12 = "d:1:2";
    private const string D13 = "d:1:3";
    private const string G7 = "g:7";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private ISequencingMessageStore? _store;

    /// <summary>A store over fresh, empty storage.</summary>
    protected abstract ISequencingMessageStore CreateStore();

    /// <summary>Another writer over the same storage (its own connections), as a second node.</summary>
    protected abstract Task<ISequencingMessageStore> CreateOtherNodeAsync();

    protected ISequencingMessageStore Store => _store ??= CreateStore();

    private static int _ids;

    /// <summary>A draft: seq deliberately wrong, the store must ignore it.</summary>
    public static ChatMessage Draft(string conversationId, long senderId, string? clientMsgId = null, string? text = null)
    {
        ConversationId.TryParse(conversationId, out var id);
        var n = Interlocked.Increment(ref _ids);
        return new ChatMessage
        {
            Id = $"draft-{Guid.NewGuid():N}",
            ConversationId = conversationId,
            Seq = 999,
            SenderId = senderId,
            SenderName = $"user{senderId}",
            RecipientId = id is { IsGroup: false } d ? d.OtherParticipant(senderId) : null,
            GroupId = id is { IsGroup: true } g ? g.GroupId : null,
            Kind = "text",
            Text = text ?? $"text {n}",
            ClientMsgId = clientMsgId,
            Timestamp = 1_750_000_000_000 + n,
        };
    }

    [Fact]
    public async Task Drafts_are_numbered_per_conversation_in_list_order()
    {
        var drafts = new[] { Draft(D12, 1), Draft(G7, 5), Draft(D12, 2, "c"), Draft(D12, 1), Draft(G7, 6) };
        var results = await Store.AppendSequencedAsync(drafts).WaitAsync(Timeout);

        Assert.Equal([1L, 1, 2, 3, 2], results.Select(r => r.Message.Seq));
        Assert.All(results, r => Assert.False(r.Duplicate));
        Assert.Equal(drafts.Select((d, i) => d with { Seq = results[i].Message.Seq }), results.Select(r => r.Message));
        Assert.Equal(
            [drafts[0] with { Seq = 1 }, drafts[2] with { Seq = 2 }, drafts[3] with { Seq = 3 }],
            await Store.GetMessagesAsync(D12, 0, 0, 10, false));
        Assert.Equal(3, await Store.GetLastSeqAsync(D12));
        Assert.Equal(2, await Store.GetLastSeqAsync(G7));
        Assert.Equal(drafts[3].Id, (await Store.GetConversationAsync(2, D12))?.LastMessage?.Id);
    }

    [Fact]
    public async Task Numbering_continues_after_earlier_commits_of_either_kind()
    {
        await Store.AppendAsync([MessageStoreConformance.Msg(D12, 1, 1), MessageStoreConformance.Msg(D12, 2, 2)]);
        var first = await Store.AppendSequencedAsync([Draft(D12, 1)]).WaitAsync(Timeout);
        var second = await Store.AppendSequencedAsync([Draft(D12, 2), Draft(D13, 3)]).WaitAsync(Timeout);
        Assert.Equal(3, first[0].Message.Seq);
        Assert.Equal([4L, 1], second.Select(r => r.Message.Seq));
        Assert.Equal("1,2,3,4", string.Join(",", (await Store.GetMessagesAsync(D12, 0, 0, 10, false)).Select(m => m.Seq)));
    }

    [Fact]
    public async Task Direct_drafts_create_participant_rows_for_both_users_and_group_drafts_none()
    {
        await Store.AppendSequencedAsync([Draft(D13, 3), Draft(G7, 1)]).WaitAsync(Timeout);
        Assert.True(await Store.IsParticipantAsync(D13, 1));
        Assert.True(await Store.IsParticipantAsync(D13, 3));
        Assert.False(await Store.IsParticipantAsync(G7, 1));
    }

    [Fact]
    public async Task A_stored_client_msg_id_answers_with_the_original_and_consumes_no_number()
    {
        var original = (await Store.AppendSequencedAsync([Draft(D12, 1, "once", "first")]).WaitAsync(Timeout))[0];
        var again = await Store.AppendSequencedAsync([Draft(D12, 1, "once", "resent"), Draft(D12, 2, "once"), Draft(D12, 1)]).WaitAsync(Timeout);

        Assert.True(again[0].Duplicate);
        Assert.Equal(original.Message, again[0].Message);
        Assert.False(again[1].Duplicate); // another sender's id is another key
        Assert.Equal([2L, 3], again.Skip(1).Select(r => r.Message.Seq));
        Assert.Equal("first", Assert.Single(await Store.GetMessagesAsync(D12, 0, 2, 10, false)).Text);
        Assert.Equal(3, await Store.GetLastSeqAsync(D12));
    }

    [Fact]
    public async Task The_same_client_msg_id_twice_in_one_batch_is_stored_once()
    {
        var results = await Store.AppendSequencedAsync([Draft(D12, 1, "x"), Draft(D12, 1, "x"), Draft(D12, 1, "y")]).WaitAsync(Timeout);
        Assert.Equal([false, true, false], results.Select(r => r.Duplicate));
        Assert.Equal(results[0].Message, results[1].Message);
        Assert.Equal([1L, 1, 2], results.Select(r => r.Message.Seq));
        Assert.Equal(2, await Store.GetLastSeqAsync(D12));
    }

    [Fact]
    public async Task A_client_msg_id_reused_for_another_conversation_returns_the_original_and_touches_nothing_else()
    {
        var original = (await Store.AppendSequencedAsync([Draft(D12, 1, "reused")]).WaitAsync(Timeout))[0].Message;
        var again = Assert.Single(await Store.AppendSequencedAsync([Draft(D13, 1, "reused")]).WaitAsync(Timeout));
        Assert.True(again.Duplicate);
        Assert.Equal(original, again.Message);
        Assert.Equal(0, await Store.GetLastSeqAsync(D13));
        Assert.False(await Store.IsParticipantAsync(D13, 3));
    }

    [Fact]
    public async Task A_failing_batch_commits_nothing_and_reserves_no_number()
    {
        await Store.AppendSequencedAsync([Draft(D12, 1)]).WaitAsync(Timeout);
        // a required column missing: the whole batch must roll back
        var broken = Draft(D13, 1) with { Kind = null! };
        await Assert.ThrowsAnyAsync<Exception>(() => Store.AppendSequencedAsync([Draft(D12, 2), broken]).WaitAsync(Timeout));
        Assert.Equal(1, await Store.GetLastSeqAsync(D12));
        Assert.Equal(0, await Store.GetLastSeqAsync(D13));
        Assert.Equal(2, (await Store.AppendSequencedAsync([Draft(D12, 2)]).WaitAsync(Timeout))[0].Message.Seq);
    }

    [Fact]
    public async Task Several_nodes_appending_to_the_same_conversations_get_gap_free_numbers_and_lose_nothing()
    {
        var nodes = new[] { Store, await CreateOtherNodeAsync(), await CreateOtherNodeAsync() };
        string[] conversations = [D12, D13, G7, "g:8"];
        var acknowledged = new System.Collections.Concurrent.ConcurrentBag<ChatMessage>();

        // Each node runs several writers; each writer commits small batches over random conversations.
        await Task.WhenAll(nodes.SelectMany((node, n) => Enumerable.Range(0, 3).Select(w => Task.Run(async () =>
        {
            var random = new Random(n * 10 + w);
            for (var batch = 0; batch < 15; batch++)
            {
                var drafts = Enumerable.Range(0, random.Next(1, 6))
                    .Select(_ => Draft(conversations[random.Next(conversations.Length)], 1, $"n{n}-w{w}-b{batch}-{Guid.NewGuid():N}"))
                    .ToArray();
                foreach (var r in await node.AppendSequencedAsync(drafts)) acknowledged.Add(r.Message);
            }
        })))).WaitAsync(Timeout);

        foreach (var conversation in conversations)
        {
            var stored = await Store.GetMessagesAsync(conversation, 0, 0, 10_000, false);
            var acked = acknowledged.Where(m => m.ConversationId == conversation).OrderBy(m => m.Seq).ToList();
            Assert.Equal(Enumerable.Range(1, stored.Count).Select(i => (long)i), stored.Select(m => m.Seq));
            Assert.Equal(acked, stored);
            Assert.Equal(stored.Count, await Store.GetLastSeqAsync(conversation));
        }
    }

    [Fact]
    public async Task Concurrent_resends_of_one_client_msg_id_through_several_nodes_store_it_once()
    {
        var nodes = new[] { Store, await CreateOtherNodeAsync(), await CreateOtherNodeAsync() };
        for (var round = 0; round < 5; round++)
        {
            var key = $"race-{round}";
            var results = await Task.WhenAll(Enumerable.Range(0, 9).Select(i => Task.Run(() =>
                nodes[i % nodes.Length].AppendSequencedAsync([Draft(D12, 1, key), Draft(G7, 2)])))).WaitAsync(Timeout);
            var forKey = results.Select(r => r[0]).ToList();
            Assert.Single(forKey, r => !r.Duplicate);
            Assert.Single(forKey.Select(r => r.Message).Distinct());
            Assert.Equal(forKey[0].Message, await Store.FindByClientMsgIdAsync(1, key));
        }
        Assert.Equal("1,2,3,4,5", string.Join(",", (await Store.GetMessagesAsync(D12, 0, 0, 100, false)).Select(m => m.Seq)));
        Assert.Equal(45, await Store.GetLastSeqAsync(G7));
    }
}
