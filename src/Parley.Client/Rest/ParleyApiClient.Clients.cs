using Parley.Client.Rest;

namespace Parley.Client;

public sealed partial class ParleyApiClient
{
    /// <summary>
    /// Gets a client token for a device or program of a configured client kind (<c>POST /api/clients/token</c>). When
    /// <see cref="AccessToken"/> is set, the token names that user too (if the kind allows it).
    /// </summary>
    /// <param name="kind">Client kind.</param>
    /// <param name="clientId">The client's id within its kind (1–64 of <c>A-Z a-z 0-9 _ . : -</c>).</param>
    /// <param name="secret">The kind's secret.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The token and its expiry.</returns>
    /// <exception cref="ParleyApiException">401 for a wrong kind or secret, 403 when the kind allows no user.</exception>
    public Task<ClientTokenResult> GetClientTokenAsync(string kind, string clientId, string secret, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, "api/clients/token", new ClientTokenRequest(kind, clientId, secret), Json.ClientTokenRequest, Json.ClientTokenResult, cancellationToken);
}
