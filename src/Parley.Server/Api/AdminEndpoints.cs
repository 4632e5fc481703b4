using Parley.Core.Services;
using Parley.Core.Sessions;
using Parley.Server.Auth;

namespace Parley.Server.Api;

public static class AdminEndpoints
{
    public const string Policy = "admin";

    public static IEndpointRouteBuilder MapAdminEndpoints(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/api/admin").WithTags("Administration").RequireAuthorization(Policy);
        admin.MapGet("/connections", (SessionRegistry sessions) =>
            sessions.All().OrderBy(c => c.Id).Select(c => new ConnectionDto(c.Id, c.UserId, c.UserName, c.Transport, c.RemoteAddress, c.ConnectedAt, c.ClientKind, c.ClientId)));
        // Connections are this node's; online users are the whole cluster's.
        admin.MapGet("/online", async (PresenceService presence, FriendService friends, CancellationToken ct) =>
            (await friends.ViewsAsync([.. presence.OnlineUserIds()], ct)).Select(Dto.Summary));
        admin.MapPost("/users/{user}/kick", async (string user, AccountService accounts, CancellationToken ct) =>
        {
            var account = await accounts.ResolveAsync(user, ct);
            return new KickResult(accounts.Kick(account.Id));
        }).ProducesProblem(404);
        admin.MapPost("/users/{user}/disable", async (string user, AccountService accounts, CancellationToken ct) =>
        {
            await accounts.SetDisabledAsync((await accounts.ResolveAsync(user, ct)).Id, true, ct);
            return Results.NoContent();
        }).ProducesProblem(404);
        admin.MapPost("/users/{user}/enable", async (string user, AccountService accounts, CancellationToken ct) =>
        {
            await accounts.SetDisabledAsync((await accounts.ResolveAsync(user, ct)).Id, false, ct);
            return Results.NoContent();
        }).ProducesProblem(404);
        return app;
    }
}
