using System.Collections.Concurrent;
using Microsoft.Extensions.Logging.Abstractions;
using Parley.Abstractions.Model;
using Parley.Abstractions.Stores;
using Parley.Cluster.Tests.Infrastructure;
using Parley.Core.Cluster;

namespace Parley.Cluster.Tests;

/// <summary>The receiving node's per-conversation order: once per seq, in order, gaps waited for then filled.</summary>
public sealed class ConversationOrdererTests : IDisposable
{
    private readonly MessagesOnly _store = new();
    private readonly ConcurrentQueue<long> _delivered = new();
    private readonly ConversationOrderer _orderer;

    public ConversationOrdererTests() =>
        _orderer = new ConversationOrderer(_store, _ => ValueTask.FromResult<long[]?>([1, 2]), (m, _, _) => _delivered.Enqueue(m.Seq),
            TimeSpan.FromMilliseconds(100), TimeProvider.System, NullLogger.Instance);

    public void Dispose() => _orderer.Dispose();

    private static ChatMessage M(long seq) => new() { Id = "m" + seq, ConversationId = "d:1:2", Seq = seq, SenderId = 1, SenderName = "a", RecipientId = 2, Kind = "text", Text = "t" + seq };

    private void Submit(long seq) => _orderer.Submit(M(seq), [1, 2], 0);

    [Fact]
    public void In_order_messages_go_straight_through_and_repeats_are_dropped()
    {
        foreach (var seq in new long[] { 5, 6, 6, 7, 5, 8 }) Submit(seq);
        Assert.Equal([5L, 6, 7, 8], _delivered);
        Assert.Equal(9, _orderer.NextOf("d:1:2"));
    }

    [Fact]
    public void An_earlier_seq_arriving_just_after_the_node_started_following_is_handed_out_once_not_lost()
    {
        Submit(7); // another node's seq 7 overtook seq 6 on the bus, on the first message this node sees
        Submit(6);
        Submit(6);
        Submit(5);
        Submit(8);
        Assert.Equal([7L, 6, 5, 8], _delivered);
    }

    [Fact]
    public void An_early_message_waits_for_the_missing_one_and_both_go_in_order()
    {
        Submit(1);
        Submit(3);
        Submit(4);
        Assert.Equal([1L], _delivered);
        Submit(2);
        Assert.Equal([1L, 2, 3, 4], _delivered);
        Submit(5);
        Assert.Equal([1L, 2, 3, 4, 5], _delivered);
    }

    [Fact]
    public async Task A_gap_not_closed_within_the_wait_is_filled_from_the_store()
    {
        _store.Add(M(2));
        _store.Add(M(3));
        Submit(1);
        Submit(4);
        await Eventually.HoldsAsync(() => _delivered.Count == 4, "the gap filled from the store");
        Assert.Equal([1L, 2, 3, 4], _delivered);
        Submit(3); // the late live copy is not handed out twice
        Assert.Equal(4, _delivered.Count);
    }

    [Fact]
    public async Task What_the_store_does_not_have_is_skipped_so_delivery_goes_on()
    {
        Submit(1);
        Submit(3);
        Submit(4);
        await Eventually.HoldsAsync(() => _delivered.Count == 3, "delivery goes on past the hole");
        Assert.Equal([1L, 3, 4], _delivered);
    }

    /// <summary>Only what the orderer reads; anything else would be a mistake here.</summary>
    private sealed class MessagesOnly : IMessageStore
    {
        private readonly ConcurrentDictionary<long, ChatMessage> _messages = new();
        public void Add(ChatMessage m) => _messages[m.Seq] = m;

        public Task<IReadOnlyList<ChatMessage>> GetMessagesAsync(string conversationId, long afterSeq, long beforeSeq, int limit, bool newestFirst,
            CancellationToken ct = default) =>
            Task.FromResult<IReadOnlyList<ChatMessage>>(_messages.Values.Where(m => m.Seq > afterSeq && (beforeSeq == 0 || m.Seq < beforeSeq))
                .OrderBy(m => m.Seq).Take(limit).ToList());

        public Task AppendAsync(IReadOnlyList<ChatMessage> messages, CancellationToken ct = default) => throw new NotSupportedException();
        public Task<ChatMessage?> RemoveAsync(string conversationId, long seq, CancellationToken ct = default) => throw new NotSupportedException();
        public Task<long> GetLastSeqAsync(string conversationId, CancellationToken ct = default) => throw new NotSupportedException();
        public Task<ChatMessage?> FindByClientMsgIdAsync(long senderId, string clientMsgId, CancellationToken ct = default) => throw new NotSupportedException();
        public Task AddParticipantAsync(string conversationId, long userId, long startSeq, CancellationToken ct = default) => throw new NotSupportedException();
        public Task RemoveParticipantAsync(string conversationId, long userId, CancellationToken ct = default) => throw new NotSupportedException();
        public Task<bool> IsParticipantAsync(string conversationId, long userId, CancellationToken ct = default) => throw new NotSupportedException();
        public Task<long> MarkDeliveredAsync(string conversationId, long userId, long seq, CancellationToken ct = default) => throw new NotSupportedException();
        public Task<long> MarkReadAsync(string conversationId, long userId, long seq, CancellationToken ct = default) => throw new NotSupportedException();
        public Task<IReadOnlyList<ConversationCursor>> GetCursorsAsync(long userId, CancellationToken ct = default) => throw new NotSupportedException();
        public Task<IReadOnlyList<ConversationState>> GetConversationsAsync(long userId, int limit, CancellationToken ct = default) => throw new NotSupportedException();
        public Task<ConversationState?> GetConversationAsync(long userId, string conversationId, CancellationToken ct = default) => throw new NotSupportedException();
    }
}
