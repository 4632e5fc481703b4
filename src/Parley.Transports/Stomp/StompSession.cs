using System.Buffers;
using System.Text;
using Microsoft.Extensions.Logging;
using Parley.Abstractions;
using Parley.Core.Messaging;
using Parley.Core.Sessions;
using Parley.Protocol;
using Parley.Protocol.Stomp;

namespace Parley.Transports.Stomp;

/// <summary>
/// One STOMP session, independent of how bytes travel (WebSocket, SockJS): reassembles frames from any split of
/// the input, authenticates CONNECT, opens a <see cref="ClientConnection"/> on the engine and translates frames to
/// engine calls; engine events become frames in <see cref="Outbox"/>, which the transport writes.
/// Input must be fed by one caller at a time.
/// </summary>
public sealed partial class StompSession : IAsyncDisposable
{
    private static long _nextId;
    private readonly StompServer _server;
    private readonly string _transport;
    private readonly string? _remote;
    private readonly string? _handshakeToken;
    private readonly CancellationTokenSource _life = new();
    private byte[] _buffer = [];
    private int _length;
    private int _errorSent;
    private int _disposed;
    private Task? _drain;
    private Task? _heartbeat;

    internal StompSession(StompServer server, string transport, string? remote, string? handshakeToken)
    {
        _server = server;
        _transport = transport;
        _remote = remote;
        _handshakeToken = handshakeToken;
        Id = Interlocked.Increment(ref _nextId);
        Outbox = new StompOutbox(server.Options.SendBufferSizeLimitBytes);
        _ = ConnectDeadlineAsync();
    }

    public long Id { get; }

    /// <summary>Encoded frames for the transport to write; completed (with a close code) when the session ends.</summary>
    public StompOutbox Outbox { get; }

    /// <summary>The engine connection, once CONNECT succeeded.</summary>
    public ClientConnection? Connection { get; private set; }

    /// <summary>Attached to the engine connection at CONNECT, for the sweep's keep-alive ticks (WebSocket sessions).</summary>
    public IConnectionLink? Link { get; set; }

    /// <summary>The negotiated STOMP version.</summary>
    public string Version { get; private set; } = "1.2";

    /// <summary>True once the session is ending: further input is ignored.</summary>
    public bool Ended => Outbox.IsCompleted || Connection is { IsClosed: true } || Volatile.Read(ref _errorSent) != 0;

    private ChatEngine Engine => _server.Engine;

    /// <summary>Feeds received bytes (a WebSocket message, a SockJS message); frames may be split or combined anyhow.</summary>
    public async ValueTask OnDataAsync(ReadOnlyMemory<byte> data)
    {
        if (Ended) return;
        if (_length + data.Length > _server.Options.MaxInboundMessageBytes * 2L)
        {
            Fail(DisconnectCode.FrameTooLarge, $"frame exceeds {_server.Options.MaxInboundMessageBytes} bytes");
            return;
        }
        // The usual case, nothing left over from an earlier message: frames are parsed straight from this one (a parsed
        // frame copies what it keeps), and only an incomplete tail is kept, so an idle session holds no buffer.
        var fromBuffer = _length > 0;
        if (fromBuffer) Append(data.Span);
        var sequence = fromBuffer ? new ReadOnlySequence<byte>(_buffer, 0, _length) : new ReadOnlySequence<byte>(data);
        try
        {
            while (!Ended)
            {
                if (!StompParser.TryParse(ref sequence, _server.Limits, out var result))
                {
                    if (result.Status == ParseStatus.TooLarge) Fail(DisconnectCode.FrameTooLarge, result.Error ?? "frame too large");
                    else if (result.Status == ParseStatus.Malformed) Fail(DisconnectCode.ProtocolError, result.Error ?? "malformed frame");
                    break;
                }
                if (result.Status == ParseStatus.Heartbeat)
                {
                    Connection?.Touch();
                    continue;
                }
                await HandleFrameAsync(result.Frame!);
            }
        }
        finally
        {
            var left = (int)sequence.Length;
            if (fromBuffer)
            {
                if (left > 0 && left < _length) Buffer.BlockCopy(_buffer, _length - left, _buffer, 0, left);
                _length = left;
            }
            else if (left > 0)
            {
                Append(data.Span[^left..]);
            }
            if (_length == 0) _buffer = [];
        }
    }

