using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Parley.Abstractions.Calls;
using Parley.Core;
using Parley.Core.Auth;
using Parley.Core.Clients;
using Parley.Core.Services;
using Parley.Server.Auth;

namespace Parley.Server.Api;

/// <summary>Client kinds: tokens for devices and programs, and server → client calls for trusted callers.</summary>
public static class ClientEndpoints
{
    public static IEndpointRouteBuilder MapClientEndpoints(this IEndpointRouteBuilder app)
    {
        var clients = app.MapGroup("/api/clients").WithTags("Client kinds");
        clients.MapPost("/token", async (HttpContext http, ClientTokenRequest body, ClientAuthService auth, AccountService accounts, CancellationToken ct) =>
        {
            // A bearer token that does not authenticate is an error, not a silent "no user".
            var presented = http.Request.Headers.Authorization.Count > 0 || http.Request.Query.ContainsKey("access_token");
            if (presented && http.User.Identity?.IsAuthenticated != true)
                return Results.Problem(statusCode: 401, title: "Unauthorized", detail: "the bearer token (naming the user) is invalid");
            var user = http.User.Identity?.IsAuthenticated == true ? await accounts.RequireAsync(http.User.UserId(), ct) : null;
            var token = auth.Issue(body.Kind, body.ClientId, body.Secret, user);
            return Results.Ok(new ClientTokenResponse(token.Token, token.ExpiresAt, token.Kind, token.ClientId, token.UserId));
        }).RequireRateLimiting(AccountEndpoints.AuthRateLimit)
            .Produces<ClientTokenResponse>().ProducesProblem(400).ProducesProblem(401).ProducesProblem(403).ProducesProblem(429);

        clients.MapPost("/logout", async (HttpContext http, TokenService tokens, ClientAuthService auth, CancellationToken ct) =>
        {
            var header = http.Request.Headers.Authorization.ToString();
            var bearer = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header[7..].Trim() : null;
            var (client, _) = await tokens.ValidateClientAsync(bearer, ct);
            if (client is null) return Results.Problem(statusCode: 401, title: "Unauthorized", detail: "a valid client token is required");
            await auth.LogoutAsync(client, ct);
            return Results.NoContent();
        }).Produces(204).ProducesProblem(401);

        var admin = app.MapGroup("/api/admin").WithTags("Administration").RequireAuthorization(AdminEndpoints.Policy);
        admin.MapPost("/calls", async (ClientCallBody body, IClientCalls calls, AccountService accounts, CancellationToken ct) =>
        {
            ClientTarget target;
            if (body.Kind is not null || body.ClientId is not null)
            {
                if (body.User is not null) return Invalid("name either user or kind and clientId");
                if (!ClientKinds.IsValidKindName(body.Kind) || !ClientKinds.IsValidClientId(body.ClientId)) return Invalid("kind and clientId must both be valid");
                target = ClientTarget.ClientOf(body.Kind!, body.ClientId!);
            }
            else if (body.User is { } user)
            {
                var reference = user.ValueKind switch
                {
                    JsonValueKind.String => user.GetString(),
                    JsonValueKind.Number when user.TryGetInt64(out var id) && id > 0 => id.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    _ => null,
                };
                if (reference is null) return Invalid("user must be an account name or a user id");
                target = ClientTarget.User((await accounts.ResolveAsync(reference, ct)).Id);
            }
            else
            {
                return Invalid("a target is required: user, or kind and clientId");
            }
            if (string.IsNullOrEmpty(body.Method)) return Invalid("method is required");
            if (body.TimeoutMs is <= 0) return Invalid("timeoutMs must be positive");
            var result = await calls.CallAsync(target, body.Method, body.Payload is { ValueKind: not JsonValueKind.Null } p ? p : null,
                body.TimeoutMs is { } ms ? TimeSpan.FromMilliseconds(ms) : null, ct);
            return ToHttp(result);
        }).Produces<ClientCallResponse>().ProducesProblem(400).ProducesProblem(404).ProducesProblem(429).ProducesProblem(502).ProducesProblem(504);

        admin.MapPost("/clients/{kind}/{clientId}/kick", (string kind, string clientId, Core.Messaging.ChatEngine engine) =>
            ClientKinds.IsValidKindName(kind) && ClientKinds.IsValidClientId(clientId)
                ? Results.Ok(new KickResult(engine.CloseClient(new ClientIdentity(kind, clientId), Abstractions.DisconnectCode.Kicked)))
                : Invalid("invalid kind or clientId")).Produces<KickResult>().ProducesProblem(400);
        return app;
    }

    /// <summary>200 with the client's data, or a problem whose status says how the call failed (docs/rest-api.md).</summary>
    public static IResult ToHttp(ClientCallResult result)
    {
        if (result.Succeeded) return Results.Ok(new ClientCallResponse(result.Data));
        var (status, outcome) = result.Status switch
        {
            ClientCallStatus.NotConnected => (404, "not_connected"),
            ClientCallStatus.TimedOut => (504, "timed_out"),
            ClientCallStatus.ClientError => (502, "client_error"),
            ClientCallStatus.ConnectionLost => (502, "connection_lost"),
            ClientCallStatus.TooManyCalls => (429, "too_many_calls"),
            _ => (400, "invalid"),
        };
        var extensions = new Dictionary<string, object?> { ["outcome"] = outcome };
        if (result.Status == ClientCallStatus.ClientError) extensions["clientCode"] = result.ErrorCode;
        return Results.Problem(statusCode: status, title: result.ErrorMessage ?? outcome, extensions: extensions);
    }

    private static IResult Invalid(string why) => Results.Problem(statusCode: 400, title: why, extensions: new Dictionary<string, object?> { ["outcome"] = "invalid" });
}

public sealed record ClientTokenRequest(string? Kind, string? ClientId, string? Secret);
public sealed record ClientTokenResponse(string Token, DateTimeOffset ExpiresAt, string Kind, string ClientId, long? UserId);
/// <summary>A call to one client: <c>user</c> (name or id), or <c>kind</c> and <c>clientId</c>.</summary>
public sealed record ClientCallBody(JsonElement? User, string? Kind, string? ClientId, string? Method, JsonElement? Payload, int? TimeoutMs);
public sealed record ClientCallResponse(JsonElement? Data);
