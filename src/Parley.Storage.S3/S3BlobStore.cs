using System.Buffers;
using System.Net;
using System.Security.Cryptography;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Parley.Abstractions.Files;
using Parley.Core.Files;
using Parley.Core.Options;

namespace Parley.Storage.S3;

/// <summary>
/// Blobs as objects in an S3-compatible bucket, keyed <c>{prefix}blobs/{sha256}</c>. Uploads stream and memory
/// stays flat: content smaller than one part is held (one part buffer) and goes up in one PUT on commit; larger
/// content is hashed into a local staging file and goes up on commit as a multipart upload read part by part from
/// that file. Nothing is visible under a key before it is complete, and content already in the bucket is not sent again.
/// </summary>
public sealed class S3BlobStore : IBlobStore, IDisposable
{
    private readonly IAmazonS3 _s3;
    private readonly FilesS3Options _options;
    private readonly string _bucket;
    private readonly int _partSize;
    private readonly string _staging;

    /// <param name="options">The bucket and how to reach it.</param>
    /// <param name="stagingDirectory">Where uploads larger than one part wait, on local disk, until they are committed.</param>
    public S3BlobStore(FilesS3Options options, string stagingDirectory)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(stagingDirectory);
        _options = options;
        _staging = Path.GetFullPath(stagingDirectory);
        RemoveStaleStagingFiles();
        _bucket = options.Bucket ?? throw new ArgumentException("Bucket is required", nameof(options));
        _partSize = checked((int)options.PartSizeBytes);
        var config = new AmazonS3Config
        {
            ForcePathStyle = options.ForcePathStyle,
            // S3-compatible servers often reject the newer flexible checksums; send them only where S3 requires them.
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        if (!string.IsNullOrWhiteSpace(options.ServiceUrl))
        {
            config.ServiceURL = options.ServiceUrl;
            if (!string.IsNullOrWhiteSpace(options.Region)) config.AuthenticationRegion = options.Region;
        }
        else
        {
            config.RegionEndpoint = Amazon.RegionEndpoint.GetBySystemName(options.Region);
        }
        _s3 = string.IsNullOrEmpty(options.AccessKey)
            ? new AmazonS3Client(config)
            : new AmazonS3Client(new BasicAWSCredentials(options.AccessKey, options.SecretKey), config);
    }

    /// <summary>Creates the bucket if it is missing (when <see cref="FilesS3Options.CreateBucket"/> is set).</summary>
    public async Task EnsureBucketAsync(CancellationToken ct = default)
    {
        try
        {
            await _s3.PutBucketAsync(new PutBucketRequest { BucketName = _bucket }, ct).ConfigureAwait(false);
        }
        catch (AmazonS3Exception ex) when (ex.ErrorCode is "BucketAlreadyOwnedByYou" or "BucketAlreadyExists")
        {
        }
    }

    private string KeyOf(string sha256)
    {
        if (!IsHash(sha256)) throw new ArgumentException("not a lower-case hex SHA-256", nameof(sha256));
        return _options.Prefix + "blobs/" + sha256;
    }

    private static bool IsHash(string? s) => s is { Length: 64 } && s.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f');

