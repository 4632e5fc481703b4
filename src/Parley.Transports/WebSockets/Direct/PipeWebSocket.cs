using System.IO.Pipelines;
using System.Net.WebSockets;

namespace Parley.Transports.WebSockets.Direct;

/// <summary>
/// A server WebSocket (RFC 6455, no extensions) that reads and writes frames straight on a Kestrel connection's pipes:
/// masked client frames are unmasked while they are copied from the pipe into the caller's memory, and server frames
/// are written into the pipe's own buffers, so no stream adapter, frame buffer or timer sits between the two. An idle
/// socket holds no buffer and, while a receive waits, one pooled async frame.
/// <para>
/// Observable behaviour follows the runtime's <c>ManagedWebSocket</c> (states, exceptions, zero-byte receives), except
/// where the remarks of the members say otherwise. One receive at a time; sends may race with the socket's own control
/// frames (pongs, the close frame for bad input, keep-alive pings): every frame is written whole under a lock, and
/// flushes are serialised. The keep-alive is driven from outside (<see cref="KeepAliveTick"/>), with no timer here.
/// </para>
/// </summary>
public sealed partial class PipeWebSocket : WebSocket, IFrameBatch
{
    private readonly PipeReader _input;
    private readonly PipeWriter _output;
    private readonly string? _subProtocol;
    private readonly Action _abortTransport;
    private readonly long _keepAliveTicks;

    // The state is written under the lock (this object: a thin lock in the header costs no field and no allocation).
    private WebSocketState _state = WebSocketState.Open;
    private bool _sentClose;
    private bool _receivedClose;
    private ushort _closeCode;
    private string? _closeDescription;

    /// <param name="transport">The connection's pipes, past the handshake.</param>
    /// <param name="subProtocol">The sub-protocol agreed in the handshake, if any.</param>
    /// <param name="keepAliveInterval">
    /// How long the socket may send nothing before <see cref="KeepAliveTick"/> sends a ping; zero or infinite: never.
    /// </param>
    /// <param name="abortTransport">Tears the connection down (Kestrel's <c>ConnectionContext.Abort</c>).</param>
    public PipeWebSocket(IDuplexPipe transport, string? subProtocol, TimeSpan keepAliveInterval, Action abortTransport)
    {
        ArgumentNullException.ThrowIfNull(transport);
        ArgumentNullException.ThrowIfNull(abortTransport);
        _input = transport.Input;
        _output = transport.Output;
        _subProtocol = subProtocol;
        _abortTransport = abortTransport;
        _keepAliveTicks = keepAliveInterval <= TimeSpan.Zero || keepAliveInterval == Timeout.InfiniteTimeSpan
            ? 0
            : Math.Max(1, (long)(keepAliveInterval.TotalSeconds * System.Diagnostics.Stopwatch.Frequency));
        _lastFlush = System.Diagnostics.Stopwatch.GetTimestamp();
    }

    public override WebSocketState State => _state;

    /// <summary>The peer's close code; <c>NormalClosure</c> for a close frame without one, as ManagedWebSocket reports it.</summary>
    public override WebSocketCloseStatus? CloseStatus => _closeCode == 0 ? null : (WebSocketCloseStatus)_closeCode;

    public override string? CloseStatusDescription => _closeDescription;

    public override string? SubProtocol => _subProtocol;

    /// <summary>
    /// Fails the socket at once: the state becomes Aborted, a pending receive or flush ends with an exception, and the
    /// connection is torn down (unless the close handshake had already completed).
    /// </summary>
    public override void Abort()
    {
        bool closed;
        lock (this)
        {
            closed = _state == WebSocketState.Closed;
            if (_state != WebSocketState.Closed) _state = WebSocketState.Aborted;
        }
        _input.CancelPendingRead();
        _output.CancelPendingFlush();
        if (!closed) _abortTransport();
    }

    /// <summary>
    /// Ends the socket without touching the connection (Kestrel closes it when the connection's handler returns): the
    /// state becomes Closed unless it is Aborted, and a pending receive or flush is woken with an exception.
    /// </summary>
    public override void Dispose()
    {
        lock (this)
        {
            if (_state != WebSocketState.Aborted) _state = WebSocketState.Closed;
        }
        _input.CancelPendingRead();
        _output.CancelPendingFlush();
    }

    private static WebSocketException InvalidState(WebSocketState state, string valid) =>
        new(WebSocketError.InvalidState, $"The WebSocket is in an invalid state ('{state}') for this operation. Valid states are: '{valid}'");

    /// <summary>As ManagedWebSocket: an I/O failure on an aborted socket is a cancellation, otherwise a premature close.</summary>
    private Exception IoFailure(Exception inner) => _state == WebSocketState.Aborted
        ? new OperationCanceledException("The WebSocket was aborted.", inner)
        : new WebSocketException(WebSocketError.ConnectionClosedPrematurely, inner);
}
