using System.Buffers;
using System.Net;
using System.Security.Cryptography;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Parley.Abstractions.Files;
using Parley.Core.Options;

namespace Parley.Storage.S3;

/// <summary>
/// Blobs as objects in an S3-compatible bucket, keyed <c>{prefix}blobs/{sha256}</c>. Uploads stream: content
/// smaller than one part goes up in one PUT under its final key; larger content goes up as a multipart upload
/// (one part buffer in memory at a time) to a private <c>{prefix}staging/…</c> key, and is copied to its final key
/// on commit. Either way the hash is computed while the bytes pass through.
/// </summary>
public sealed class S3BlobStore : IBlobStore, IDisposable
{
    private readonly IAmazonS3 _s3;
    private readonly FilesS3Options _options;
    private readonly string _bucket;
    private readonly int _partSize;

    public S3BlobStore(FilesS3Options options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
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
        string? stagingKey = null;
        string? uploadId = null;
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

            stagingKey = _options.Prefix + "staging/" + Guid.NewGuid().ToString("N");
            uploadId = (await _s3.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = _bucket, Key = stagingKey }, ct)
                .ConfigureAwait(false)).UploadId;
            var parts = new List<PartETag>();
            long size = 0;
            while (filled > 0)
            {
                var number = parts.Count + 1;
                using var part = new MemoryStream(buffer, 0, filled, writable: false);
                var response = await _s3.UploadPartAsync(new UploadPartRequest
                {
                    BucketName = _bucket,
                    Key = stagingKey,
                    UploadId = uploadId,
                    PartNumber = number,
                    PartSize = filled,
                    InputStream = part,
                    UseChunkEncoding = false,
                }, ct).ConfigureAwait(false);
                parts.Add(new PartETag(number, response.ETag));
                size += filled;
                filled = await FillAsync(content, buffer, ct).ConfigureAwait(false);
                hash.AppendData(buffer, 0, filled);
            }
            await _s3.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
            {
                BucketName = _bucket,
                Key = stagingKey,
                UploadId = uploadId,
                PartETags = parts,
            }, ct).ConfigureAwait(false);
            uploadId = null;
            return new LargeStaged(this, Convert.ToHexStringLower(hash.GetHashAndReset()), size, stagingKey);
        }
        catch
        {
            if (uploadId is not null)
                await IgnoreFailureAsync(() => _s3.AbortMultipartUploadAsync(new AbortMultipartUploadRequest { BucketName = _bucket, Key = stagingKey, UploadId = uploadId })).ConfigureAwait(false);
            throw;
        }
        finally
        {
            if (buffer is not null) ArrayPool<byte>.Shared.Return(buffer);
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
            return new ResponseStream(response);
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

    private sealed class LargeStaged(S3BlobStore store, string sha256, long size, string stagingKey) : IStagedBlob
    {
        private bool _cleaned;

        public string Sha256 { get; } = sha256;
        public long Size { get; } = size;

        public async Task<bool> CommitAsync(CancellationToken ct = default)
        {
            var created = false;
            if (await store.GetSizeAsync(Sha256, ct).ConfigureAwait(false) is null)
            {
                await store._s3.CopyObjectAsync(new CopyObjectRequest
                {
                    SourceBucket = store._bucket,
                    SourceKey = stagingKey,
                    DestinationBucket = store._bucket,
                    DestinationKey = store.KeyOf(Sha256),
                }, ct).ConfigureAwait(false);
                created = true;
            }
            await DisposeAsync().ConfigureAwait(false);
            return created;
        }

        public async ValueTask DisposeAsync()
        {
            if (_cleaned) return;
            _cleaned = true;
            await IgnoreFailureAsync(() => store._s3.DeleteObjectAsync(new DeleteObjectRequest { BucketName = store._bucket, Key = stagingKey })).ConfigureAwait(false);
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
