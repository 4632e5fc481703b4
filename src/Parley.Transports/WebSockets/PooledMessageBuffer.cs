using System.Buffers;
using System.Net.WebSockets;
using System.Runtime.CompilerServices;

namespace Parley.Transports.WebSockets;

/// <summary>
/// Reassembles one inbound WebSocket message in pooled memory: rented when a message starts, doubled up to the limit
/// (plus one byte, so "over the limit" is observable), and returned to the pool after each message, so an idle
/// connection holds no buffer at all.
/// </summary>
public sealed class PooledMessageBuffer(int initialBytes, int maxBytes) : IDisposable
{
    private static readonly byte[] None = [];
    private byte[] _buffer = None;

    public int Length { get; private set; }
    public ReadOnlyMemory<byte> Written => _buffer.AsMemory(0, Length);
    public bool OverLimit => Length > maxBytes;

    /// <summary>Space for the next receive, growing the buffer when it is full.</summary>
    public Memory<byte> FreeSpace()
    {
        if (_buffer.Length == 0) _buffer = ArrayPool<byte>.Shared.Rent(Math.Min(initialBytes, maxBytes + 1));
        else if (Length == _buffer.Length)
        {
            var grown = ArrayPool<byte>.Shared.Rent(Math.Min(_buffer.Length * 2, maxBytes + 1));
            _buffer.AsSpan(0, Length).CopyTo(grown);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = grown;
        }
        return _buffer.AsMemory(Length);
    }

    public void Advance(int count) => Length += count;

    /// <summary>
    /// Receives the next part of a message into the buffer. Between messages it first waits with a zero-byte receive,
    /// so an idle connection holds no buffer; a close, or an empty message, is returned from that wait as it is.
    /// The frame of that wait comes from a pool, so waiting for each message allocates nothing.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<ValueWebSocketReceiveResult> ReceiveAsync(WebSocket socket, CancellationToken ct)
    {
        if (Length == 0)
        {
            var ready = await socket.ReceiveAsync(Memory<byte>.Empty, ct).ConfigureAwait(false);
            if (ready.MessageType == WebSocketMessageType.Close || ready.EndOfMessage) return ready;
        }
        return await socket.ReceiveAsync(FreeSpace(), ct).ConfigureAwait(false);
    }

    /// <summary>Forgets the content and gives the buffer back to the pool.</summary>
    public void Reset()
    {
        Length = 0;
        if (_buffer.Length == 0) return;
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = None;
    }

    public void Dispose() => Reset();
}
