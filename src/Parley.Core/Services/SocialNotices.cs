using Parley.Abstractions.Events;
using Parley.Abstractions.Model;
using Parley.Core.Messaging;

namespace Parley.Core.Services;

/// <summary>
/// Tells users, on their live connections on every node, about changes to their friends and groups that someone
/// else made (<see cref="NoticeEvent"/>), so that clients update without polling the REST API.
/// </summary>
public sealed class SocialNotices(Delivery delivery, AccountDirectory accounts)
{
    public async Task SendAsync(string kind, long actorId, IEnumerable<long> recipients, long? requestId = null, Group? group = null)
    {
        var to = recipients as IReadOnlyCollection<long> ?? recipients.ToList();
        if (to.Count == 0) return;
        // The change is already stored: a notice that cannot be sent must not turn it into a failed request.
        var actor = await accounts.GetAsync(actorId, CancellationToken.None);
        if (actor is null) return;
        delivery.Notify(to, new NoticeEvent(kind, actor.Id, actor.Name, requestId, group?.Id, group?.Name));
    }
}
