using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Net.WebSockets;
using System.Text;

namespace Parley.Transports.WebSockets.Direct;

/// <summary>Sending: frames written whole into the pipe under the lock, flushes one at a time, the close frame, keep-alive.</summary>
public sealed partial class PipeWebSocket
{
    private const byte Fin = 0x80;
    private const byte OpContinuation = 0x0;
    private const byte OpText = 0x1;
    private const byte OpBinary = 0x2;
    private const byte OpClose = 0x8;
    private const byte OpPing = 0x9;
    private const byte OpPong = 0xA;
    private const int MaxControlPayload = 125;

    // Bytes written since the last flush began; and a flush that did not complete at once (back-pressure), which the
    // next flush waits for: a PipeWriter takes one flush at a time.
    private int _unflushed;
    private Task? _flushing;
    private long _lastFlush;
    private bool _lastSendWasFragment;

    public override Task SendAsync(ArraySegment<byte> buffer, WebSocketMessageType messageType, bool endOfMessage, CancellationToken ct) =>
        SendAsync(buffer.AsMemory(), messageType, endOfMessage, ct).AsTask();

    public override ValueTask SendAsync(ReadOnlyMemory<byte> buffer, WebSocketMessageType messageType, bool endOfMessage, CancellationToken ct)
    {
        if (messageType is not (WebSocketMessageType.Text or WebSocketMessageType.Binary))
            throw new ArgumentException("Only Text and Binary messages are sent with SendAsync; use CloseOutputAsync to close.", nameof(messageType));
        if (_state is not (WebSocketState.Open or WebSocketState.CloseReceived))
            return ValueTask.FromException(InvalidState(_state, "Open, CloseReceived"));
        if (ct.IsCancellationRequested) return ValueTask.FromCanceled(ct);
        try
        {
            lock (this)
            {
                ThrowIfCloseSent();
                var opcode = _lastSendWasFragment ? OpContinuation : messageType == WebSocketMessageType.Binary ? OpBinary : OpText;
                WriteFrameLocked((byte)((endOfMessage ? Fin : 0) | opcode), buffer.Span);
                _lastSendWasFragment = !endOfMessage;
            }
        }
        catch (Exception ex) when (ex is not WebSocketException)
        {
            return ValueTask.FromException(IoFailure(ex));
        }
        return FlushAsync(ct);
    }

    /// <summary>Writes one whole FIN frame into the pipe without flushing; returns the bytes not flushed yet.</summary>
    public int AppendFrame(ReadOnlySpan<byte> payload, bool text)
    {
        try
        {
            lock (this)
            {
                ThrowIfCloseSent();
                WriteFrameLocked((byte)(Fin | (text ? OpText : OpBinary)), payload);
                return _unflushed;
            }
        }
        catch (Exception ex) when (ex is not WebSocketException)
        {
            throw IoFailure(ex);
        }
    }

    public ValueTask FlushBatchAsync(CancellationToken ct) => FlushAsync(ct);

