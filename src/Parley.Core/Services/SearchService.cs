using Parley.Abstractions.Stores;

namespace Parley.Core.Services;

/// <summary>Finding people to chat with and open groups to join.</summary>
public sealed class SearchService(IAccountStore accounts, IGroupStore groupStore, GroupDirectory groups, PresenceService presence)
{
    /// <summary>Longest search text accepted; longer text is refused rather than truncated.</summary>
    public const int MaxTextLength = 64;

    /// <summary>Largest page.</summary>
    public const int MaxLimit = 50;

    /// <summary>
    /// Accounts matching <paramref name="text"/> (not the searcher). Online state is shown only for users whose
    /// presence the searcher may see anyway (friends and fellow group members); a stranger always reads offline.
    /// </summary>
    public async Task<IReadOnlyList<UserView>> UsersAsync(long me, string? text, int limit, CancellationToken ct)
    {
        var query = Validate(text);
        var found = await accounts.SearchAsync(query, Math.Clamp(limit, 1, MaxLimit) + 1, ct);
        var visible = await presence.WatchersOfAsync(me, ct);
        return found.Where(a => a.Id != me).Take(Math.Clamp(limit, 1, MaxLimit))
            .Select(a => new UserView(a, visible.Contains(a.Id) && presence.IsOnline(a.Id))).ToList();
    }

    /// <summary>Open groups whose name contains <paramref name="text"/>, with member counts.</summary>
    public async Task<IReadOnlyList<GroupView>> GroupsAsync(string? text, int limit, CancellationToken ct)
    {
        var query = Validate(text);
        var result = new List<GroupView>();
        foreach (var g in await groupStore.SearchOpenAsync(query, Math.Clamp(limit, 1, MaxLimit), ct))
        {
            var snapshot = await groups.GetAsync(g.Id, ct);
            if (snapshot is not null && !snapshot.Group.Dissolved) result.Add(new GroupView(snapshot.Group, snapshot.MemberIds.Length));
        }
        return result;
    }

    private static string Validate(string? text)
    {
        var trimmed = text?.Trim() ?? "";
        if (trimmed.Length == 0) throw ParleyException.Invalid("q", "q (the text to search for) is required");
        if (trimmed.Length > MaxTextLength) throw ParleyException.Invalid("q", $"q is longer than {MaxTextLength} characters");
        return trimmed;
    }
}
