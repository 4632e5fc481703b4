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
/// code. The deadlines (a peer that does not complete the close, or stops reading) are kept by
/// <see cref="ConnectionSweeper"/>, which aborts the socket through the link attached here: an idle connection holds
/// no timer and no cancellation source of its own.
/// </summary>
public static class WebSocketPump
{
    private const int InitialBuffer = 4096;
    // Bounds one write (and the time it is given) however fast events keep arriving.
    private const int MaxEventsPerWrite = 256;

    public static async Task RunAsync(OutboundWebSocket outbound, ClientConnection connection, IWebSocketProtocol protocol, int maxMessageBytes)
    {
        var socket = outbound.Socket;
        connection.Attach(outbound);
        var writer = WriteLoopAsync(outbound, connection, protocol);
        // The receive loop runs in this frame (not a method of its own): one parked frame less per idle connection.
        using var buffer = new PooledMessageBuffer(InitialBuffer, maxMessageBytes);
        try
        {
            while (true)
            {
                var result = await buffer.ReceiveAsync(socket, CancellationToken.None);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    connection.Close(DisconnectCode.Normal);
                    break;
                }
                buffer.Advance(result.Count);
                if (connection.IsClosed)
                {
                    // Closing: discard input until the peer answers the close frame (or the sweep aborts the socket).
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
        catch (Exception ex) when (IsTransportEnd(ex))
        {
            connection.Close(DisconnectCode.Normal);
        }
        finally
        {
            connection.Close(DisconnectCode.Normal);
            try { await writer; } catch (Exception ex) when (IsTransportEnd(ex)) { }
            if (socket.State == WebSocketState.CloseSent) await AwaitPeerCloseAsync(socket);
            if (socket.State is not (WebSocketState.Closed or WebSocketState.Aborted)) socket.Abort();
        }
    }

    /// <summary>How a socket ends under the pump: the peer went, the socket failed, or the sweep aborted it.</summary>
    private static bool IsTransportEnd(Exception ex) => ex is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException;

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
        catch (Exception ex) when (IsTransportEnd(ex) || ex is InvalidOperationException) { }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static async Task WriteLoopAsync(OutboundWebSocket outbound, ClientConnection connection, IWebSocketProtocol protocol)
    {
        var socket = outbound.Socket;
        try
        {
            while (await connection.WaitToDequeueAsync())
            {
                // Everything queued leaves in one write (see FrameBatchStream); a write that stalls past the send time
                // limit is the sweep's to end (slow consumer).
                connection.BeginWrite();
                for (var n = 0; n < MaxEventsPerWrite && connection.TryDequeue(out var ev); n++)
                {
                    var bytes = protocol.Encode(connection, ev, out var text);
                    if (!bytes.IsEmpty) await outbound.Write(bytes, text, CancellationToken.None);
                }
                await outbound.FlushAsync(CancellationToken.None);
                connection.EndWrite();
            }
        }
        catch (Exception ex) when (IsTransportEnd(ex))
        {
            connection.Close(DisconnectCode.Normal);
            return;
        }
        if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
        {
            var (status, reason) = protocol.CloseStatus(connection.CloseCode ?? DisconnectCode.Normal);
            try { await socket.CloseOutputAsync(status, reason, CancellationToken.None); }
            catch (Exception ex) when (IsTransportEnd(ex)) { }
        }
    }
}
