using System.Buffers;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Parley.Protocol;
using Parley.Protocol.MobileImSdk;

using Parley.Transports.WebSockets;

namespace Parley.Transports.MobileImSdk;

/// <summary>
/// WebSocket: one envelope per text frame; a binary frame or an oversize message closes the session. The server
/// closes with 1000 "Bye". Not on <see cref="WebSockets.WebSocketPump"/>, which needs a logged-in connection from the
/// start, whereas here the login is the first packet.
/// </summary>
public sealed class MobileImWebSocketEndpoint(MobileImGateway gateway, IOptions<MobileImGatewayOptions> options)
{
    private static readonly TimeSpan CloseGrace = TimeSpan.FromSeconds(5);

    public async Task HandleAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }
        await RunAsync(new HttpUpgradeRequest(context));
    }

    /// <summary>Upgrades and runs a session; also for upgrades taken off the connection (<c>DirectWebSocketUpgrades</c>).</summary>
    public async Task RunAsync(IUpgradeRequest request)
    {
        var remote = request.Remote;
        var keepAlive = options.Value.WebSocketKeepAliveMs;
        using var outbound = await request.AcceptAsync(null, keepAlive > 0 ? TimeSpan.FromMilliseconds(keepAlive) : Timeout.InfiniteTimeSpan);
        var socket = outbound.Socket;
        var session = new WsSession(outbound, remote, options.Value.WebSocket) { Link = outbound.KeepAliveOnly() };
        gateway.Start(session);
        var max = session.Options.MaxPacketBytes;
        using var buffer = new PooledMessageBuffer(8192, max);
        using var abort = new CancellationTokenSource();
        using var registration = session.TransportClosed.Register(() =>
        {
            try { abort.CancelAfter(CloseGrace); } catch (ObjectDisposedException) { }
        });
        try
        {
            while (true)
            {
                var result = await buffer.ReceiveAsync(socket, abort.Token);
                if (result.MessageType == WebSocketMessageType.Close) break;
                if (session.IsClosing)
                {
                    // The server decided to close: input is ignored until the peer answers the close (or the grace ends),
                    // so the close frame is not lost to a reset.
                    buffer.Reset();
                    continue;
                }
                buffer.Advance(result.Count);
                if (result.MessageType == WebSocketMessageType.Binary)
                {
                    await gateway.HandleAsync(session, new ProtocalDecodeResult(ParseStatus.Malformed, null, "binary frame"));
                    continue;
                }
                if (buffer.OverLimit)
                {
                    await gateway.HandleAsync(session, new ProtocalDecodeResult(ParseStatus.TooLarge, null, $"message exceeds {max} bytes"));
                    continue;
                }
                if (!result.EndOfMessage) continue;
                await gateway.HandleAsync(session, ProtocalCodec.Decode(buffer.Written.Span, max));
                buffer.Reset();
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException) { }
        finally
        {
            gateway.End(session);
            await Task.WhenAny(session.Completion, Task.Delay(CloseGrace));
            if (socket.State is not (WebSocketState.Closed or WebSocketState.Aborted)) socket.Abort();
        }
    }

    private sealed class WsSession(OutboundWebSocket outbound, string? remote, ListenerOptions options)
        : MobileImSession(MobileImGateway.WebSocketTransport, remote, options, closesOnError: true)
    {
        private readonly WebSocket socket = outbound.Socket;

        protected override ValueTask WriteAsync(byte[] packet, CancellationToken ct) => outbound.Write(packet, text: true, ct);

        protected override ValueTask FlushAsync(CancellationToken ct) => outbound.FlushAsync(ct);

        protected override async ValueTask CloseTransportAsync()
        {
            if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                using var timeout = new CancellationTokenSource(CloseGrace);
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "Bye", timeout.Token);
            }
        }
    }
}
