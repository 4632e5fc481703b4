using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Net.WebSockets;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Unicode;

namespace Parley.Transports.WebSockets.Direct;

/// <summary>
/// Receiving: frames parsed where they lie in the pipe, payloads unmasked on their way into the caller's memory (never
/// buffered whole), control frames answered, and RFC 6455's rules for a server enforced.
/// </summary>
public sealed partial class PipeWebSocket
{
    private const int MaxHeader = 14;
    private const ushort ProtocolError = 1002;
    private const ushort InvalidPayload = 1007;

    // The data frame being received: payload bytes still to come, its mask and where in the mask the next byte is.
    private long _remaining;
    private int _mask;
    private byte _maskIndex;
    // The last data frame's FIN (true between messages) and the message's type.
    private bool _fin = true;
    private bool _binary;
    private bool _receiving;
    // Up to three bytes of a code point that a text message's receive ended in the middle of.
    private int _utf8Carry;
    private byte _utf8CarryLength;

    private enum Outcome
    {
        Result,
        NeedMore,
        Violation,
    }

    public override async Task<WebSocketReceiveResult> ReceiveAsync(ArraySegment<byte> buffer, CancellationToken ct)
    {
        var result = await ReceiveAsync(buffer.AsMemory(), ct).ConfigureAwait(false);
        return new WebSocketReceiveResult(result.Count, result.MessageType, result.EndOfMessage, CloseStatus, CloseStatusDescription);
    }

