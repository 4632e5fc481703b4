namespace Parley.Core.Files;

/// <summary>An upload passed its kind's size limit; nothing of it was kept.</summary>
public sealed class UploadTooLargeException(long limit) : Exception($"the upload exceeds {limit} bytes")
{
    public long Limit { get; } = limit;
}

/// <summary>
/// A read-only view of bytes already read (the sniffing window) followed by the rest of the source, which throws
/// <see cref="UploadTooLargeException"/> as soon as more than the limit has come through: the reader stops there
/// instead of consuming an oversized body.
/// </summary>
internal sealed class UploadStream(ReadOnlyMemory<byte> prefix, Stream rest, long limit) : Stream
{
    private ReadOnlyMemory<byte> _prefix = prefix;
    private long _read;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => _read; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (buffer.IsEmpty) return 0;
        int n;
        if (!_prefix.IsEmpty)
        {
            n = Math.Min(buffer.Length, _prefix.Length);
            _prefix.Span[..n].CopyTo(buffer);
            _prefix = _prefix[n..];
        }
        else
        {
            n = rest.Read(buffer);
        }
        return Count(n);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty) return 0;
        if (!_prefix.IsEmpty)
        {
            var n = Math.Min(buffer.Length, _prefix.Length);
            _prefix[..n].CopyTo(buffer);
            _prefix = _prefix[n..];
            return Count(n);
        }
        return Count(await rest.ReadAsync(buffer, cancellationToken).ConfigureAwait(false));
    }

    private int Count(int n)
    {
        _read += n;
        if (_read > limit) throw new UploadTooLargeException(limit);
        return n;
    }

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

/// <summary>Reads up to <paramref name="count"/> bytes, fewer only at the end of the stream.</summary>
internal static class StreamReading
{
    public static async ValueTask<int> ReadAtMostAsync(this Stream stream, Memory<byte> buffer, CancellationToken ct)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var n = await stream.ReadAsync(buffer[total..], ct).ConfigureAwait(false);
            if (n == 0) break;
            total += n;
        }
        return total;
    }
}
