using System.Globalization;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Parley.Core.Auth;

namespace Parley.Server.Auth;

/// <summary>
/// Bearer authentication through <see cref="TokenService"/>, the same validation every transport uses, so a
/// revoked token or disabled account is refused on REST exactly as on the sockets.
/// </summary>
public sealed class ParleyTokenAuthentication(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    TokenService tokens) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Bearer";
    public const string TokenIdClaim = "jti";
    public const string ExpiresClaim = "exp";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        string? token = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header[7..].Trim() : null;
        if (token is null && Request.Query.TryGetValue("access_token", out var q)) token = q.ToString();
        if (string.IsNullOrEmpty(token)) return AuthenticateResult.NoResult();
        var (user, failure) = await tokens.ValidateAsync(token, Context.RequestAborted);
        if (user is null) return AuthenticateResult.Fail(failure.ToString());
        var identity = new ClaimsIdentity(
        [
            new Claim("sub", user.Account.Id.ToString(CultureInfo.InvariantCulture)),
            new Claim("name", user.Account.Name),
            new Claim(TokenIdClaim, user.TokenId),
            new Claim(ExpiresClaim, user.ExpiresAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)),
        ], SchemeName, "name", null);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer";
        await Results.Problem(statusCode: 401, title: "Unauthorized", detail: "a valid bearer token is required").ExecuteAsync(Context);
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        await Results.Problem(statusCode: 403, title: "Forbidden").ExecuteAsync(Context);
}

/// <summary>Claims of the authenticated caller.</summary>
public static class CallerExtensions
{
    public static long UserId(this ClaimsPrincipal user) => long.Parse(user.FindFirst("sub")!.Value, CultureInfo.InvariantCulture);
    public static string TokenId(this ClaimsPrincipal user) => user.FindFirst(ParleyTokenAuthentication.TokenIdClaim)!.Value;
    public static DateTimeOffset TokenExpires(this ClaimsPrincipal user) =>
        DateTimeOffset.FromUnixTimeSeconds(long.Parse(user.FindFirst(ParleyTokenAuthentication.ExpiresClaim)!.Value, CultureInfo.InvariantCulture));
}
