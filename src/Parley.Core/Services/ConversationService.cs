using Parley.Abstractions.Model;
using Parley.Abstractions.Stores;

namespace Parley.Core.Services;

/// <summary>
/// A conversation in a user's list, with who or what it is with; for a direct conversation also how far the peer
/// got (so a client can show "delivered" and "read" on its own messages after a reload).
/// </summary>
public sealed record ConversationView(ConversationState State, UserView? Peer, Group? Group, long? PeerDeliveredSeq = null, long? PeerReadSeq = null);

/// <summary>The user's conversation list.</summary>
public sealed class ConversationService(IMessageStore messages, AccountDirectory accounts, GroupDirectory groups, Abstractions.Cluster.IPresence sessions)
{
    public async Task<IReadOnlyList<ConversationView>> ListAsync(long me, int limit, CancellationToken ct)
    {
        var states = await messages.GetConversationsAsync(me, Math.Clamp(limit, 1, 500), ct);
        var result = new List<ConversationView>(states.Count);
        foreach (var state in states)
        {
            if (!ConversationId.TryParse(state.ConversationId, out var id)) continue;
            if (id.Value.IsGroup)
            {
                var group = await groups.GetAsync(id.Value.GroupId, ct);
                result.Add(new ConversationView(state, null, group?.Group));
            }
            else
            {
                var peerId = id.Value.OtherParticipant(me);
                var peer = await accounts.GetAsync(peerId, ct);
                var peerState = await messages.GetConversationAsync(peerId, state.ConversationId, ct);
                result.Add(new ConversationView(state, peer is null ? null : new UserView(peer, sessions.IsOnline(peer.Id)), null,
                    peerState?.DeliveredSeq ?? 0, peerState?.ReadSeq ?? 0));
            }
        }
        return result;
    }
}