    /// <summary>
    /// Receives the next part of a message. As ManagedWebSocket: with an empty buffer, waits until a frame header has
    /// arrived (handling pings, pongs and a close on the way) and returns its type, and EndOfMessage for an empty final
    /// frame; a cancelled token aborts the socket. Unlike it, a receive returns what the pipe holds (at least one
    /// byte) instead of waiting to fill the buffer, and a second receive alongside the first throws
    /// <see cref="InvalidOperationException"/> instead of queueing.
    /// </summary>
    public override ValueTask<ValueWebSocketReceiveResult> ReceiveAsync(Memory<byte> buffer, CancellationToken ct)
    {
        if (_state is not (WebSocketState.Open or WebSocketState.CloseSent))
            return ValueTask.FromException<ValueWebSocketReceiveResult>(InvalidState(_state, "Open, CloseSent"));
        if (ct.IsCancellationRequested)
        {
            Abort();
            return ValueTask.FromCanceled<ValueWebSocketReceiveResult>(ct);
        }
        if (_receiving)
            return ValueTask.FromException<ValueWebSocketReceiveResult>(new InvalidOperationException("There is already one outstanding 'ReceiveAsync' call for this WebSocket."));
        _receiving = true;
        return ReceiveCoreAsync(buffer, ct);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<ValueWebSocketReceiveResult> ReceiveCoreAsync(Memory<byte> destination, CancellationToken ct)
    {
        try
        {
            while (true)
            {
                var pending = _input.ReadAsync(CancellationToken.None);
                ReadResult read;
                if (pending.IsCompleted)
                {
                    read = pending.GetAwaiter().GetResult();
                }
                else
                {
                    // The only wait: registered for as long as it lasts, and not at all for a token that cannot cancel.
                    var registration = ct.CanBeCanceled ? ct.UnsafeRegister(static s => ((PipeWebSocket)s!).Abort(), this) : default;
                    try
                    {
                        read = await pending.ConfigureAwait(false);
                    }
                    finally
                    {
                        registration.Dispose();
                    }
                }
                var buffer = read.Buffer;
                if (read.IsCanceled)
                {
                    _input.AdvanceTo(buffer.Start);
                    throw ct.IsCancellationRequested ? new OperationCanceledException(ct) : new OperationCanceledException("The WebSocket was aborted.");
                }
                var pong = false;
                var outcome = Parse(buffer, destination.Span, out var consumed, out var result, ref pong, out var failure, out var reason);
                var position = buffer.GetPosition(consumed);
                _input.AdvanceTo(position, outcome == Outcome.NeedMore ? buffer.End : position);
                if (pong) await FlushAsync(ct).ConfigureAwait(false);
                switch (outcome)
                {
                    case Outcome.Result:
                        return result;
                    case Outcome.Violation:
                        await FailAsync(failure, reason!).ConfigureAwait(false);
                        break;
                    case Outcome.NeedMore when read.IsCompleted:
                        lock (this)
                        {
                            if (_state != WebSocketState.Closed) _state = WebSocketState.Aborted;
                        }
                        throw new WebSocketException(WebSocketError.ConnectionClosedPrematurely,
                            "The remote party closed the WebSocket connection without completing the close handshake.");
                }
            }
        }
        catch (Exception ex) when (ex is not (OperationCanceledException or WebSocketException))
        {
            // The transport failed under the read (a reset, a completed pipe): as ManagedWebSocket, the socket is aborted.
            var exception = IoFailure(ex);
            lock (this)
            {
                if (_state != WebSocketState.Closed) _state = WebSocketState.Aborted;
            }
            throw exception;
        }
        finally
        {
            _receiving = false;
        }
    }

    /// <summary>
    /// Takes frames from the front of <paramref name="buffer"/> until there is something to return: pings are answered
    /// (<paramref name="pong"/> says a pong waits to be flushed) and pongs dropped on the way.
    /// </summary>
    private Outcome Parse(in ReadOnlySequence<byte> buffer, Span<byte> destination, out long consumed, out ValueWebSocketReceiveResult result,
        ref bool pong, out ushort failure, out string? reason)
    {
        consumed = 0;
        result = default;
        failure = 0;
        reason = null;
        Span<byte> head = stackalloc byte[MaxHeader + MaxControlPayload];
        while (_remaining == 0)
        {
            var rest = buffer.Slice(consumed);
            var have = (int)Math.Min(rest.Length, head.Length);
            if (have < 2) return Outcome.NeedMore;
            rest.Slice(0, have).CopyTo(head);
            var frame = head[..have];
            var fin = (frame[0] & Fin) != 0;
            var opcode = frame[0] & 0x0F;
            var lengthCode = frame[1] & 0x7F;
            reason = Check(frame[0], frame[1]);
            if (reason is not null)
            {
                failure = ProtocolError;
                return Outcome.Violation;
            }
            var headerLength = 2 + 4 + lengthCode switch { 126 => 2, 127 => 8, _ => 0 };
            if (have < headerLength) return Outcome.NeedMore;
            var length = lengthCode switch
            {
                126 => BinaryPrimitives.ReadUInt16BigEndian(frame[2..]),
                127 => BinaryPrimitives.ReadInt64BigEndian(frame[2..]),
                _ => lengthCode,
            };
            if (length < 0)
            {
                (failure, reason) = (ProtocolError, "The WebSocket frame's 64-bit payload length has its high bit set.");
                return Outcome.Violation;
            }
            var mask = BinaryPrimitives.ReadInt32LittleEndian(frame[(headerLength - 4)..]);
            if (opcode >= OpClose)
            {
                // A control frame is taken whole (at most 131 bytes): it waits until all of it is in the pipe.
                if (have < headerLength + length) return Outcome.NeedMore;
                var payload = frame.Slice(headerLength, (int)length);
                Unmask(payload, payload, mask, 0);
                consumed += headerLength + length;
                if (opcode == OpPing)
                {
                    lock (this)
                    {
                        // Nothing follows our close frame, not even a pong.
                        if (_sentClose) continue;
                        try
                        {
                            WriteFrameLocked(Fin | OpPong, payload);
                        }
                        catch (InvalidOperationException)
                        {
                            // The connection's output is closed: the reads will end too.
                            continue;
                        }
                    }
                    pong = true;
                }
                else if (opcode == OpClose)
                {
                    return OnClose(payload, out result, out failure, out reason);
                }
                continue;
            }
            consumed += headerLength;
            if (opcode != OpContinuation) _binary = opcode == OpBinary;
            (_fin, _remaining, _mask, _maskIndex) = (fin, length, mask, 0);
            if (length == 0 || destination.IsEmpty)
            {
                var end = fin && length == 0;
                if (end && !_binary && _utf8CarryLength != 0)
                {
                    (failure, reason) = (InvalidPayload, "The text message ends inside a UTF-8 sequence.");
                    return Outcome.Violation;
                }
                result = new ValueWebSocketReceiveResult(0, MessageType, end);
                return Outcome.Result;
            }
        }
        if (destination.IsEmpty)
        {
            result = new ValueWebSocketReceiveResult(0, MessageType, false);
            return Outcome.Result;
        }
        var available = buffer.Slice(consumed);
        var count = (int)Math.Min(Math.Min(destination.Length, _remaining), available.Length);
        if (count == 0) return Outcome.NeedMore;
        var target = destination[..count];
        int index = _maskIndex;
        foreach (var segment in available.Slice(0, count))
        {
            index = Unmask(segment.Span, target, _mask, index);
            target = target[segment.Length..];
        }
        _maskIndex = (byte)index;
        consumed += count;
        _remaining -= count;
        var endOfMessage = _fin && _remaining == 0;
        if (!_binary && !ValidateUtf8(destination[..count], endOfMessage))
        {
            (failure, reason) = (InvalidPayload, "The text message is not valid UTF-8.");
            return Outcome.Violation;
        }
        result = new ValueWebSocketReceiveResult(count, MessageType, endOfMessage);
        return Outcome.Result;
    }

    private WebSocketMessageType MessageType => _binary ? WebSocketMessageType.Binary : WebSocketMessageType.Text;

    /// <summary>What is wrong with a frame from a client, judged by its first two bytes; null if nothing.</summary>
    private string? Check(byte first, byte second)
    {
        if ((first & 0x70) != 0) return "The WebSocket frame has reserved bits set, and no extension was negotiated.";
        if ((second & 0x80) == 0) return "The WebSocket client sent an unmasked frame.";
        var opcode = first & 0x0F;
        switch (opcode)
        {
            case OpContinuation when _fin:
                return "The WebSocket received a continuation frame outside a fragmented message.";
            case OpText or OpBinary when !_fin:
                return "The WebSocket received a new data frame inside an unfinished fragmented message.";
            case OpContinuation or OpText or OpBinary:
                return null;
            case OpClose or OpPing or OpPong:
                return (first & Fin) == 0 || (second & 0x7F) > MaxControlPayload
                    ? "The WebSocket received a fragmented control frame, or one longer than 125 bytes."
                    : null;
            default:
                return $"The WebSocket received a frame with the reserved opcode 0x{opcode:X}.";
        }
    }

    /// <summary>A close frame: its code and reason are recorded, and the state moves on (our answer is the caller's).</summary>
    private Outcome OnClose(ReadOnlySpan<byte> payload, out ValueWebSocketReceiveResult result, out ushort failure, out string? reason)
    {
        lock (this)
        {
            _receivedClose = true;
            if (_sentClose && _state is WebSocketState.CloseSent) _state = WebSocketState.Closed;
            else if (_state == WebSocketState.Open) _state = WebSocketState.CloseReceived;
        }
        result = default;
        (failure, reason) = (0, null);
        ushort code = 1000;
        if (payload.Length == 1)
        {
            (failure, reason) = (ProtocolError, "The WebSocket close frame has a one-byte payload.");
            return Outcome.Violation;
        }
        if (payload.Length >= 2)
        {
            code = BinaryPrimitives.ReadUInt16BigEndian(payload);
            if (!IsValidCloseCode(code))
            {
                (failure, reason) = (ProtocolError, $"The WebSocket close frame has the invalid code {code}.");
                return Outcome.Violation;
            }
            if (!Utf8.IsValid(payload[2..]))
            {
                (failure, reason) = (InvalidPayload, "The WebSocket close frame's reason is not valid UTF-8.");
                return Outcome.Violation;
            }
        }
        _closeCode = code;
        _closeDescription = payload.Length > 2 ? Encoding.UTF8.GetString(payload[2..]) : string.Empty;
        result = new ValueWebSocketReceiveResult(0, WebSocketMessageType.Close, true);
        return Outcome.Result;
    }

    /// <summary>The codes a peer may send (RFC 6455 §7.4), as ManagedWebSocket accepts them.</summary>
    private static bool IsValidCloseCode(ushort code) => code is >= 1000 and <= 1003 or >= 1007 and <= 1014 or >= 3000 and <= 4999;

    /// <summary>
    /// Fails the connection for bad input (RFC 6455 §7.1.7): our close frame with the code, unless one went out already,
    /// then the exception. The state ends as ManagedWebSocket leaves it: Aborted, or Closed if the peer's close had come.
    /// </summary>
    private async ValueTask FailAsync(ushort code, string reason)
    {
        var send = false;
        lock (this)
        {
            if (!_sentClose && _state is not (WebSocketState.Closed or WebSocketState.Aborted))
            {
                try
                {
                    WriteCloseLocked((WebSocketCloseStatus)code, null);
                    send = true;
                }
                catch (InvalidOperationException)
                {
                    // The output is already closed: nothing to tell the peer.
                }
            }
        }
        if (send)
        {
            try { await FlushAsync(CancellationToken.None).ConfigureAwait(false); }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException) { }
        }
        lock (this)
        {
            if (_state != WebSocketState.Closed) _state = _receivedClose ? WebSocketState.Closed : WebSocketState.Aborted;
        }
        throw new WebSocketException(WebSocketError.Faulted, reason);
    }

