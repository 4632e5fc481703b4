using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Parley.Core.Sessions;

namespace Parley.Transports.WebSockets;

/// <summary>
/// Completes a WebSocket upgrade (RFC 6455 §4.2.2) over a <see cref="FrameBatchStream"/>, so that the transports'
/// write loops can send everything queued for a connection in one write. The caller has checked
/// <c>context.WebSockets.IsWebSocketRequest</c>. Where Kestrel cannot hand over the raw connection (HTTP/2's
/// extended CONNECT), the standard accept is used and messages go out one write each.
/// </summary>
public static class WebSocketAcceptor
{
    private static readonly byte[] KeyGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"u8.ToArray();

    public static async Task<OutboundWebSocket> AcceptAsync(HttpContext context, string? subProtocol, TimeSpan keepAliveInterval)
    {
        var upgrade = context.Features.Get<IHttpUpgradeFeature>();
        var key = context.Request.Headers.SecWebSocketKey.ToString();
        if (upgrade is not { IsUpgradableRequest: true } || AcceptKey(key) is not { } accept)
        {
            var standard = await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext
            {
                SubProtocol = subProtocol,
                KeepAliveInterval = keepAliveInterval,
            });
            return new OutboundWebSocket(standard, null, context.Abort);
        }
        var headers = context.Response.Headers;
        headers.Connection = "Upgrade";
        headers.Upgrade = "websocket";
        headers.SecWebSocketAccept = accept;
        if (subProtocol is not null) headers.SecWebSocketProtocol = subProtocol;
        var stream = new FrameBatchStream(await upgrade.UpgradeAsync());
        var socket = WebSocket.CreateFromStream(stream, new WebSocketCreationOptions
        {
            IsServer = true,
            SubProtocol = subProtocol,
            KeepAliveInterval = keepAliveInterval,
        });
        return new OutboundWebSocket(socket, stream, context.Abort);
    }

    /// <summary>The Sec-WebSocket-Accept value for a client's key; null when the key is not 16 bytes in base64.</summary>
    public static string? AcceptKey(string key)
    {
        Span<byte> decoded = stackalloc byte[16];
        if (key.Length != 24 || !Convert.TryFromBase64String(key, decoded, out var n) || n != 16) return null;
        Span<byte> input = stackalloc byte[24 + KeyGuid.Length];
        Encoding.ASCII.GetBytes(key, input);
        KeyGuid.CopyTo(input[24..]);
        return Convert.ToBase64String(SHA1.HashData(input));
    }
}

/// <summary>
/// A server WebSocket and, when it has one, its write batch (a <see cref="FrameBatchStream"/> under a ManagedWebSocket,
/// or the socket itself for a <see cref="Direct.PipeWebSocket"/>). Write loops call <see cref="Write"/> for each queued
/// message and <see cref="FlushAsync"/> once they have drained their queue. As the connection's
/// <see cref="IConnectionLink"/> it lets the sweep abort the socket and the connection under it
/// (<paramref name="abortTransport"/>: the HTTP request's or the Kestrel connection's abort), and drive the keep-alive
/// of a socket that has no timer of its own.
/// </summary>
public sealed class OutboundWebSocket(WebSocket socket, IFrameBatch? batch, Action abortTransport) : IConnectionLink, IDisposable
{
    // A burst larger than this leaves in several writes, so one connection's backlog does not build one huge buffer.
    private const int FlushAtBytes = 64 * 1024;

    public WebSocket Socket { get; } = socket;

    /// <summary>True when messages are batched (false on the standard accept path).</summary>
    public bool Batches => batch is not null;

    /// <summary>Queues one whole message; it is sent at the latest by the next <see cref="FlushAsync"/>.</summary>
    public ValueTask Write(ReadOnlyMemory<byte> message, bool text, CancellationToken ct)
    {
        if (batch is null) return Socket.SendAsync(message, text ? WebSocketMessageType.Text : WebSocketMessageType.Binary, true, ct);
        // As SendAsync would: nothing follows a close frame (which the socket may have sent on its own, for bad input).
        if (Socket.State is not (WebSocketState.Open or WebSocketState.CloseReceived))
            throw new WebSocketException(WebSocketError.InvalidState, "the WebSocket is closing");
        return batch.AppendFrame(message.Span, text) >= FlushAtBytes ? batch.FlushBatchAsync(ct) : default;
    }

    /// <summary>Sends what <see cref="Write"/> queued.</summary>
    public ValueTask FlushAsync(CancellationToken ct) => batch?.FlushBatchAsync(ct) ?? default;

    /// <summary>Aborts the socket and the connection under it, which ends pending reads and writes with an error.</summary>
    public void Abort()
    {
        try { Socket.Abort(); }
        catch (Exception) { }
        try { abortTransport(); }
        catch (Exception) { }
    }

    /// <summary>A <see cref="Direct.PipeWebSocket"/> pings from here; a ManagedWebSocket keeps its own keep-alive timer.</summary>
    public void KeepAliveTick(long timestamp)
    {
        if (Socket is Direct.PipeWebSocket pipe) pipe.KeepAliveTick(timestamp);
    }

    public void Dispose() => Socket.Dispose();

    /// <summary>
    /// A link that only passes the sweep's keep-alive ticks on, for sessions that keep their own close deadlines
    /// (STOMP, MobileIMSDK: a MobileIMSDK client may log out and in again on one socket, so a closed engine connection
    /// does not mean a finished socket).
    /// </summary>
    public IConnectionLink KeepAliveOnly() => new KeepAliveLink(this);

    private sealed class KeepAliveLink(OutboundWebSocket outbound) : IConnectionLink
    {
        public void Abort() { }
        public void KeepAliveTick(long timestamp) => outbound.KeepAliveTick(timestamp);
    }
}
