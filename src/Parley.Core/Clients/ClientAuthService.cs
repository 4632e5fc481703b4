using Parley.Abstractions;
using Parley.Abstractions.Model;
using Parley.Core.Auth;
using Parley.Core.Messaging;

namespace Parley.Core.Clients;

/// <summary>A client token as issued.</summary>
public sealed record ClientToken(string Token, DateTimeOffset ExpiresAt, string Kind, string ClientId, long? UserId);

/// <summary>Issues client tokens for a kind's secret, and revokes them.</summary>
public sealed class ClientAuthService(ClientKinds kinds, TokenService tokens, ChatEngine engine)
{
    /// <summary>
    /// Checks the kind's secret (in constant time, against its hash) and issues a token for the client id; with
    /// <paramref name="user"/> (proven by the caller's own user token) the token names that user too, if the kind
    /// allows it. Unknown kind and wrong secret are the same refusal.
    /// </summary>
    public ClientToken Issue(string? kind, string? clientId, string? secret, Account? user)
    {
        if (!ClientKinds.IsValidClientId(clientId)) throw ParleyException.Invalid("clientId", "1-64 of A-Z a-z 0-9 _ . : -");
        if (string.IsNullOrEmpty(kind)) throw ParleyException.Invalid("kind", "required");
        var found = kinds.Find(kind);
        // An unknown kind costs the same hash as a known one, so timing does not tell which kinds exist.
        var ok = found is null ? Decoy.VerifySecret(secret) && false : found.VerifySecret(secret);
        if (!ok || found is null) throw new ParleyException(ParleyErrorKind.Unauthorized, ErrorCodes.Forbidden, "invalid client credentials");
        if (user is not null && !found.AllowUser)
            throw new ParleyException(ParleyErrorKind.Forbidden, ErrorCodes.Forbidden, $"client kind '{found.Name}' does not allow tokens that name a user");
        var (token, _, expires) = tokens.IssueClient(found, clientId!, user);
        return new ClientToken(token, expires, found.Name, clientId!, user?.Id);
    }

    /// <summary>Revokes the client token and closes the connection opened with it.</summary>
    public async Task LogoutAsync(AuthenticatedClient client, CancellationToken ct)
    {
        await tokens.RevokeAsync(client.TokenId, client.ExpiresAt, ct);
        engine.CloseClient(client.Identity, DisconnectCode.LoggedOut, client.TokenId);
    }

    private static readonly ClientKind Decoy = new("decoy", new Options.ClientKindOptions { Secret = Guid.NewGuid().ToString("N") },
        ConnectionLimits.From(new Options.ConnectionOptions(), new Options.ClientsOptions(), null), 60);
}
