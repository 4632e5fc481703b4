using System.Buffers;

namespace Parley.Transports.WebSockets;

/// <summary>
/// The upgraded connection under a server <see cref="System.Net.WebSockets.WebSocket"/>, with a write batch: a write
/// loop appends every message it has queued as complete frames and sends them in one write, so a connection that
/// receives eight messages at once costs one send, not eight. Writes the WebSocket makes itself (pongs, keep-alive
/// pings, the close frame) join the batch while one is open, keeping their order, and go straight out otherwise.
/// Reads pass through. An idle connection holds no buffer: the batch's is rented and returned per flush.
/// </summary>
public sealed class FrameBatchStream(Stream inner) : Stream, IFrameBatch
{
    private const int MinimumRent = 4096;
    // Serialises writes on the inner stream (a flush against a write the WebSocket makes on its own).
    private readonly SemaphoreSlim _io = new(1, 1);
    private readonly Lock _gate = new();
    private byte[]? _buffer;
    private int _length;

    /// <summary>
    /// Appends one whole message as a single unmasked frame (FIN set), opening the batch if none is; returns the bytes
    /// the batch now holds.
    /// </summary>
    public int AppendFrame(ReadOnlySpan<byte> payload, bool text)
    {
        lock (_gate)
        {
            var span = Reserve(ServerFrameHeader.MaxBytes + payload.Length);
            var header = ServerFrameHeader.Write(span, (byte)(0x80 | (text ? 0x1 : 0x2)), payload.Length);
            payload.CopyTo(span[header..]);
            _length += header + payload.Length;
            return _length;
        }
    }

    /// <summary>Sends what the batch holds in one write and closes the batch.</summary>
    public async ValueTask FlushBatchAsync(CancellationToken ct)
    {
        await _io.WaitAsync(ct);
        try
        {
            byte[]? buffer;
            int length;
            lock (_gate)
            {
                (buffer, length) = (_buffer, _length);
                (_buffer, _length) = (null, 0);
            }
            if (buffer is null) return;
            try
            {
                await inner.WriteAsync(buffer.AsMemory(0, length), ct);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
        finally
        {
            _io.Release();
        }
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken ct = default)
    {
        lock (_gate)
        {
            if (_buffer is not null)
            {
                data.Span.CopyTo(Reserve(data.Length));
                _length += data.Length;
                return default;
            }
        }
        return WriteThroughAsync(data, ct);
    }

    private async ValueTask WriteThroughAsync(ReadOnlyMemory<byte> data, CancellationToken ct)
    {
        await _io.WaitAsync(ct);
        try
        {
            await inner.WriteAsync(data, ct);
        }
        finally
        {
            _io.Release();
        }
    }

    /// <summary>Room for <paramref name="bytes"/> more at the end of the batch (called under the gate).</summary>
    private Span<byte> Reserve(int bytes)
    {
        if (_buffer is null)
        {
            _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(MinimumRent, bytes));
        }
        else if (_buffer.Length - _length < bytes)
        {
            var grown = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _length + bytes));
            _buffer.AsSpan(0, _length).CopyTo(grown);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = grown;
        }
        return _buffer.AsSpan(_length, bytes);
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default) => inner.ReadAsync(buffer, ct);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken ct) =>
        inner.ReadAsync(buffer.AsMemory(offset, count), ct).AsTask();

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken ct) =>
        WriteAsync(buffer.AsMemory(offset, count), ct).AsTask();

    public override Task FlushAsync(CancellationToken ct) => inner.FlushAsync(ct);

    // Asynchronous only: a synchronous call would block a thread-pool thread on the network.
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() => throw new NotSupportedException("synchronous I/O on a WebSocket");
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("synchronous I/O on a WebSocket");
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("synchronous I/O on a WebSocket");
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
            lock (_gate)
            {
                if (_buffer is not null) ArrayPool<byte>.Shared.Return(_buffer);
                (_buffer, _length) = (null, 0);
            }
        }
        base.Dispose(disposing);
    }
}
