using Amazon.S3;
using Amazon.S3.Model;
using Parley.Abstractions.Files;
using Parley.Core.Files;
using Parley.Core.Options;
using Parley.Storage.S3;
using Parley.Tests.Shared;

namespace Parley.Storage.Tests;

public sealed class LocalDiskBlobStoreTests : BlobStoreConformance, IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "parley-blobs-" + Guid.NewGuid().ToString("N"));

    protected override Task<IBlobStore> CreateStoreAsync() => Task.FromResult<IBlobStore>(new LocalDiskBlobStore(_directory));

    protected override Task<int> CountStoredObjectsAsync() =>
        Task.FromResult(Directory.Exists(_directory) ? Directory.EnumerateFiles(_directory, "*", SearchOption.AllDirectories).Count() : 0);

    [Fact]
    public async Task Blobs_live_under_their_hash_in_two_levels_of_directories()
    {
        var store = new LocalDiskBlobStore(_directory);
        var (sha, _, _) = await store.PutAsync(new MemoryStream("hello"u8.ToArray()));
        Assert.True(File.Exists(Path.Combine(_directory, sha[..2], sha[2..4], sha)));
        Assert.Equal("local: " + _directory, store.Describe());
    }

    [Fact]
    public void Stale_temporary_files_of_a_crash_are_removed_at_start()
    {
        var temp = Path.Combine(_directory, "tmp");
        Directory.CreateDirectory(temp);
        var stale = Path.Combine(temp, "stale");
        var recent = Path.Combine(temp, "recent");
        File.WriteAllText(stale, "x");
        File.WriteAllText(recent, "x");
        File.SetLastWriteTimeUtc(stale, DateTime.UtcNow.AddHours(-2));
        _ = new LocalDiskBlobStore(_directory);
        Assert.False(File.Exists(stale));
        Assert.True(File.Exists(recent)); // may belong to an upload of another process in progress
    }

    public void Dispose()
    {
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }
}

/// <summary>One s3rver for the S3 tests of this class; each test works under its own key prefix.</summary>
public sealed class S3rverFixture : IAsyncLifetime
{
    public S3rverProcess Server { get; private set; } = null!;
    public async Task InitializeAsync() => Server = await S3rverProcess.StartAsync();
    public async Task DisposeAsync() => await Server.DisposeAsync();
}

public sealed class S3BlobStoreTests(S3rverFixture s3) : BlobStoreConformance, IClassFixture<S3rverFixture>, IDisposable
{
    private const int PartBytes = 5 * 1024 * 1024;
    private readonly string _prefix = "t" + Guid.NewGuid().ToString("N")[..12] + "/";
    private readonly string _staging = Path.Combine(Path.GetTempPath(), "parley-s3-staging-" + Guid.NewGuid().ToString("N"));
    private S3BlobStore? _store;

    // Over two parts: staged on disk, uploaded in three parts, read back by a range across parts.
    protected override long LargeBytes => 2L * PartBytes + 123_457;

    private FilesS3Options Options => new()
    {
        ServiceUrl = s3.Server.ServiceUrl,
        Bucket = s3.Server.Bucket,
        AccessKey = S3rverProcess.AccessKey,
        SecretKey = S3rverProcess.SecretKey,
        ForcePathStyle = true,
        Region = "us-east-1",
        Prefix = _prefix,
        PartSizeBytes = PartBytes,
    };

    protected override Task<IBlobStore> CreateStoreAsync() => Task.FromResult<IBlobStore>(_store ??= new S3BlobStore(Options, _staging));

    protected override async Task<int> CountStoredObjectsAsync()
    {
        using var client = new AmazonS3Client(S3rverProcess.AccessKey, S3rverProcess.SecretKey,
            new AmazonS3Config { ServiceURL = s3.Server.ServiceUrl, ForcePathStyle = true });
        var list = await client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = s3.Server.Bucket, Prefix = _prefix });
        var staged = Directory.Exists(_staging) ? Directory.EnumerateFiles(_staging).Count() : 0;
        return (list.S3Objects?.Count ?? 0) + staged;
    }

    [Fact]
    public async Task Blobs_are_objects_under_the_prefix_and_a_missing_bucket_can_be_created()
    {
        var store = (S3BlobStore)await CreateStoreAsync();
        var (sha, _, _) = await store.PutAsync(new MemoryStream("hello"u8.ToArray()));
        Assert.Equal(1, await CountStoredObjectsAsync());
        Assert.Contains(s3.Server.Bucket, store.Describe());

        var options = Options;
        options.Bucket = "made-by-parley";
        using var other = new S3BlobStore(options, _staging);
        await other.EnsureBucketAsync();
        await other.EnsureBucketAsync(); // idempotent
        var put = await other.PutAsync(new MemoryStream("hello"u8.ToArray()));
        Assert.Equal(sha, put.Sha256);
    }

    public void Dispose()
    {
        _store?.Dispose();
        try { Directory.Delete(_staging, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
