using System.Buffers;
using System.Security.Cryptography;
using Parley.Abstractions.Files;

namespace Parley.Core.Files;

/// <summary>
/// Blobs as files under a directory, addressed by hash (<c>ab/cd/abcd…</c>). Content is streamed into a private
/// temporary file while being hashed, flushed to disk, then renamed into place (atomic on one file system), so a
/// reader never sees half a blob and a crash leaves only a temporary file, removed at the next start.
/// </summary>
public sealed class LocalDiskBlobStore : IBlobStore
{
    private const int BufferBytes = 64 * 1024;
    private readonly string _root;
    private readonly string _temp;

    public LocalDiskBlobStore(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        _root = Path.GetFullPath(directory);
        _temp = Path.Combine(_root, "tmp");
        Directory.CreateDirectory(_temp);
        RemoveStaleTemporaryFiles();
    }

    /// <summary>The blob directory.</summary>
    public string Root => _root;

    /// <inheritdoc />
    public async Task<IStagedBlob> StageAsync(Stream content, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        var path = Path.Combine(_temp, Guid.NewGuid().ToString("N"));
        var buffer = ArrayPool<byte>.Shared.Rent(BufferBytes);
        try
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            long size = 0;
            // No FileStream buffer: writes are already 64 KiB, and a buffer of that size would land on the large object heap.
            await using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0, FileOptions.Asynchronous))
            {
                int n;
                while ((n = await content.ReadAsync(buffer.AsMemory(0, BufferBytes), ct).ConfigureAwait(false)) > 0)
                {
                    hash.AppendData(buffer, 0, n);
                    await file.WriteAsync(buffer.AsMemory(0, n), ct).ConfigureAwait(false);
                    size += n;
                }
                file.Flush(flushToDisk: true);
            }
            return new Staged(this, path, Convert.ToHexStringLower(hash.GetHashAndReset()), size);
        }
        catch
        {
            TryDelete(path);
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <inheritdoc />
    public Task<Stream?> OpenReadAsync(string sha256, long offset = 0, long? length = null, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        if (length is < 0) throw new ArgumentOutOfRangeException(nameof(length));
        FileStream file;
        try
        {
            file = new FileStream(PathOf(sha256), FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, bufferSize: 0,
                FileOptions.Asynchronous | FileOptions.SequentialScan);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return Task.FromResult<Stream?>(null);
        }
        file.Seek(Math.Min(offset, file.Length), SeekOrigin.Begin);
        return Task.FromResult<Stream?>(length is { } l ? new BoundedReadStream(file, l) : file);
    }

    /// <inheritdoc />
    public Task<long?> GetSizeAsync(string sha256, CancellationToken ct = default)
    {
        var info = new FileInfo(PathOf(sha256));
        return Task.FromResult<long?>(info.Exists ? info.Length : null);
    }

    /// <inheritdoc />
    public Task<bool> DeleteAsync(string sha256, CancellationToken ct = default)
    {
        var path = PathOf(sha256);
        if (!File.Exists(path)) return Task.FromResult(false);
        File.Delete(path);
        return Task.FromResult(true);
    }

    /// <inheritdoc />
    public string Describe() => "local: " + _root;

    private string PathOf(string sha256)
    {
        if (!IsHash(sha256)) throw new ArgumentException("not a lower-case hex SHA-256", nameof(sha256));
        return Path.Combine(_root, sha256[..2], sha256[2..4], sha256);
    }

    /// <summary>64 lower-case hex digits (the only names that ever reach the file system).</summary>
    public static bool IsHash(string? s) => s is { Length: 64 } && s.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f');

    private void RemoveStaleTemporaryFiles()
    {
        var cutoff = DateTime.UtcNow.AddHours(-1);
        foreach (var file in new DirectoryInfo(_temp).EnumerateFiles())
        {
            if (file.LastWriteTimeUtc < cutoff) TryDelete(file.FullName);
        }
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    private sealed class Staged(LocalDiskBlobStore store, string path, string sha256, long size) : IStagedBlob
    {
        private bool _done;

        public string Sha256 { get; } = sha256;
        public long Size { get; } = size;

        public Task<bool> CommitAsync(CancellationToken ct = default)
        {
            ObjectDisposedException.ThrowIf(_done, this);
            _done = true;
            var target = store.PathOf(Sha256);
            if (File.Exists(target))
            {
                TryDelete(path);
                return Task.FromResult(false);
            }
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            try
            {
                File.Move(path, target, overwrite: false);
                return Task.FromResult(true);
            }
            catch (IOException) when (File.Exists(target))
            {
                TryDelete(path); // identical content published meanwhile
                return Task.FromResult(false);
            }
        }

        public ValueTask DisposeAsync()
        {
            if (!_done)
            {
                _done = true;
                TryDelete(path);
            }
            return ValueTask.CompletedTask;
        }
    }
}

/// <summary>Reads at most a given number of bytes of an inner stream (a range of a blob), disposing it.</summary>
public sealed class BoundedReadStream(Stream inner, long length) : Stream
{
    private readonly long _length = length;
    private long _remaining = length;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => _length - _remaining; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (_remaining <= 0) return 0;
        var n = inner.Read(buffer[..(int)Math.Min(buffer.Length, _remaining)]);
        _remaining -= n;
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_remaining <= 0) return 0;
        var n = await inner.ReadAsync(buffer[..(int)Math.Min(buffer.Length, _remaining)], cancellationToken).ConfigureAwait(false);
        _remaining -= n;
        return n;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await inner.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
