using System.Buffers;
using System.Net;
using System.Net.WebSockets;
using System.Text.Json;
using Parley.Client.Serialization;

namespace Parley.Client.Realtime;

/// <summary>One open WebSocket: framing, serialised writes, liveness tracking.</summary>
internal sealed class Connection : IDisposable
{
    private readonly ClientWebSocket _socket;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly ArrayBufferWriter<byte> _readBuffer = new(4096);
    private readonly int _maxFrameBytes;
    private long _lastReceiveTicks = Environment.TickCount64;

    private Connection(ClientWebSocket socket, int maxFrameBytes)
    {
        _socket = socket;
        _maxFrameBytes = maxFrameBytes;
    }

    public WelcomeInfo Welcome { get; private set; } = null!;

    /// <summary>Cancelled when this connection ends; stops its heartbeat and other background work.</summary>
    public CancellationTokenSource Lifetime { get; } = new();

    public TimeSpan SinceLastReceive => TimeSpan.FromMilliseconds(Environment.TickCount64 - Interlocked.Read(ref _lastReceiveTicks));

    public static async Task<Connection> OpenAsync(Uri uri, ParleyClientOptions options, CancellationToken ct)
    {
        var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        socket.Options.KeepAliveInterval = TimeSpan.Zero;
        var connection = new Connection(socket, options.MaxReceiveFrameBytes);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(options.ConnectTimeout);
        try
        {
            try
            {
                await socket.ConnectAsync(uri, timeout.Token).ConfigureAwait(false);
            }
            catch (WebSocketException ex) when (socket.HttpStatusCode is not 0 and not HttpStatusCode.SwitchingProtocols)
            {
                throw new ParleyConnectionException($"The server refused the connection: HTTP {(int)socket.HttpStatusCode}.", httpStatus: socket.HttpStatusCode, inner: ex);
            }

            while (true)
            {
                var (frame, closed) = await connection.ReadAsync(timeout.Token).ConfigureAwait(false);
                if (closed)
                {
                    throw new ParleyConnectionException(
                        $"The server closed the connection before welcome: {(int?)socket.CloseStatus} {socket.CloseStatusDescription}",
                        closeCode: (int?)socket.CloseStatus);
                }

                if (frame?.Type == "welcome")
                {
                    connection.Welcome = new WelcomeInfo(
                        frame.UserId ?? 0, frame.UserName, frame.ConnectionId ?? 0, frame.HeartbeatMs ?? 25_000,
                        frame.IdleTimeoutMs ?? 60_000, frame.MaxFrameBytes ?? 65_536, frame.ServerTime ?? 0)
                    {
                        ClientKind = frame.ClientKind,
                        ClientId = frame.ClientId,
                    };
                    return connection;
                }
            }
        }
        catch (OperationCanceledException ex) when (!ct.IsCancellationRequested)
        {
            connection.Dispose();
            throw new ParleyConnectionException("Timed out connecting to the server.", inner: ex);
        }
        catch (Exception ex) when (ex is not ParleyConnectionException and not OperationCanceledException)
        {
            connection.Dispose();
            throw new ParleyConnectionException("Could not connect: " + ex.Message, inner: ex);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>Reads one frame. Returns (null, false) for an unparseable frame, (_, true) when the server closed.</summary>
    public async Task<(ServerFrame? Frame, bool Closed)> ReadAsync(CancellationToken ct)
    {
        _readBuffer.ResetWrittenCount();
        while (true)
        {
            var memory = _readBuffer.GetMemory(4096);
            var result = await _socket.ReceiveAsync(memory, ct).ConfigureAwait(false);
            Interlocked.Exchange(ref _lastReceiveTicks, Environment.TickCount64);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return (null, true);
            }

            _readBuffer.Advance(result.Count);
            if (_readBuffer.WrittenCount > _maxFrameBytes)
            {
                throw new ParleyConnectionException($"A frame from the server exceeded {_maxFrameBytes} bytes.");
            }

            if (result.EndOfMessage)
            {
                break;
            }
        }

        try
        {
            return (JsonSerializer.Deserialize(_readBuffer.WrittenSpan, ParleyJsonContext.Default.ServerFrame), false);
        }
        catch (JsonException)
        {
            return (null, false);
        }
    }

    public int? CloseStatus => (int?)_socket.CloseStatus;

    public string? CloseDescription => _socket.CloseStatusDescription;

    public async Task WriteAsync(ClientFrame frame, CancellationToken ct)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(frame, ParleyJsonContext.Default.ClientFrame);
        await _writeLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            await _socket.SendAsync(bytes, WebSocketMessageType.Text, true, ct).ConfigureAwait(false);
        }
        // A socket aborted under the write (the server process died) surfaces as a cancellation of the write itself,
        // not of ct: that is a lost connection too, so a send is kept for the resend after reconnecting.
        catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException or InvalidOperationException or IOException
                                       || ex is OperationCanceledException && !ct.IsCancellationRequested)
        {
            throw new ParleyConnectionException("The connection was lost while sending.", inner: ex);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Completes the close handshake (best effort, bounded by <paramref name="timeout"/>).</summary>
    public async Task CloseAsync(int code, string reason, TimeSpan timeout)
    {
        try
        {
            using var cts = new CancellationTokenSource(timeout);
            if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                await _socket.CloseOutputAsync((WebSocketCloseStatus)code, reason, cts.Token).ConfigureAwait(false);
            }
        }
        catch (Exception)
        {
            Abort();
        }
    }

    public void Abort() => _socket.Abort();

    public void Dispose()
    {
        Lifetime.Cancel();
        _socket.Dispose();
    }
}
