using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Parley.Transports.Stomp;

/// <summary>
/// Which browser origins may open STOMP WebSockets and SockJS sessions: the server's own origin plus
/// <see cref="StompOptions.AllowedOrigins"/> (<c>*</c> = any). Requests without an Origin header (non-browser
/// clients) are allowed, as in Spring.
/// </summary>
public sealed class StompOriginPolicy(IOptions<StompOptions> options)
{
    private readonly HashSet<string> _allowed = options.Value.AllowedOrigins.Select(o => o.Trim().TrimEnd('/')).ToHashSet(StringComparer.OrdinalIgnoreCase);

    public bool IsAllowed(HttpRequest request) => IsAllowed(request.Headers.Origin.ToString(), request.Scheme, request.Host.Value);

    /// <param name="origin">The Origin header (null or empty: not a browser).</param>
    /// <param name="scheme">The request's scheme and <paramref name="host"/> its Host header: the server's own origin.</param>
    public bool IsAllowed(string? origin, string scheme, string? host)
    {
        if (string.IsNullOrEmpty(origin)) return true;
        if (_allowed.Contains("*") || _allowed.Contains(origin.TrimEnd('/'))) return true;
        return Uri.TryCreate(origin, UriKind.Absolute, out var uri)
            && string.Equals(uri.Scheme, scheme, StringComparison.OrdinalIgnoreCase)
            && string.Equals(uri.Authority, host, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>CORS headers for an allowed cross-origin request (SockJS xhr transports).</summary>
    public static void ApplyCors(HttpContext context)
    {
        var origin = context.Request.Headers.Origin.ToString();
        var headers = context.Response.Headers;
        headers.AccessControlAllowOrigin = string.IsNullOrEmpty(origin) || origin == "null" ? "*" : origin;
        if (!string.IsNullOrEmpty(origin) && origin != "null") headers.AccessControlAllowCredentials = "true";
        headers.Vary = "Origin";
    }
}
