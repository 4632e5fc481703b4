using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Parley.Client.Rest;
using Parley.Client.Serialization;

namespace Parley.Client;

/// <summary>
/// Typed calls to the Parley REST API (docs/rest-api.md). <see cref="LoginAsync"/> stores the token, which
/// every later call sends as <c>Authorization: Bearer</c>. Failures throw <see cref="ParleyApiException"/>.
/// Instances are safe for concurrent use.
/// </summary>
public sealed partial class ParleyApiClient : IDisposable
{
    private static readonly ParleyJsonContext Json = ParleyJsonContext.Default;
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly Uri _baseUri;

    /// <summary>Creates a client for the server at <paramref name="baseUri"/> (e.g. <c>https://chat.example.com/</c>).</summary>
    /// <param name="baseUri">Base address of the server.</param>
    /// <param name="httpClient">HTTP client to use; when <see langword="null"/>, one is created and owned by this instance.</param>
    public ParleyApiClient(Uri baseUri, HttpClient? httpClient = null)
    {
        ArgumentNullException.ThrowIfNull(baseUri);
        _baseUri = baseUri.AbsoluteUri.EndsWith('/') ? baseUri : new Uri(baseUri.AbsoluteUri + "/");
        _http = httpClient ?? new HttpClient();
        _ownsHttp = httpClient is null;
    }

    /// <summary>The bearer token sent with every call; set by <see cref="LoginAsync"/>, cleared by <see cref="LogoutAsync"/>.</summary>
    public string? AccessToken { get; set; }

    /// <summary>The server's base address.</summary>
    public Uri BaseUri => _baseUri;

    /// <summary>Registers a new account. Does not log in.</summary>
    /// <param name="account">Account name (3–32 of <c>a-z 0-9 _ . -</c>, starting with a letter).</param>
    /// <param name="password">Password (8–128 characters).</param>
    /// <param name="displayName">Display name (1–64 characters).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The new profile.</returns>
    public Task<UserProfile> RegisterAsync(string account, string password, string displayName, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, "api/auth/register", new RegisterRequest(account, password, displayName), Json.RegisterRequest, Json.UserProfile, cancellationToken);

    /// <summary>Logs in and stores the token in <see cref="AccessToken"/>.</summary>
    /// <param name="account">Account name.</param>
    /// <param name="password">Password.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The token, its expiry and the profile.</returns>
    public async Task<LoginResult> LoginAsync(string account, string password, CancellationToken cancellationToken = default)
    {
        var result = await SendAsync(HttpMethod.Post, "api/auth/login", new LoginRequest(account, password), Json.LoginRequest, Json.LoginResult, cancellationToken).ConfigureAwait(false);
        AccessToken = result.Token;
        return result;
    }

    /// <summary>Revokes the current token (or every token of the user) and clears <see cref="AccessToken"/>.</summary>
    /// <param name="everywhere">Revoke every token of the user, not only this one.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the server has revoked the token.</returns>
    public async Task LogoutAsync(bool everywhere = false, CancellationToken cancellationToken = default)
    {
        await SendAsync(HttpMethod.Post, "api/auth/logout?everywhere=" + (everywhere ? "true" : "false"), cancellationToken).ConfigureAwait(false);
        AccessToken = null;
    }

    /// <summary>Gets the signed-in user's profile.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The profile.</returns>
    public Task<UserProfile> GetMeAsync(CancellationToken cancellationToken = default) =>
        GetAsync("api/me", Json.UserProfile, cancellationToken);

    /// <summary>Updates the signed-in user's profile; null fields stay unchanged.</summary>
    /// <param name="update">Fields to change.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The updated profile.</returns>
    public Task<UserProfile> UpdateMeAsync(ProfileUpdate update, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Patch, "api/me", update, Json.ProfileUpdate, Json.UserProfile, cancellationToken);

    /// <summary>Changes the password; other tokens of the user stop working.</summary>
    /// <param name="currentPassword">Current password.</param>
    /// <param name="newPassword">New password.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the password has changed.</returns>
    public Task ChangePasswordAsync(string currentPassword, string newPassword, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Put, "api/me/password", new PasswordChangeRequest(currentPassword, newPassword), Json.PasswordChangeRequest, cancellationToken);

    /// <summary>Releases the HTTP client if this instance created it.</summary>
    public void Dispose()
    {
        if (_ownsHttp)
        {
            _http.Dispose();
        }
    }

    private static string Seg(string value) => Uri.EscapeDataString(value);

    private Task<T> GetAsync<T>(string path, JsonTypeInfo<T> result, CancellationToken ct) =>
        SendCoreAsync(HttpMethod.Get, path, null, result, ct);

    private Task<T> SendAsync<TBody, T>(HttpMethod method, string path, TBody body, JsonTypeInfo<TBody> bodyType, JsonTypeInfo<T> result, CancellationToken ct) =>
        SendCoreAsync(method, path, Body(body, bodyType), result, ct);

    private Task SendAsync<TBody>(HttpMethod method, string path, TBody body, JsonTypeInfo<TBody> bodyType, CancellationToken ct) =>
        SendCoreAsync<object>(method, path, Body(body, bodyType), null, ct);

    private Task SendAsync(HttpMethod method, string path, CancellationToken ct) =>
        SendCoreAsync<object>(method, path, null, null, ct);

    /// <summary>Serialises eagerly so the request has a Content-Length (no chunked upload).</summary>
    private static ByteArrayContent Body<TBody>(TBody body, JsonTypeInfo<TBody> type)
    {
        var content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(body, type));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        return content;
    }

    private async Task<T> SendCoreAsync<T>(HttpMethod method, string path, HttpContent? content, JsonTypeInfo<T>? result, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, new Uri(_baseUri, path)) { Content = content };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (AccessToken is { } token)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, ct).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw await ToExceptionAsync(response, ct).ConfigureAwait(false);
        }

        if (result is null)
        {
            return default!;
        }

        var value = await response.Content.ReadFromJsonAsync(result, ct).ConfigureAwait(false);
        return value ?? throw new ParleyApiException(response.StatusCode, "Empty response", $"{method} {path} returned no body.");
    }

    private static async Task<ParleyApiException> ToExceptionAsync(HttpResponseMessage response, CancellationToken ct)
    {
        ProblemDetailsDto? problem = null;
        string? raw = null;
        try
        {
            raw = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
            if (!string.IsNullOrWhiteSpace(raw) && raw.TrimStart().StartsWith('{'))
            {
                problem = JsonSerializer.Deserialize(raw, Json.ProblemDetailsDto);
            }
        }
        catch (JsonException)
        {
            // Not problem details: fall back to the raw text.
        }

        return new ParleyApiException(
            response.StatusCode,
            problem?.Title ?? response.ReasonPhrase,
            problem?.Detail ?? (problem is null && !string.IsNullOrWhiteSpace(raw) ? raw : null),
            problem?.Errors);
    }

    private static string Query(params (string Name, object? Value)[] parameters)
    {
        var parts = parameters.Where(p => p.Value is not null)
            .Select(p => $"{p.Name}={Uri.EscapeDataString(Convert.ToString(p.Value, System.Globalization.CultureInfo.InvariantCulture)!)}");
        var q = string.Join('&', parts);
        return q.Length == 0 ? "" : "?" + q;
    }

}