    private void Append(ReadOnlySpan<byte> data)
    {
        if (_length + data.Length > _buffer.Length)
        {
            var grown = new byte[Math.Max(_length + data.Length, Math.Max(1024, _buffer.Length * 2))];
            _buffer.AsSpan(0, _length).CopyTo(grown);
            _buffer = grown;
        }
        data.CopyTo(_buffer.AsSpan(_length));
        _length += data.Length;
    }

    private async ValueTask HandleFrameAsync(StompFrame frame)
    {
        if (Connection is not { } connection)
        {
            if (frame.Command is StompCommand.Connect or StompCommand.Stomp) await ConnectAsync(frame);
            else Fail(DisconnectCode.ProtocolError, "CONNECT expected", frame.GetHeader(StompHeaders.Receipt));
            return;
        }
        // Answers to the server's own calls pass without a rate token, as on the native protocol; parsed here once.
        if (AnswerToPendingCall(connection, frame) is { } answer)
        {
            Answer(connection, frame, answer);
            return;
        }
        switch (Engine.Admit(connection))
        {
            case FrameAdmission.RateLimited:
                connection.EnqueueReply(new StompSendErrorEvent(ErrorCodes.RateLimited, "rate limit exceeded, frame dropped",
                    frame.GetHeader(StompHeaders.Destination), null));
                return;
            case FrameAdmission.Flooding:
                return;
        }
        try
        {
            await DispatchAsync(connection, frame);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.FrameFailed(_server.Logger, ex, frame.Command.ToWireName(), connection.Id);
            connection.EnqueueReply(new StompSendErrorEvent(ErrorCodes.Internal, "internal error", frame.GetHeader(StompHeaders.Destination), null));
        }
    }

    private async ValueTask DispatchAsync(ClientConnection connection, StompFrame frame)
    {
        switch (frame.Command)
        {
            case StompCommand.Send:
                await SendAsync(connection, frame);
                break;
            case StompCommand.Subscribe:
                await SubscribeAsync(connection, frame);
                break;
            case StompCommand.Unsubscribe:
                Unsubscribe(connection, frame);
                break;
            case StompCommand.Ack:
            case StompCommand.Nack:
                // Subscriptions are ack:auto in effect; delivery state moves with SEND /app/ack and /app/read.
                Receipt(connection, frame);
                break;
            case StompCommand.Disconnect:
                Receipt(connection, frame);
                connection.Close(DisconnectCode.Normal);
                break;
            case StompCommand.Begin:
            case StompCommand.Commit:
            case StompCommand.Abort:
                Fail(DisconnectCode.ProtocolError, "transactions are not supported", frame.GetHeader(StompHeaders.Receipt));
                break;
            case StompCommand.Connect:
            case StompCommand.Stomp:
                Fail(DisconnectCode.ProtocolError, "already connected", frame.GetHeader(StompHeaders.Receipt));
                break;
            default:
                Fail(DisconnectCode.ProtocolError, $"{frame.Command.ToWireName()} is a server frame", frame.GetHeader(StompHeaders.Receipt));
                break;
        }
    }

    private static void Receipt(ClientConnection connection, StompFrame frame)
    {
        if (frame.GetHeader(StompHeaders.Receipt) is { } receipt)
            connection.EnqueueReply(new StompRawEvent(Frame(StompCommand.Receipt, [new(StompHeaders.ReceiptId, receipt)])));
    }

    /// <summary>Sends an ERROR frame and ends the session (STOMP 1.2: the server closes after ERROR).</summary>
    internal void Fail(DisconnectCode code, string message, string? receiptId = null)
    {
        if (Interlocked.Exchange(ref _errorSent, 1) != 0) return;
        var error = ErrorFrame(message, receiptId);
        if (Connection is { } connection)
        {
            connection.EnqueueReply(new StompRawEvent(error));
            connection.Close(code);
        }
        else
        {
            Outbox.TryWrite(error, force: true);
            Outbox.Complete(code);
        }
    }

