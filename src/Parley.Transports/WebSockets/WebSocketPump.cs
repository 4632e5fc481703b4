using System.Buffers;
using System.Net.WebSockets;
using Parley.Abstractions;
using Parley.Abstractions.Events;
using Parley.Core.Sessions;

namespace Parley.Transports.WebSockets;

/// <summary>How one WebSocket protocol reads and writes; the pump does the rest.</summary>
public interface IWebSocketProtocol
{
    /// <summary>Handles one complete inbound message.</summary>
    ValueTask OnMessageAsync(ClientConnection connection, ReadOnlyMemory<byte> message, bool binary);

    /// <summary>Bytes for one outbound event (empty = nothing to send) and whether they go as a text message.</summary>
    ReadOnlyMemory<byte> Encode(ClientConnection connection, ServerEvent ev, out bool text);

    /// <summary>Close status and reason for a disconnect code.</summary>
    (WebSocketCloseStatus Status, string Reason) CloseStatus(DisconnectCode code);
}

/// <summary>
/// Runs a WebSocket for a <see cref="ClientConnection"/>: a receive loop that reassembles messages up to a size
/// limit in pooled buffers, a write loop that drains the connection's queue, and a clean close with the engine's
/// code. A peer that does not complete the close, or stops reading, is aborted after a grace period.
/// </summary>
public static class WebSocketPump
{
    private const int InitialBuffer = 4096;
    private static readonly TimeSpan CloseGrace = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan SendTimeLimit = TimeSpan.FromSeconds(15);
    // Bounds one write (and the time it is given) however fast events keep arriving.
    private const int MaxEventsPerWrite = 256;

    public static async Task RunAsync(OutboundWebSocket outbound, ClientConnection connection, IWebSocketProtocol protocol, int maxMessageBytes)
    {
        var socket = outbound.Socket;
        using var abort = new CancellationTokenSource();
        using var registration = connection.Closing.Register(() =>
        {
            try { abort.CancelAfter(CloseGrace); } catch (ObjectDisposedException) { }
        });
        var writer = WriteLoopAsync(outbound, connection, protocol, abort.Token);
        try
        {
            await ReadLoopAsync(socket, connection, protocol, maxMessageBytes, abort.Token);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException)
        {
            connection.Close(DisconnectCode.Normal);
        }
        finally
        {
            connection.Close(DisconnectCode.Normal);
            try { await writer; } catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException) { }
            if (socket.State == WebSocketState.CloseSent) await AwaitPeerCloseAsync(socket);
            if (socket.State is not (WebSocketState.Closed or WebSocketState.Aborted)) socket.Abort();
        }
    }

    /// <summary>
    /// After the server's close frame (ours, or the socket's own for invalid UTF-8), give the peer a moment to answer
    /// so it reads the close code instead of a reset.
    /// </summary>
    private static async Task AwaitPeerCloseAsync(WebSocket socket)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(1024);
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            while (socket.State == WebSocketState.CloseSent)
            {
                var result = await socket.ReceiveAsync(buffer.AsMemory(), timeout.Token);
                if (result.MessageType == WebSocketMessageType.Close) break;
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException or InvalidOperationException) { }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static async Task ReadLoopAsync(WebSocket socket, ClientConnection connection, IWebSocketProtocol protocol, int max, CancellationToken abort)
    {
        using var buffer = new PooledMessageBuffer(InitialBuffer, max);
        while (true)
        {
            var result = await buffer.ReceiveAsync(socket, abort);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                connection.Close(DisconnectCode.Normal);
                return;
            }
            buffer.Advance(result.Count);
            if (connection.IsClosed)
            {
                // Closing: discard input until the peer answers the close frame (or the grace period aborts).
                buffer.Reset();
                continue;
            }
            if (buffer.OverLimit)
            {
                connection.Close(DisconnectCode.FrameTooLarge);
                buffer.Reset();
                continue;
            }
            if (!result.EndOfMessage) continue;
            await protocol.OnMessageAsync(connection, buffer.Written, result.MessageType == WebSocketMessageType.Binary);
            buffer.Reset();
        }
    }

    private static async Task WriteLoopAsync(OutboundWebSocket outbound, ClientConnection connection, IWebSocketProtocol protocol, CancellationToken abort)
    {
        var socket = outbound.Socket;
        // One timer per connection, re-armed per send: a peer that stops reading is closed as a slow consumer.
        // Not disposed: the abort registration may still cancel it, and an unarmed source holds nothing.
        var sendLimit = new CancellationTokenSource();
        using var abortRegistration = abort.Register(static s => ((CancellationTokenSource)s!).Cancel(), sendLimit);
        try
        {
            while (await connection.WaitToDequeueAsync(abort))
            {
                // Everything queued leaves in one write (see FrameBatchStream); the time limit covers the writes.
                sendLimit.CancelAfter(SendTimeLimit);
                for (var n = 0; n < MaxEventsPerWrite && connection.TryDequeue(out var ev); n++)
                {
                    var bytes = protocol.Encode(connection, ev, out var text);
                    if (!bytes.IsEmpty) await outbound.Write(bytes, text, sendLimit.Token);
                }
                await outbound.FlushAsync(sendLimit.Token);
                if (!sendLimit.TryReset()) throw new OperationCanceledException();
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException)
        {
            connection.Close(abort.IsCancellationRequested || ex is not OperationCanceledException ? DisconnectCode.Normal : DisconnectCode.SlowConsumer);
            return;
        }
        if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
        {
            var (status, reason) = protocol.CloseStatus(connection.CloseCode ?? DisconnectCode.Normal);
            try { await socket.CloseOutputAsync(status, reason, abort); }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException) { }
        }
    }
}
