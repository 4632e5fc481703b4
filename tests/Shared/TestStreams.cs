using System.Security.Cryptography;

namespace Parley.Tests.Shared;

/// <summary>
/// A read-only stream of <paramref name="length"/> pseudo-random bytes generated on the fly (xorshift), so tests
/// can upload hundreds of megabytes without holding them. The same seed gives the same bytes.
/// </summary>
public sealed class GeneratedStream(long length, ulong seed = 0x9E3779B97F4A7C15) : Stream
{
    private ulong _state = seed == 0 ? 1 : seed;
    private long _position;

    /// <summary>Bytes handed out so far.</summary>
    public long Produced => _position;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => length;
    public override long Position { get => _position; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var n = (int)Math.Min(buffer.Length, length - _position);
        for (var i = 0; i < n; i++)
        {
            // position-independent of read sizes: one state step per byte
            _state ^= _state << 13;
            _state ^= _state >> 7;
            _state ^= _state << 17;
            buffer[i] = (byte)_state;
        }
        _position += n;
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        Task.FromResult(Read(buffer.AsSpan(offset, count)));

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Read(buffer.Span));

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    /// <summary>The bytes of a generated stream (for small ones).</summary>
    public static byte[] Bytes(long length, ulong seed = 0x9E3779B97F4A7C15)
    {
        using var s = new GeneratedStream(length, seed);
        var bytes = new byte[length];
        s.ReadExactly(bytes);
        return bytes;
    }

    /// <summary>Lower-case hex SHA-256 of a generated stream, computed by streaming it.</summary>
    public static string Sha256(long length, ulong seed = 0x9E3779B97F4A7C15)
    {
        using var s = new GeneratedStream(length, seed);
        return Convert.ToHexStringLower(SHA256.HashData(s));
    }
}

/// <summary>Passes an inner stream through and throws <see cref="IOException"/> once <paramref name="failAfter"/> bytes have gone by.</summary>
public sealed class FailingStream(Stream inner, long failAfter) : Stream
{
    private long _read;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => _read; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (_read >= failAfter) throw new IOException("the client went away");
        var n = inner.Read(buffer[..(int)Math.Min(buffer.Length, failAfter - _read)]);
        _read += n;
        return n;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromResult(Read(buffer.Span));
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => Task.FromResult(Read(buffer.AsSpan(offset, count)));
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