    /// <inheritdoc />
    public async Task<IStagedBlob> StageAsync(Stream content, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        byte[]? buffer = ArrayPool<byte>.Shared.Rent(_partSize);
        string? path = null;
        try
        {
            var filled = await FillAsync(content, buffer, ct).ConfigureAwait(false);
            hash.AppendData(buffer, 0, filled);
            if (filled < _partSize)
            {
                // Everything fits in one part: keep it (the staged blob returns the buffer) until commit, when the final key is known.
                var small = new SmallStaged(this, Convert.ToHexStringLower(hash.GetHashAndReset()), buffer, filled);
                buffer = null;
                return small;
            }

            // Larger content waits in a local file: its key (the hash) is known only at the end, S3-compatible servers
            // differ in how they take a server-side copy, and identical content then never travels to the bucket twice.
            Directory.CreateDirectory(_staging);
            path = Path.Combine(_staging, Guid.NewGuid().ToString("N"));
            long size = 0;
            await using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0, FileOptions.Asynchronous))
            {
                while (filled > 0)
                {
                    await file.WriteAsync(buffer.AsMemory(0, filled), ct).ConfigureAwait(false);
                    size += filled;
                    filled = await FillAsync(content, buffer, ct).ConfigureAwait(false);
                    hash.AppendData(buffer, 0, filled);
                }
            }
            var staged = new FileStaged(this, Convert.ToHexStringLower(hash.GetHashAndReset()), size, path);
            path = null;
            return staged;
        }
        finally
        {
            if (buffer is not null) ArrayPool<byte>.Shared.Return(buffer);
            if (path is not null) TryDelete(path);
        }
    }

    /// <summary>Staging files an earlier process left behind when it stopped mid-upload.</summary>
    private void RemoveStaleStagingFiles()
    {
        if (!Directory.Exists(_staging)) return;
        var cutoff = DateTime.UtcNow.AddHours(-1);
        foreach (var file in new DirectoryInfo(_staging).EnumerateFiles())
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

    /// <summary>Uploads a staged file to its final key in parts read straight from the file (no part buffer).</summary>
    private async Task UploadFileAsync(string path, long size, string key, CancellationToken ct)
    {
        var uploadId = (await _s3.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = _bucket, Key = key }, ct)
            .ConfigureAwait(false)).UploadId;
        try
        {
            var parts = new List<PartETag>();
            for (long position = 0; position < size; position += _partSize)
            {
                var number = parts.Count + 1;
                var response = await _s3.UploadPartAsync(new UploadPartRequest
                {
                    BucketName = _bucket,
                    Key = key,
                    UploadId = uploadId,
                    PartNumber = number,
                    FilePath = path,
                    FilePosition = position,
                    PartSize = Math.Min(_partSize, size - position),
                    UseChunkEncoding = false,
                }, ct).ConfigureAwait(false);
                parts.Add(new PartETag(number, response.ETag));
            }
            await _s3.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
            {
                BucketName = _bucket,
                Key = key,
                UploadId = uploadId,
                PartETags = parts,
            }, ct).ConfigureAwait(false);
        }
        catch
        {
            await IgnoreFailureAsync(() => _s3.AbortMultipartUploadAsync(new AbortMultipartUploadRequest { BucketName = _bucket, Key = key, UploadId = uploadId }))
                .ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Fills the buffer up to one part (fewer bytes only at the end of the stream).</summary>
    private async Task<int> FillAsync(Stream content, byte[] buffer, CancellationToken ct)
    {
        var total = 0;
        while (total < _partSize)
        {
            var n = await content.ReadAsync(buffer.AsMemory(total, _partSize - total), ct).ConfigureAwait(false);
            if (n == 0) break;
            total += n;
        }
        return total;
    }

    /// <inheritdoc />
    public async Task<Stream?> OpenReadAsync(string sha256, long offset = 0, long? length = null, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        if (length is < 0) throw new ArgumentOutOfRangeException(nameof(length));
        var request = new GetObjectRequest { BucketName = _bucket, Key = KeyOf(sha256) };
        if (length == 0) return await GetSizeAsync(sha256, ct).ConfigureAwait(false) is null ? null : new MemoryStream([], writable: false);
        if (length is { } l) request.ByteRange = new ByteRange(offset, offset + l - 1);
        else if (offset > 0) request.ByteRange = new ByteRange(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"bytes={offset}-"));
        try
        {
            var response = await _s3.GetObjectAsync(request, ct).ConfigureAwait(false);
            // Bounded on our side too: some S3-compatible servers answer "bytes=0-0" with the whole object.
            return length is { } n ? new BoundedReadStream(new ResponseStream(response), n) : new ResponseStream(response);
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <inheritdoc />
    public async Task<long?> GetSizeAsync(string sha256, CancellationToken ct = default)
    {
        try
        {
            var metadata = await _s3.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = _bucket, Key = KeyOf(sha256) }, ct).ConfigureAwait(false);
            return metadata.ContentLength;
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <inheritdoc />
    public async Task<bool> DeleteAsync(string sha256, CancellationToken ct = default)
    {
        if (await GetSizeAsync(sha256, ct).ConfigureAwait(false) is null) return false;
        await _s3.DeleteObjectAsync(new DeleteObjectRequest { BucketName = _bucket, Key = KeyOf(sha256) }, ct).ConfigureAwait(false);
        return true;
    }

    /// <inheritdoc />
    public string Describe() => $"s3: {(string.IsNullOrWhiteSpace(_options.ServiceUrl) ? _options.Region : _options.ServiceUrl)} bucket {_bucket}"
        + (_options.Prefix.Length > 0 ? " prefix " + _options.Prefix : "");

    public void Dispose() => _s3.Dispose();

    private static async Task IgnoreFailureAsync(Func<Task> cleanup)
    {
        try { await cleanup().ConfigureAwait(false); }
        catch (AmazonServiceException) { }
        catch (HttpRequestException) { }
    }

    private sealed class SmallStaged(S3BlobStore store, string sha256, byte[] rented, int length) : IStagedBlob
    {
        private byte[]? _buffer = rented;

        public string Sha256 { get; } = sha256;
        public long Size => length;

        public async Task<bool> CommitAsync(CancellationToken ct = default)
        {
            ObjectDisposedException.ThrowIf(_buffer is null, this);
            if (await store.GetSizeAsync(Sha256, ct).ConfigureAwait(false) is not null) return false;
            using var body = new MemoryStream(_buffer, 0, length, writable: false);
            await store._s3.PutObjectAsync(new PutObjectRequest
            {
                BucketName = store._bucket,
                Key = store.KeyOf(Sha256),
                InputStream = body,
                AutoCloseStream = false,
                UseChunkEncoding = false,
            }, ct).ConfigureAwait(false);
            return true;
        }

        public ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _buffer, null) is { } b) ArrayPool<byte>.Shared.Return(b);
            return ValueTask.CompletedTask;
        }
    }

    private sealed class FileStaged(S3BlobStore store, string sha256, long size, string path) : IStagedBlob
    {
        private bool _done;

        public string Sha256 { get; } = sha256;
        public long Size { get; } = size;

        public async Task<bool> CommitAsync(CancellationToken ct = default)
        {
            ObjectDisposedException.ThrowIf(_done, this);
            try
            {
                if (await store.GetSizeAsync(Sha256, ct).ConfigureAwait(false) is not null) return false;
                await store.UploadFileAsync(path, Size, store.KeyOf(Sha256), ct).ConfigureAwait(false);
                return true;
            }
            finally
            {
                await DisposeAsync().ConfigureAwait(false);
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

    /// <summary>An object's body that also disposes the response holding the connection.</summary>
    private sealed class ResponseStream(GetObjectResponse response) : Stream
    {
        private readonly Stream _inner = response.ResponseStream;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, count);
        public override int Read(Span<byte> buffer) => _inner.Read(buffer);
        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            _inner.ReadAsync(buffer, offset, count, cancellationToken);
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => _inner.ReadAsync(buffer, cancellationToken);
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing) response.Dispose();
            base.Dispose(disposing);
        }
    }
}
