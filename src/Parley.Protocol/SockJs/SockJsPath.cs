namespace Parley.Protocol.SockJs;

/// <summary>What a request path under the SockJS endpoint prefix addresses.</summary>
public enum SockJsRequestKind
{
    /// <summary>Not a SockJS URL (answer 404).</summary>
    Invalid,

    /// <summary><c>/</c> or empty: the "Welcome to SockJS!" greeting.</summary>
    Greeting,

    /// <summary><c>/info</c>.</summary>
    Info,

    /// <summary><c>/iframe.html</c> or <c>/iframe-{version}.html</c>.</summary>
    Iframe,

    /// <summary><c>/websocket</c>: a plain WebSocket without SockJS framing.</summary>
    RawWebSocket,

    /// <summary><c>/{server}/{session}/{transport}</c>.</summary>
    Transport,
}

/// <summary>SockJS session transports.</summary>
public enum SockJsTransport
{
    None,
    WebSocket,
    Xhr,
    XhrSend,
    XhrStreaming,
    EventSource,
    HtmlFile,
    Jsonp,
    JsonpSend,
}

/// <summary>A parsed SockJS URL; <see cref="ServerId"/>, <see cref="SessionId"/> are set only for Transport.</summary>
public readonly record struct SockJsRequest(SockJsRequestKind Kind, SockJsTransport Transport = SockJsTransport.None, string? ServerId = null, string? SessionId = null)
{
    /// <summary>True for transports that receive client messages rather than open a receiving session.</summary>
    public bool IsSend => Transport is SockJsTransport.XhrSend or SockJsTransport.JsonpSend;
}

/// <summary>Recognises the SockJS URL scheme.</summary>
public static class SockJsPath
{
    /// <summary>
    /// Parses <paramref name="path"/>, the part after the endpoint prefix (e.g. <c>/123/abcd/xhr_send</c>).
    /// Anything after <c>?</c> is ignored. Server and session ids must be non-empty and contain no dots.
    /// </summary>
    public static SockJsRequest Parse(ReadOnlySpan<char> path)
    {
        var query = path.IndexOf('?');
        if (query >= 0)
        {
            path = path[..query];
        }

        if (path.IsEmpty || path is "/")
        {
            return new SockJsRequest(SockJsRequestKind.Greeting);
        }

        if (path is "/info")
        {
            return new SockJsRequest(SockJsRequestKind.Info);
        }

        if (path is "/websocket")
        {
            return new SockJsRequest(SockJsRequestKind.RawWebSocket);
        }

        if (IsIframe(path))
        {
            return new SockJsRequest(SockJsRequestKind.Iframe);
        }

        Span<Range> parts = stackalloc Range[5];
        if (path[0] != '/' || path[1..].Split(parts, '/') != 3)
        {
            return default;
        }

        var rest = path[1..];
        var server = rest[parts[0]];
        var session = rest[parts[1]];
        var transport = ParseTransport(rest[parts[2]]);
        if (!IsValidId(server) || !IsValidId(session) || transport == SockJsTransport.None)
        {
            return default;
        }

        return new SockJsRequest(SockJsRequestKind.Transport, transport, server.ToString(), session.ToString());
    }

    private static bool IsValidId(ReadOnlySpan<char> id) => !id.IsEmpty && !id.Contains('.');

    private static bool IsIframe(ReadOnlySpan<char> path)
    {
        if (!path.StartsWith("/iframe") || !path.EndsWith(".html"))
        {
            return false;
        }

        foreach (var c in path["/iframe".Length..^".html".Length])
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_'))
            {
                return false;
            }
        }

        return true;
    }

    private static SockJsTransport ParseTransport(ReadOnlySpan<char> name) => name switch
    {
        "websocket" => SockJsTransport.WebSocket,
        "xhr" => SockJsTransport.Xhr,
        "xhr_send" => SockJsTransport.XhrSend,
        "xhr_streaming" => SockJsTransport.XhrStreaming,
        "eventsource" => SockJsTransport.EventSource,
        "htmlfile" => SockJsTransport.HtmlFile,
        "jsonp" => SockJsTransport.Jsonp,
        "jsonp_send" => SockJsTransport.JsonpSend,
        _ => SockJsTransport.None,
    };
}
