using Parley.Abstractions.Model;
using Parley.Transports.MobileImSdk;

namespace Parley.IntegrationTests.MobileImSdk;

public sealed class CursorTrackerTests
{
    private static ChatMessage M(long seq, string conversation = "d:1:2") =>
        new() { Id = "m" + seq, ConversationId = conversation, SenderId = 1, SenderName = "a", Kind = "text", Seq = seq };

    [Fact]
    public void The_cursor_moves_to_the_highest_ack_below_which_nothing_is_outstanding()
    {
        var tracker = new MobileImGateway.CursorTracker();
        foreach (var seq in new long[] { 1, 2, 3 }) tracker.Sent(M(seq));
        Assert.Equal(0, tracker.Acked(M(2))); // 1 is still out
        Assert.Equal(2, tracker.Acked(M(1)));
        Assert.Equal(3, tracker.Acked(M(3)));

        // Sent out of order (a replay and a live message crossing), and one sent twice (a resend).
        foreach (var seq in new long[] { 5, 4, 6, 6 }) tracker.Sent(M(seq));
        Assert.Equal(0, tracker.Acked(M(5)));
        Assert.Equal(0, tracker.Acked(M(6)));
        Assert.Equal(6, tracker.Acked(M(4)));
        Assert.Equal(0, tracker.Acked(M(6))); // acknowledged again: nothing to move

        // Conversations are apart; an ack for a conversation never sent moves nothing.
        tracker.Sent(M(1, "g:7"));
        tracker.Sent(M(7));
        Assert.Equal(7, tracker.Acked(M(7)));
        Assert.Equal(1, tracker.Acked(M(1, "g:7")));
        Assert.Equal(0, tracker.Acked(M(3, "g:8")));
    }
}
