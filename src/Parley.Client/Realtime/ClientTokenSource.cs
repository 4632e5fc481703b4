namespace Parley.Client.Realtime;

/// <summary>Fetches client tokens and reuses one until shortly before it expires, or until the server refuses it.</summary>
internal sealed class ClientTokenSource(ParleyApiClient api, string kind, string clientId, string secret) : IDisposable
{
    private static readonly TimeSpan RefreshBefore = TimeSpan.FromMinutes(1);
    private readonly SemaphoreSlim _gate = new(1, 1);
    private ClientTokenResult? _current;

    public async ValueTask<string> GetAsync(CancellationToken ct)
    {
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (_current is not { } token || token.ExpiresAt - DateTimeOffset.UtcNow < RefreshBefore)
            {
                _current = token = await api.GetClientTokenAsync(kind, clientId, secret, ct).ConfigureAwait(false);
            }

            return token.Token;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The server refused the token (revoked, secret rotated): fetch a new one next time.</summary>
    public void Invalidate() => _current = null;

    public void Dispose()
    {
        api.Dispose();
        _gate.Dispose();
    }
}
