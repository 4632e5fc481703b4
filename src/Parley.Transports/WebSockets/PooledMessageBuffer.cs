using System.Buffers;
using System.Net.WebSockets;

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
    // The zero-byte wait of the message being received has returned: data is there to receive into the buffer.
    private bool _dataReady;

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
    /// so an idle connection holds no buffer: that wait returns a result with no bytes (a close, or an empty message,
    /// as it is), and the next call receives into the buffer. Not an async method of its own, so a parked receive
    /// costs the caller's frame only.
    /// </summary>
    public ValueTask<ValueWebSocketReceiveResult> ReceiveAsync(WebSocket socket, CancellationToken ct)
    {
        if (Length == 0 && !_dataReady)
        {
            _dataReady = true;
            return socket.ReceiveAsync(Memory<byte>.Empty, ct);
        }
        return socket.ReceiveAsync(FreeSpace(), ct);
    }

    /// <summary>Forgets the content and gives the buffer back to the pool.</summary>
    public void Reset()
    {
        Length = 0;
        _dataReady = false;
        if (_buffer.Length == 0) return;
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = None;
    }

    public void Dispose() => Reset();
}