    /// <summary>
    /// Validates a text message piece by piece: a code point split between two receives (or two frames) is carried
    /// over in up to three bytes; the message must not end inside one.
    /// </summary>
    private bool ValidateUtf8(ReadOnlySpan<byte> chunk, bool endOfMessage)
    {
        Span<byte> sequence = stackalloc byte[4];
        if (_utf8CarryLength != 0)
        {
            BinaryPrimitives.WriteInt32LittleEndian(sequence, _utf8Carry);
            int have = _utf8CarryLength;
            var take = Math.Min(SequenceLength(sequence[0]) - have, chunk.Length);
            chunk[..take].CopyTo(sequence[have..]);
            have += take;
            chunk = chunk[take..];
            switch (Rune.DecodeFromUtf8(sequence[..have], out _, out _))
            {
                case OperationStatus.Done:
                    _utf8CarryLength = 0;
                    break;
                case OperationStatus.NeedMoreData:
                    _utf8Carry = BinaryPrimitives.ReadInt32LittleEndian(sequence);
                    _utf8CarryLength = (byte)have;
                    return !endOfMessage;
                default:
                    return false;
            }
        }
        var tail = IncompleteTail(chunk);
        if (!Utf8.IsValid(chunk[..^tail])) return false;
        if (tail == 0) return true;
        // The start of a code point must already be a valid one (so "\xED\xA0", a surrogate, fails here, not later).
        if (Rune.DecodeFromUtf8(chunk[^tail..], out _, out _) != OperationStatus.NeedMoreData) return false;
        sequence.Clear();
        chunk[^tail..].CopyTo(sequence);
        _utf8Carry = BinaryPrimitives.ReadInt32LittleEndian(sequence);
        _utf8CarryLength = (byte)tail;
        return !endOfMessage;
    }

