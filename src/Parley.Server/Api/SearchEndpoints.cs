using Parley.Core.Services;
using Parley.Server.Auth;

namespace Parley.Server.Api;

/// <summary>Finding people and open groups (the web page's "new chat" and "join a group" boxes).</summary>
public static class SearchEndpoints
{
    public static IEndpointRouteBuilder MapSearchEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/users", async (HttpContext http, string? q, int? limit, SearchService search, CancellationToken ct) =>
            (await search.UsersAsync(http.User.UserId(), q, limit ?? 20, ct)).Select(Dto.Summary))
            .WithTags("Accounts").RequireAuthorization().Produces<IEnumerable<UserSummary>>().ProducesProblem(400);
        app.MapGet("/api/groups/search", async (string? q, int? limit, SearchService search, CancellationToken ct) =>
            (await search.GroupsAsync(q, limit ?? 20, ct)).Select(Dto.Group))
            .WithTags("Groups").RequireAuthorization().Produces<IEnumerable<GroupDto>>().ProducesProblem(400);
        return app;
    }
}
