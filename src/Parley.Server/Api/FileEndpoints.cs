using System.Globalization;
using Parley.Abstractions.Files;
using Parley.Core.Files;
using Parley.Core.Services;
using Parley.Server.Auth;

namespace Parley.Server.Api;

public static class FileEndpoints
{
    public static IEndpointRouteBuilder MapFileEndpoints(this IEndpointRouteBuilder app)
    {
        var files = app.MapGroup("/api/files").WithTags("Files").RequireAuthorization();
        files.MapPost("/", async (HttpContext http, string? kind, FileService service) =>
        {
            var limit = service.LimitFor(kind);
            if (limit == 0 || kind == UploadPolicy.Avatar)
                return ProblemMapping.FromCode(Abstractions.ErrorCodes.InvalidField, "kind must be image, audio, video or file");
            var userId = http.User.UserId();
            var file = await UploadReader.ReadAsync(http, kind!, limit,
                (content, type, name) => service.UploadAsync(userId, kind, content, type, name, http.RequestAborted));
            return Results.Created(Dto.FileUrl(file), Dto.File(file));
        // No Accepts metadata: routing would then refuse every body type not listed, and any type is a valid claim here.
        }).Produces<FileDto>(201)
            .ProducesProblem(400).ProducesProblem(413).ProducesProblem(415);

        files.MapMethods("/{id}", [HttpMethods.Get, HttpMethods.Head], async (HttpContext http, string id, FileService service) =>
        {
            // Unknown and not-yours are the same 404: the answer must not tell whether a file exists.
            var file = await service.GetReadableAsync(http.User.UserId(), id, http.RequestAborted);
            if (file is null) return Results.Problem(statusCode: 404, title: "no such file");
            return await FileResponses.WriteAsync(http, service, file, attachment: file.Kind == FileKinds.File, FileResponses.Revalidate);
        }).Produces(200).Produces(206).Produces(304).ProducesProblem(404).Produces(416);

        var me = app.MapGroup("/api/me").WithTags("Accounts").RequireAuthorization();
        me.MapPut("/avatar", async (HttpContext http, FileService service, AccountService accounts) =>
        {
            var userId = http.User.UserId();
            var file = await UploadReader.ReadAsync(http, "avatar", service.LimitFor(UploadPolicy.Avatar),
                (content, type, name) => service.SetAvatarAsync(userId, content, type, name, http.RequestAborted));
            var url = string.Create(CultureInfo.InvariantCulture, $"/api/users/{userId}/avatar?v={file.Sha256[..12]}");
            return Results.Ok(Dto.Profile(await accounts.SetAvatarUrlAsync(userId, url, http.RequestAborted)));
        }).Produces<UserProfile>().ProducesProblem(400).ProducesProblem(413).ProducesProblem(415);
        me.MapDelete("/avatar", async (HttpContext http, FileService service, AccountService accounts, CancellationToken ct) =>
        {
            var userId = http.User.UserId();
            await service.ClearAvatarAsync(userId, ct);
            await accounts.SetAvatarUrlAsync(userId, null, ct);
            return Results.NoContent();
        }).Produces(204);

        app.MapMethods("/api/users/{user}/avatar", [HttpMethods.Get, HttpMethods.Head], async (HttpContext http, string user, AccountService accounts,
            FileService service) =>
        {
            var account = await accounts.ResolveAsync(user, http.RequestAborted);
            var file = await service.GetAvatarAsync(account.Id, http.RequestAborted);
            if (file is null) return Results.Problem(statusCode: 404, title: "no avatar");
            // The profile's avatarUrl changes with the content (?v=), so a browser may keep this one for a day.
            return await FileResponses.WriteAsync(http, service, file, attachment: false, "private, max-age=86400");
        }).WithTags("Accounts").RequireAuthorization().Produces(200).Produces(304).ProducesProblem(404);
        return app;
    }
}
