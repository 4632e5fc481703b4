using System.Buffers;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.WebUtilities;

namespace Parley.Transports.WebSockets.Direct;

/// <summary>
/// An upgrade read straight off a Kestrel connection (see <see cref="DirectWebSocketUpgrades"/>): the handshake's
/// answer is written to the connection's pipe and a <see cref="PipeWebSocket"/> runs on the pipes, with no HTTP request
/// object, stream adapter or timer held for the connection's lifetime.
/// </summary>
public sealed class DirectUpgradeRequest(ConnectionContext connection, UpgradeHead head) : IUpgradeRequest
{
    // Dropped once answered: the endpoint's frame holds this request for the whole session, the head holds the token.
    private UpgradeHead? _head = head;

    public UpgradeHead Head => _head ?? throw new InvalidOperationException("the upgrade has been answered");

    public string? Token =>
        QueryHelpers.ParseNullableQuery(Head.Query) is { } query && query.TryGetValue("access_token", out var q) && !string.IsNullOrEmpty(q)
            ? q.ToString()
            : HttpUpgradeRequest.BearerOf(Head.Authorization);

    public string? Remote => connection.RemoteEndPoint is IPEndPoint ip ? $"{ip.Address}:{ip.Port}" : null;

    public CancellationToken Aborted => connection.ConnectionClosed;
    public string? Origin => Head.Origin;
    public string? Host => Head.Host;

    /// <summary>Always plain HTTP: on a TLS endpoint the middleware steps aside.</summary>
    public string Scheme => "http";

    public IReadOnlyList<string> RequestedSubProtocols =>
        Head.SubProtocols?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries) ?? [];

    public async Task RejectAsync(int status, string title, string? detail)
    {
        var body = ProblemBody(status, title, detail);
        var head = $"HTTP/1.1 {status} {ReasonPhrases.GetReasonPhrase(status)}\r\nContent-Type: application/problem+json\r\n" +
                   $"Content-Length: {body.Length}\r\nConnection: close\r\n\r\n";
        _head = null;
        var output = connection.Transport.Output;
        output.Write(Encoding.ASCII.GetBytes(head));
        output.Write(body);
        await output.FlushAsync(connection.ConnectionClosed);
    }

    public async Task<OutboundWebSocket> AcceptAsync(string? subProtocol, TimeSpan keepAliveInterval)
    {
        var answer = new StringBuilder("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Accept: ")
            .Append(Head.Accept).Append("\r\n");
        if (subProtocol is not null) answer.Append("Sec-WebSocket-Protocol: ").Append(subProtocol).Append("\r\n");
        answer.Append("\r\n");
        _head = null;
        var output = connection.Transport.Output;
        output.Write(Encoding.ASCII.GetBytes(answer.ToString()));
        await output.FlushAsync(connection.ConnectionClosed);
        var socket = new PipeWebSocket(connection.Transport, subProtocol, keepAliveInterval, connection.Abort);
        return new OutboundWebSocket(socket, socket, connection.Abort);
    }

    /// <summary>The same problem+json shape as ASP.NET Core's <c>Results.Problem</c>.</summary>
    private static byte[] ProblemBody(int status, string title, string? detail)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            if (TypeOf(status) is { } type) json.WriteString("type", type);
            json.WriteString("title", title);
            json.WriteNumber("status", status);
            if (detail is not null) json.WriteString("detail", detail);
            json.WriteEndObject();
        }
        return buffer.ToArray();
    }

    private static string? TypeOf(int status) => status switch
    {
        400 => "https://tools.ietf.org/html/rfc9110#section-15.5.1",
        401 => "https://tools.ietf.org/html/rfc9110#section-15.5.2",
        403 => "https://tools.ietf.org/html/rfc9110#section-15.5.4",
        409 => "https://tools.ietf.org/html/rfc9110#section-15.5.10",
        429 => "https://tools.ietf.org/html/rfc6585#section-4",
        503 => "https://tools.ietf.org/html/rfc9110#section-15.6.4",
        _ => null,
    };
}
