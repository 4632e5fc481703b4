using Parley.Core.Messaging;
using Parley.Core.Services;
using Parley.Server.Auth;

namespace Parley.Server.Api;

public static class AccountEndpoints
{
    public const string AuthRateLimit = "auth";

    public static IEndpointRouteBuilder MapAccountEndpoints(this IEndpointRouteBuilder app)
    {
        var auth = app.MapGroup("/api/auth").WithTags("Accounts");
        auth.MapPost("/register", async (RegisterRequest body, AccountService accounts, CancellationToken ct) =>
        {
            var account = await accounts.RegisterAsync(body.Account, body.Password, body.DisplayName, ct);
            return Results.Created($"/api/users/{account.Id}", Dto.Profile(account));
        }).RequireRateLimiting(AuthRateLimit).Produces<UserProfile>(201).ProducesProblem(400).ProducesProblem(409).ProducesProblem(429);

        auth.MapPost("/login", async (LoginRequest body, AccountService accounts, CancellationToken ct) =>
        {
            var result = await accounts.LoginAsync(body.Account, body.Password, ct);
            return Results.Ok(new LoginResponse(result.Token, result.ExpiresAt, Dto.Profile(result.Account)));
        }).RequireRateLimiting(AuthRateLimit).Produces<LoginResponse>().ProducesProblem(401).ProducesProblem(429);

        auth.MapPost("/logout", async (HttpContext http, bool? everywhere, AccountService accounts, CancellationToken ct) =>
        {
            var user = http.User;
            await accounts.LogoutAsync(user.UserId(), user.TokenId(), user.TokenExpires(), everywhere ?? false, ct);
            return Results.NoContent();
        }).RequireAuthorization().Produces(204).ProducesProblem(401);

        var me = app.MapGroup("/api/me").WithTags("Accounts").RequireAuthorization();
        me.MapGet("/", async (HttpContext http, AccountService accounts, CancellationToken ct) =>
            Dto.Profile(await accounts.RequireAsync(http.User.UserId(), ct)));
        me.MapPatch("/", async (HttpContext http, ProfileUpdate body, AccountService accounts, CancellationToken ct) =>
            Dto.Profile(await accounts.UpdateProfileAsync(http.User.UserId(),
                new ProfileChange(body.DisplayName, body.AvatarUrl, body.Bio, body.DirectMessages), ct))).ProducesProblem(400);
        me.MapPut("/password", async (HttpContext http, PasswordChange body, AccountService accounts, CancellationToken ct) =>
        {
            var result = await accounts.ChangePasswordAsync(http.User.UserId(), body.CurrentPassword, body.NewPassword, ct);
            return Results.Ok(new LoginResponse(result.Token, result.ExpiresAt, Dto.Profile(result.Account)));
        }).Produces<LoginResponse>().ProducesProblem(400).ProducesProblem(403);

        var users = app.MapGroup("/api/users").WithTags("Accounts").RequireAuthorization();
        users.MapGet("/online", async (HttpContext http, PresenceService presence, FriendService friends, CancellationToken ct) =>
            (await friends.ViewsAsync(await presence.VisibleOnlineAsync(http.User.UserId(), ct), ct)).Select(Dto.Summary));
        users.MapGet("/{user}", async (string user, AccountService accounts, PresenceService presence, CancellationToken ct) =>
        {
            var account = await accounts.ResolveAsync(user, ct);
            return Dto.Summary(account, presence.IsOnline(account.Id));
        }).ProducesProblem(404);
        return app;
    }
}