    /// <remarks>
    /// <see cref="WebSocketCloseStatus.Empty"/> sends a close frame without a payload (RFC 6455 §7.4.1: 1005 is never
    /// sent), where ManagedWebSocket sends the code 1005.
    /// </remarks>
    public override Task CloseOutputAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken ct)
    {
        ValidateCloseStatus(closeStatus, statusDescription);
        if (_state is not (WebSocketState.Open or WebSocketState.CloseReceived))
            return Task.FromException(InvalidState(_state, "Open, CloseReceived"));
        if (ct.IsCancellationRequested) return Task.FromCanceled(ct);
        try
        {
            lock (this)
            {
                if (!_sentClose) WriteCloseLocked(closeStatus, statusDescription);
            }
        }
        catch (Exception ex) when (ex is not WebSocketException)
        {
            return Task.FromException(IoFailure(ex));
        }
        return FlushAsync(ct).AsTask();
    }

    /// <remarks>
    /// Waits for the peer's close by receiving (and dropping) what comes before it, so it must not run alongside a
    /// receive of the caller's: that receive would fail (ManagedWebSocket queues the two).
    /// </remarks>
    public override Task CloseAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken ct)
    {
        ValidateCloseStatus(closeStatus, statusDescription);
        if (_state is not (WebSocketState.Open or WebSocketState.CloseReceived or WebSocketState.CloseSent))
            return Task.FromException(InvalidState(_state, "Open, CloseReceived, CloseSent"));
        return CloseCoreAsync(closeStatus, statusDescription, ct);
    }

    private async Task CloseCoreAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken ct)
    {
        if (!_sentClose && _state is WebSocketState.Open or WebSocketState.CloseReceived)
            await CloseOutputAsync(closeStatus, statusDescription, ct).ConfigureAwait(false);
        if (_state != WebSocketState.CloseSent) return;
        var discard = ArrayPool<byte>.Shared.Rent(256);
        try
        {
            while (_state == WebSocketState.CloseSent) await ReceiveAsync(discard.AsMemory(), ct).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(discard);
        }
    }

    /// <summary>
    /// Sends a ping, without waiting and without throwing, when nothing has been flushed for the keep-alive interval.
    /// Called about once a second for every connection by one shared sweep, in place of a timer per socket.
    /// </summary>
    /// <param name="nowTimestamp">The sweep's <see cref="Stopwatch.GetTimestamp"/>.</param>
    public void KeepAliveTick(long nowTimestamp)
    {
        if (_keepAliveTicks == 0 || nowTimestamp - Volatile.Read(ref _lastFlush) < _keepAliveTicks) return;
        ValueTask flush;
        try
        {
            lock (this)
            {
                // A flush still waiting means the peer is not reading: a ping would not get through either.
                if (_sentClose || _flushing is not null || _state is not (WebSocketState.Open or WebSocketState.CloseReceived)) return;
                WriteFrameLocked(Fin | OpPing, []);
            }
            flush = FlushAsync(CancellationToken.None);
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException or WebSocketException or OperationCanceledException)
        {
            return;
        }
        if (!flush.IsCompleted)
        {
            flush.AsTask().ContinueWith(static t => _ = t.Exception, CancellationToken.None,
                TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
        else if (!flush.IsCompletedSuccessfully)
        {
            _ = flush.AsTask().Exception; // observed: a failed ping is the read side's to notice
        }
    }

    private void ThrowIfCloseSent()
    {
        // Checked under the lock: the socket may have sent its own close frame (for bad input) since the caller looked.
        if (_sentClose) throw InvalidState(_state, "Open, CloseReceived");
    }

    /// <summary>One whole unmasked frame into the pipe (under the lock, so frames never interleave).</summary>
    private void WriteFrameLocked(byte first, ReadOnlySpan<byte> payload)
    {
        var length = ServerFrameHeader.Write(_output.GetSpan(ServerFrameHeader.MaxBytes), first, payload.Length);
        _output.Advance(length);
        if (!payload.IsEmpty) _output.Write(payload);
        _unflushed = (int)Math.Min(int.MaxValue, (long)_unflushed + length + payload.Length);
    }

    /// <summary>Writes the close frame and moves the state on (under the lock).</summary>
    private void WriteCloseLocked(WebSocketCloseStatus status, string? description)
    {
        Span<byte> payload = stackalloc byte[MaxControlPayload];
        var length = 0;
        if (status != WebSocketCloseStatus.Empty)
        {
            BinaryPrimitives.WriteUInt16BigEndian(payload, (ushort)status);
            length = 2 + (string.IsNullOrEmpty(description) ? 0 : Encoding.UTF8.GetBytes(description, payload[2..]));
        }
        WriteFrameLocked(Fin | OpClose, payload[..length]);
        _sentClose = true;
        if (_receivedClose && _state is WebSocketState.CloseReceived) _state = WebSocketState.Closed;
        else if (_state == WebSocketState.Open) _state = WebSocketState.CloseSent;
    }

    /// <summary>
    /// Flushes what has been written. Without back-pressure the pipe's flush completes at once and nothing is
    /// allocated; a flush that has to wait is remembered, and the next flush waits for it before starting its own.
    /// The token is registered only while waiting: cancelling it aborts the socket, as ManagedWebSocket's sends do.
    /// </summary>
    private ValueTask FlushAsync(CancellationToken ct)
    {
        Task flushing;
        bool again;
        lock (this)
        {
            if (_flushing is { } other)
            {
                (flushing, again) = (other, true);
            }
            else
            {
                if (_unflushed == 0) return default;
                _unflushed = 0;
                _lastFlush = Stopwatch.GetTimestamp();
                ValueTask<FlushResult> flush;
                try
                {
                    flush = _output.FlushAsync(CancellationToken.None);
                    if (flush.IsCompleted)
                    {
                        var done = flush.GetAwaiter().GetResult();
                        return done.IsCanceled || done.IsCompleted ? ValueTask.FromException(FlushFailure(done)) : default;
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    return ValueTask.FromException(IoFailure(ex));
                }
                flushing = WatchFlushAsync(flush);
                // A flush that completed while being watched has cleared _flushing already (the lock is re-entrant).
                if (!flushing.IsCompleted) _flushing = flushing;
                again = false;
            }
        }
        return AwaitFlushAsync(flushing, again, ct);
    }

    private async Task WatchFlushAsync(ValueTask<FlushResult> flush)
    {
        FlushResult result;
        try
        {
            result = await flush.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw IoFailure(ex);
        }
        finally
        {
            lock (this) _flushing = null;
        }
        if (result.IsCanceled || result.IsCompleted) throw FlushFailure(result);
    }

    private async ValueTask AwaitFlushAsync(Task flushing, bool again, CancellationToken ct)
    {
        var registration = ct.CanBeCanceled ? ct.UnsafeRegister(static s => ((PipeWebSocket)s!).Abort(), this) : default;
        try
        {
            await flushing.ConfigureAwait(false);
        }
        finally
        {
            registration.Dispose();
        }
        // Someone else's flush: what this caller wrote after it began still needs one.
        if (again) await FlushAsync(ct).ConfigureAwait(false);
    }

    private Exception FlushFailure(FlushResult result) => result.IsCanceled
        ? new OperationCanceledException("The WebSocket was aborted.")
        : IoFailure(new IOException("The connection's output is closed."));

    /// <summary>As ManagedWebSocket (WebSocketValidate.ValidateCloseStatus): codes the RFC reserves, and reasons over 123 bytes.</summary>
    private static void ValidateCloseStatus(WebSocketCloseStatus status, string? description)
    {
        if (status == WebSocketCloseStatus.Empty && !string.IsNullOrEmpty(description))
            throw new ArgumentException("A close without a status code has no description.", nameof(description));
        var code = (int)status;
        if (code is < 1000 or > ushort.MaxValue || code is 1006 or 1015)
            throw new ArgumentException($"The close status code '{code}' is reserved and cannot be sent.", nameof(status));
        if (description is not null && Encoding.UTF8.GetByteCount(description) > MaxControlPayload - 2)
            throw new ArgumentException("The close status description is longer than 123 bytes in UTF-8.", nameof(description));
    }
}
