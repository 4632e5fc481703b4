using System.Buffers;
using System.Net.WebSockets;
using System.Text;
using Parley.Abstractions;
using Parley.Protocol.SockJs;

using Parley.Transports.WebSockets;

namespace Parley.Transports.Stomp;

/// <summary>
/// Runs a <see cref="StompSession"/> over a WebSocket, raw (<c>/stomp</c>) or in SockJS framing (<c>o</c>,
/// <c>a[...]</c>, <c>h</c>, <c>c[...]</c>). Unlike the native pump, the session exists before the engine
/// connection (CONNECT comes in-band) and writes go through the session's byte-counted outbox, so the send buffer
/// limit and the per-write send time limit apply.
/// </summary>
public static class StompWebSocketRunner
{
    private static readonly TimeSpan CloseGrace = TimeSpan.FromSeconds(5);

    public static async Task RunAsync(OutboundWebSocket outbound, StompSession session, StompOptions options, bool sockJs)
    {
        var socket = outbound.Socket;
        session.Link = outbound.KeepAliveOnly();
        using var abort = new CancellationTokenSource();
        var reader = ReadLoopAsync(socket, session, options, sockJs, abort.Token);
        var writer = WriteLoopAsync(outbound, session, options, sockJs, abort.Token);
        var first = await Task.WhenAny(reader, writer);
        if (first == reader) await session.DisposeAsync();
        abort.CancelAfter(CloseGrace);
        try { await Task.WhenAll(reader, writer); }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException) { }
        await session.DisposeAsync();
        if (socket.State is not (WebSocketState.Closed or WebSocketState.Aborted)) socket.Abort();
    }

    private static async Task ReadLoopAsync(WebSocket socket, StompSession session, StompOptions options, bool sockJs, CancellationToken abort)
    {
        // SockJS messages are JSON strings: escaping may grow a frame up to 6 times in the worst case.
        var max = sockJs ? options.MaxInboundMessageBytes * 6 + 64 : options.MaxInboundMessageBytes;
        using var buffer = new PooledMessageBuffer(4096, max);
        while (true)
        {
            var result = await buffer.ReceiveAsync(socket, abort);
            if (result.MessageType == WebSocketMessageType.Close) return;
            // Once the session ends, input is read and dropped until the peer completes the close: stopping
            // reading early would reset the connection and could lose the ERROR frame on its way out.
            if (session.Ended)
            {
                buffer.Reset();
                continue;
            }
            buffer.Advance(result.Count);
            if (buffer.OverLimit)
            {
                session.Fail(DisconnectCode.FrameTooLarge, $"message exceeds {options.MaxInboundMessageBytes} bytes");
                buffer.Reset();
                continue;
            }
            if (!result.EndOfMessage) continue;
            if (!sockJs) await session.OnDataAsync(buffer.Written);
            else await OnSockJsMessageAsync(session, buffer.Written, max);
            buffer.Reset();
        }
    }

    private static async ValueTask OnSockJsMessageAsync(StompSession session, ReadOnlyMemory<byte> message, int max)
    {
        var span = message.Span.Trim(" \t\r\n"u8);
        if (span.IsEmpty) return;
        IReadOnlyList<string> messages;
        if (span[0] == (byte)'"')
        {
            // sockjs-node also accepts a single JSON string.
            var parsed = SockJsMessageParser.Parse([.. "["u8, .. span, .. "]"u8], max + 2);
            messages = parsed.IsSuccess ? parsed.Messages : [];
            if (!parsed.IsSuccess) session.Fail(DisconnectCode.ProtocolError, "broken SockJS JSON encoding");
        }
        else
        {
            var parsed = SockJsMessageParser.Parse(span, max);
            messages = parsed.Messages;
            if (!parsed.IsSuccess) session.Fail(DisconnectCode.ProtocolError, "broken SockJS JSON encoding");
        }
        foreach (var m in messages) await session.OnDataAsync(Encoding.UTF8.GetBytes(m));
    }

    private static async Task WriteLoopAsync(OutboundWebSocket socket, StompSession session, StompOptions options, bool sockJs, CancellationToken abort)
    {
        var outbox = session.Outbox;
        var sendLimit = TimeSpan.FromMilliseconds(options.SendTimeLimitMs);
        if (sockJs) await SendAsync(socket, "o"u8.ToArray(), session, sendLimit, abort);
        while (true)
        {
            bool more;
            if (sockJs)
            {
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(abort);
                wait.CancelAfter(options.SockJsHeartbeatMs);
                try { more = await outbox.WaitToReadAsync(wait.Token); }
                catch (OperationCanceledException) when (!abort.IsCancellationRequested)
                {
                    await SendAsync(socket, "h"u8.ToArray(), session, sendLimit, abort);
                    continue;
                }
            }
            else
            {
                more = await outbox.WaitToReadAsync(abort);
            }
            if (!more) break;
            var items = outbox.TakeAvailable(64 * 1024);
            if (sockJs)
            {
                await SendAsync(socket, Encoding.UTF8.GetBytes(SockJsFrames.MessagesFrame(items.Select(i => Encoding.UTF8.GetString(i.Span)))), session, sendLimit, abort);
            }
            else
            {
                await SendAsync(socket, items, session, sendLimit, abort);
            }
        }
        var code = outbox.CloseCode ?? DisconnectCode.Normal;
        if (socket.Socket.State is not (WebSocketState.Open or WebSocketState.CloseReceived)) return;
        if (sockJs)
        {
            var (sockCode, reason) = SockJsClose(code);
            await SendAsync(socket, Encoding.UTF8.GetBytes(SockJsFrames.CloseFrame(sockCode, reason)), session, sendLimit, abort);
            await socket.Socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, reason, abort);
        }
        else
        {
            await socket.Socket.CloseOutputAsync((WebSocketCloseStatus)code.ToWebSocketStatus(), code.ToReason(), abort);
        }
    }

    /// <summary>SockJS close frame for a disconnect code: 3000 "Go away!" when normal, else 4000+code with the reason.</summary>
    public static (int Code, string Reason) SockJsClose(DisconnectCode code) =>
        code == DisconnectCode.Normal ? (SockJsFrames.GoAwayCode, SockJsFrames.GoAwayReason) : (code.ToWebSocketStatus(), code.ToReason());

    private static Task SendAsync(OutboundWebSocket socket, ReadOnlyMemory<byte> bytes, StompSession session, TimeSpan limit, CancellationToken abort) =>
        SendAsync(socket, [bytes], session, limit, abort);

    /// <summary>Sends frames as one write (each its own WebSocket message), within Spring's send time limit.</summary>
    private static async Task SendAsync(OutboundWebSocket socket, IReadOnlyList<ReadOnlyMemory<byte>> items, StompSession session, TimeSpan limit,
        CancellationToken abort)
    {
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(abort);
        timer.CancelAfter(limit);
        try
        {
            foreach (var item in items) await socket.Write(item, text: true, timer.Token);
            await socket.FlushAsync(timer.Token);
        }
        catch (OperationCanceledException) when (!abort.IsCancellationRequested)
        {
            // Spring's sendTimeLimit: a session whose writes stall is closed.
            session.Connection?.Close(DisconnectCode.SlowConsumer);
            throw;
        }
    }
}
