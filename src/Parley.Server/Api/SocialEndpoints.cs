using Parley.Core.Services;
using Parley.Server.Auth;

namespace Parley.Server.Api;

public static class SocialEndpoints
{
    public static IEndpointRouteBuilder MapSocialEndpoints(this IEndpointRouteBuilder app)
    {
        var friends = app.MapGroup("/api/friends").WithTags("Friends").RequireAuthorization();
        friends.MapGet("/", async (HttpContext http, FriendService service, CancellationToken ct) =>
            (await service.FriendsAsync(http.User.UserId(), ct)).Select(Dto.Summary));
        friends.MapGet("/requests", async (HttpContext http, FriendService service, CancellationToken ct) =>
        {
            var me = http.User.UserId();
            return (await service.PendingAsync(me, ct)).Select(r => Dto.Request(r, me));
        });
        friends.MapPost("/requests", async (HttpContext http, FriendRequestCreate body, FriendService service, CancellationToken ct) =>
        {
            var me = http.User.UserId();
            var request = await service.RequestAsync(me, body.User, body.Message, ct);
            return Results.Created($"/api/friends/requests/{request.Request.Id}", Dto.Request(request, me));
        }).Produces<FriendRequestDto>(201).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);
        friends.MapPost("/requests/{id:long}/accept", async (HttpContext http, long id, FriendService service, CancellationToken ct) =>
        {
            var me = http.User.UserId();
            return Dto.Request(await service.AcceptAsync(me, id, ct), me);
        }).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);
        friends.MapPost("/requests/{id:long}/decline", async (HttpContext http, long id, FriendService service, CancellationToken ct) =>
        {
            var me = http.User.UserId();
            return Dto.Request(await service.DeclineAsync(me, id, ct), me);
        }).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);
        friends.MapDelete("/requests/{id:long}", async (HttpContext http, long id, FriendService service, CancellationToken ct) =>
        {
            await service.CancelAsync(http.User.UserId(), id, ct);
            return Results.NoContent();
        }).ProducesProblem(404).ProducesProblem(409);
        friends.MapDelete("/{user}", async (HttpContext http, string user, FriendService service, CancellationToken ct) =>
        {
            await service.RemoveAsync(http.User.UserId(), user, ct);
            return Results.NoContent();
        }).ProducesProblem(404);

        var blocks = app.MapGroup("/api/blocks").WithTags("Friends").RequireAuthorization();
        blocks.MapGet("/", async (HttpContext http, FriendService service, CancellationToken ct) =>
            (await service.BlockedAsync(http.User.UserId(), ct)).Select(Dto.Summary));
        blocks.MapPut("/{user}", async (HttpContext http, string user, FriendService service, CancellationToken ct) =>
        {
            await service.BlockAsync(http.User.UserId(), user, ct);
            return Results.NoContent();
        }).ProducesProblem(404);
        blocks.MapDelete("/{user}", async (HttpContext http, string user, FriendService service, CancellationToken ct) =>
        {
            await service.UnblockAsync(http.User.UserId(), user, ct);
            return Results.NoContent();
        }).ProducesProblem(404);
        return app;
    }
}
