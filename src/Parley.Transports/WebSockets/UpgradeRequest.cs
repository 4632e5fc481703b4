using Microsoft.AspNetCore.Http;

namespace Parley.Transports.WebSockets;

/// <summary>
/// A WebSocket upgrade request that an endpoint authenticates, then refuses with an HTTP answer or accepts. It comes
/// either through ASP.NET Core's pipeline (<see cref="HttpUpgradeRequest"/>) or straight off the connection
/// (<see cref="Direct.DirectUpgradeRequest"/>), so that each endpoint has one code path for both.
/// </summary>
public interface IUpgradeRequest
{
    /// <summary>The bearer token: the <c>access_token</c> query parameter, else an <c>Authorization: Bearer</c> header.</summary>
    string? Token { get; }

    /// <summary>The peer as <c>address:port</c>.</summary>
    string? Remote { get; }

    /// <summary>Cancelled when the connection goes away before or during the handshake.</summary>
    CancellationToken Aborted { get; }

    /// <summary>The browser's Origin header, if any.</summary>
    string? Origin { get; }

    /// <summary>The Host header and the scheme, against which a same-origin request is recognised.</summary>
    string? Host { get; }
    string Scheme { get; }

    /// <summary>The sub-protocols the client offered, in its order.</summary>
    IReadOnlyList<string> RequestedSubProtocols { get; }

    /// <summary>Answers with an HTTP error (a problem+json body) instead of upgrading.</summary>
    Task RejectAsync(int status, string title, string? detail);

    /// <summary>Completes the handshake; the socket batches its outbound frames where the transport allows.</summary>
    Task<OutboundWebSocket> AcceptAsync(string? subProtocol, TimeSpan keepAliveInterval);
}

/// <summary>An upgrade that came through ASP.NET Core's middleware and routing.</summary>
public sealed class HttpUpgradeRequest(HttpContext context) : IUpgradeRequest
{
    public string? Token => TokenFrom(context.Request);
    public string? Remote => RemoteOf(context);
    public CancellationToken Aborted => context.RequestAborted;
    public string? Origin => context.Request.Headers.Origin is { Count: > 0 } origin ? origin.ToString() : null;
    public string? Host => context.Request.Host.Value;
    public string Scheme => context.Request.Scheme;
    public IReadOnlyList<string> RequestedSubProtocols => [.. context.WebSockets.WebSocketRequestedProtocols];

    public Task RejectAsync(int status, string title, string? detail) =>
        Results.Problem(statusCode: status, title: title, detail: detail).ExecuteAsync(context);

    public Task<OutboundWebSocket> AcceptAsync(string? subProtocol, TimeSpan keepAliveInterval) =>
        WebSocketAcceptor.AcceptAsync(context, subProtocol, keepAliveInterval);

    public static string? TokenFrom(HttpRequest request) =>
        request.Query.TryGetValue("access_token", out var q) && !string.IsNullOrEmpty(q) ? q.ToString() : BearerOf(request.Headers.Authorization.ToString());

    /// <summary>The token of an <c>Authorization: Bearer</c> value, else null.</summary>
    public static string? BearerOf(string? authorization) =>
        authorization is not null && authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? authorization[7..].Trim() : null;

    public static string? RemoteOf(HttpContext context) =>
        context.Connection.RemoteIpAddress is { } ip ? $"{ip}:{context.Connection.RemotePort}" : null;
}
