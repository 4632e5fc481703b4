using System.Buffers;

namespace Parley.Transports.WebSockets;

/// <summary>
/// Reassembles one inbound WebSocket message in pooled memory: starts small, doubles up to the limit (plus one byte,
/// so "over the limit" is observable), and shrinks back after a large message.
/// </summary>
public sealed class PooledMessageBuffer(int initialBytes, int maxBytes) : IDisposable
{
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(Math.Min(initialBytes, maxBytes + 1));

    public int Length { get; private set; }
    public ReadOnlyMemory<byte> Written => _buffer.AsMemory(0, Length);
    public bool OverLimit => Length > maxBytes;

    /// <summary>Space for the next receive, growing the buffer when it is full.</summary>
    public Memory<byte> FreeSpace()
    {
        if (Length == _buffer.Length)
        {
            var grown = ArrayPool<byte>.Shared.Rent(Math.Min(_buffer.Length * 2, maxBytes + 1));
            _buffer.AsSpan(0, Length).CopyTo(grown);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = grown;
        }
        return _buffer.AsMemory(Length);
    }

    public void Advance(int count) => Length += count;

    /// <summary>Forgets the content; a buffer grown for a large message goes back to the pool.</summary>
    public void Reset()
    {
        Length = 0;
        if (_buffer.Length <= initialBytes) return;
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = ArrayPool<byte>.Shared.Rent(initialBytes);
    }

    public void Dispose() => ArrayPool<byte>.Shared.Return(_buffer);
}