    private static int SequenceLength(byte lead) => lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;

    /// <summary>How many bytes at the end of <paramref name="chunk"/> begin a code point that does not finish in it.</summary>
    private static int IncompleteTail(ReadOnlySpan<byte> chunk)
    {
        for (var i = 1; i <= Math.Min(3, chunk.Length); i++)
        {
            var b = chunk[^i];
            if ((b & 0xC0) == 0x80) continue;
            if (b < 0x80) return 0;
            return SequenceLength(b) > i ? i : 0;
        }
        return 0;
    }

    /// <summary>
    /// Copies <paramref name="source"/> to <paramref name="target"/> (which may be the same memory) XOR the mask, starting
    /// at byte <paramref name="index"/> of the mask; returns where the next byte's mask byte is.
    /// </summary>
    private static int Unmask(ReadOnlySpan<byte> source, Span<byte> target, int mask, int index)
    {
        // The mask as read little-endian from the wire, turned so that its lowest byte applies to source[0].
        var rolled = BitOperations.RotateRight((uint)mask, index * 8);
        var i = 0;
        if (Vector.IsHardwareAccelerated && source.Length >= Vector<byte>.Count)
        {
            var vector = Vector.AsVectorByte(new Vector<uint>(BitConverter.IsLittleEndian ? rolled : BinaryPrimitives.ReverseEndianness(rolled)));
            for (; i <= source.Length - Vector<byte>.Count; i += Vector<byte>.Count)
                (new Vector<byte>(source[i..]) ^ vector).CopyTo(target[i..]);
        }
        for (; i <= source.Length - 4; i += 4)
            BinaryPrimitives.WriteUInt32LittleEndian(target[i..], BinaryPrimitives.ReadUInt32LittleEndian(source[i..]) ^ rolled);
        for (; i < source.Length; i++)
            target[i] = (byte)(source[i] ^ (byte)(rolled >> (8 * (i & 3))));
        return (index + source.Length) & 3;
    }
}