    private static byte[] ErrorFrame(string message, string? receiptId = null, string? version = null)
    {
        var headers = new List<KeyValuePair<string, string>> { new(StompHeaders.Message, message), new(StompHeaders.ContentType, "text/plain;charset=UTF-8") };
        if (receiptId is not null) headers.Add(new(StompHeaders.ReceiptId, receiptId));
        if (version is not null) headers.Add(new(StompHeaders.Version, version));
        return Frame(StompCommand.Error, headers, Encoding.UTF8.GetBytes(message));
    }

    internal static byte[] Frame(StompCommand command, IEnumerable<KeyValuePair<string, string>> headers, ReadOnlySpan<byte> body = default)
    {
        var buffer = new ArrayBufferWriter<byte>(128 + body.Length);
        StompWriter.Write(buffer, command, headers, body);
        return buffer.WrittenSpan.ToArray();
    }

    private async Task ConnectDeadlineAsync()
    {
        // A stop closes the engine's connections, and a session has one only after CONNECT: without this, a socket
        // that never sent CONNECT held the web server's graceful stop until its deadline.
        using var stopping = _server.Stopping.Register(static s => ((StompSession)s!).FailUnlessConnected(DisconnectCode.ServerShutdown, "server is shutting down"), this);
        try { await Task.Delay(_server.Options.ConnectTimeoutMs, _life.Token); }
        catch (OperationCanceledException) { return; }
        FailUnlessConnected(DisconnectCode.Unauthorized, "no CONNECT frame in time");
    }

    private void FailUnlessConnected(DisconnectCode code, string message)
    {
        if (Connection is null) Fail(code, message);
    }

    /// <summary>Moves engine events to the outbox, encoded; ends the outbox when the connection closes.</summary>
    private async Task DrainAsync(ClientConnection connection)
    {
        try
        {
            while (await connection.WaitToDequeueAsync())
            {
                while (connection.TryDequeue(out var ev))
                {
                    var bytes = Encode(connection, ev);
                    if (bytes.IsEmpty) continue;
                    if (!Outbox.TryWrite(bytes)) connection.Close(DisconnectCode.SlowConsumer);
                }
            }
        }
        catch (Exception ex)
        {
            Log.FrameFailed(_server.Logger, ex, "encode", connection.Id);
            connection.Close(DisconnectCode.ProtocolError);
        }
        finally
        {
            var code = connection.CloseCode ?? DisconnectCode.Normal;
            // A close the client did not ask for and that no ERROR explained yet: say why, the way STOMP can.
            if (code != DisconnectCode.Normal && Interlocked.Exchange(ref _errorSent, 1) == 0)
                Outbox.TryWrite(ErrorFrame(code.ToReason()), force: true);
            Outbox.Complete(code);
        }
    }

    private async Task HeartbeatAsync(ClientConnection connection, TimeSpan interval)
    {
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(connection.Closing)) connection.EnqueueReply(StompRawEvent.Heartbeat);
        }
        catch (OperationCanceledException) { }
    }

    /// <summary>The transport is done with the session (socket closed, SockJS session timed out).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _life.Cancel();
        var connection = Connection;
        if (connection is not null)
        {
            connection.Close(DisconnectCode.Normal);
            RemoveAllSubscriptions();
            Engine.Closed(connection);
            try { if (_drain is not null) await _drain.WaitAsync(TimeSpan.FromSeconds(5)); } catch (TimeoutException) { }
            try { if (_heartbeat is not null) await _heartbeat.WaitAsync(TimeSpan.FromSeconds(5)); } catch (TimeoutException) { }
        }
        Outbox.Complete(connection?.CloseCode ?? DisconnectCode.Normal);
    }

    private static partial class Log
    {
        [LoggerMessage(2100, LogLevel.Error, "STOMP {Command} on connection {ConnectionId} failed")]
        public static partial void FrameFailed(ILogger logger, Exception exception, string command, long connectionId);
    }
}
