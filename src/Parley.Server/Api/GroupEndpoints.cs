using Parley.Core.Messaging;
using Parley.Core.Services;
using Parley.Server.Auth;

namespace Parley.Server.Api;

public static class GroupEndpoints
{
    public static IEndpointRouteBuilder MapGroupEndpoints(this IEndpointRouteBuilder app)
    {
        var groups = app.MapGroup("/api/groups").WithTags("Groups").RequireAuthorization();
        groups.MapPost("/", async (HttpContext http, GroupCreate body, GroupService service, CancellationToken ct) =>
        {
            var group = await service.CreateAsync(http.User.UserId(), body.Name, body.InviteOnly ?? false, ct);
            return Results.Created($"/api/groups/{group.Group.Id}", Dto.Group(group));
        }).Produces<GroupDto>(201).ProducesProblem(400);
        groups.MapGet("/", async (HttpContext http, GroupService service, CancellationToken ct) =>
            (await service.MineAsync(http.User.UserId(), ct)).Select(Dto.Group));
        groups.MapGet("/{id:long}", async (HttpContext http, long id, GroupService service, CancellationToken ct) =>
            Dto.Group(await service.GetAsync(http.User.UserId(), id, ct))).ProducesProblem(404);
        groups.MapPatch("/{id:long}", async (HttpContext http, long id, GroupUpdate body, GroupService service, CancellationToken ct) =>
            Dto.Group(await service.UpdateAsync(http.User.UserId(), id, body.Name, body.InviteOnly, ct))).ProducesProblem(403).ProducesProblem(404);
        groups.MapDelete("/{id:long}", async (HttpContext http, long id, GroupService service, CancellationToken ct) =>
        {
            await service.DissolveAsync(http.User.UserId(), id, ct);
            return Results.NoContent();
        }).ProducesProblem(403).ProducesProblem(404);
        groups.MapPost("/{id:long}/join", async (HttpContext http, long id, GroupService service, CancellationToken ct) =>
            Dto.Group(await service.JoinAsync(http.User.UserId(), id, ct))).ProducesProblem(403).ProducesProblem(404);
        groups.MapPost("/{id:long}/leave", async (HttpContext http, long id, GroupService service, CancellationToken ct) =>
        {
            await service.LeaveAsync(http.User.UserId(), id, ct);
            return Results.NoContent();
        }).ProducesProblem(404);
        groups.MapPost("/{id:long}/invites", async (HttpContext http, long id, GroupInvite body, GroupService service, CancellationToken ct) =>
        {
            await service.InviteAsync(http.User.UserId(), id, body.User, ct);
            return Results.NoContent();
        }).ProducesProblem(403).ProducesProblem(404);
        groups.MapGet("/{id:long}/members", async (HttpContext http, long id, GroupService service, CancellationToken ct) =>
            (await service.MembersAsync(http.User.UserId(), id, ct)).Select(Dto.Member)).ProducesProblem(403).ProducesProblem(404);
        groups.MapGet("/{id:long}/online", async (HttpContext http, long id, ChatEngine engine, FriendService friends, CancellationToken ct) =>
        {
            var online = await engine.OnlineMembersAsync(http.User.UserId(), id, ct);
            if (!online.Ok) return ProblemMapping.FromCode(online.ErrorCode, online.Error!);
            return Results.Ok((await friends.ViewsAsync(online.Value!.Select(u => u.Id).ToList(), ct)).Select(Dto.Summary));
        }).Produces<IEnumerable<UserSummary>>().ProducesProblem(403).ProducesProblem(404);
        groups.MapDelete("/{id:long}/members/{user}", async (HttpContext http, long id, string user, GroupService service, CancellationToken ct) =>
        {
            await service.RemoveMemberAsync(http.User.UserId(), id, user, ct);
            return Results.NoContent();
        }).ProducesProblem(403).ProducesProblem(404);
        return app;
    }
}
