using System.Security.Cryptography;
using Parley.Abstractions.Files;
using Parley.Tests.Shared;

namespace Parley.Storage.Tests;

/// <summary>The contract of <see cref="IBlobStore"/>; every implementation runs these tests.</summary>
public abstract class BlobStoreConformance
{
    /// <summary>Content this long or longer exercises the implementation's streaming path in several pieces.</summary>
    protected virtual long LargeBytes => 3 * 1024 * 1024 + 123;

    /// <summary>A store over fresh, empty storage.</summary>
    protected abstract Task<IBlobStore> CreateStoreAsync();

    /// <summary>Everything the store keeps, published or not (temporary and staging objects included).</summary>
    protected abstract Task<int> CountStoredObjectsAsync();

    private static string Sha(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    private static async Task<byte[]> ReadAllAsync(Stream? stream)
    {
        Assert.NotNull(stream);
        await using (stream)
        {
            using var copy = new MemoryStream();
            await stream.CopyToAsync(copy).WaitAsync(TimeSpan.FromSeconds(60));
            return copy.ToArray();
        }
    }

    [Fact]
    public async Task Put_stores_content_under_its_sha256_and_reads_it_back()
    {
        var store = await CreateStoreAsync();
        var bytes = GeneratedStream.Bytes(10_000, seed: 1);
        var (sha, size, created) = await store.PutAsync(new MemoryStream(bytes));
        Assert.Equal((Sha(bytes), 10_000L, true), (sha, size, created));
        Assert.Equal(10_000, await store.GetSizeAsync(sha));
        Assert.Equal(bytes, await ReadAllAsync(await store.OpenReadAsync(sha)));
    }

    [Fact]
    public async Task Identical_content_is_stored_once()
    {
        var store = await CreateStoreAsync();
        var bytes = GeneratedStream.Bytes(5000, seed: 2);
        var first = await store.PutAsync(new MemoryStream(bytes));
        var objects = await CountStoredObjectsAsync();
        var second = await store.PutAsync(new MemoryStream(bytes));
        Assert.True(first.Created);
        Assert.False(second.Created);
        Assert.Equal(first.Sha256, second.Sha256);
        Assert.Equal(objects, await CountStoredObjectsAsync());
    }

    [Fact]
    public async Task Ranges_read_part_of_a_blob()
    {
        var store = await CreateStoreAsync();
        var bytes = GeneratedStream.Bytes(1000, seed: 3);
        var (sha, _, _) = await store.PutAsync(new MemoryStream(bytes));
        Assert.Equal(bytes[100..200], await ReadAllAsync(await store.OpenReadAsync(sha, 100, 100)));
        Assert.Equal(bytes[990..], await ReadAllAsync(await store.OpenReadAsync(sha, 990)));
        Assert.Equal(bytes[..1], await ReadAllAsync(await store.OpenReadAsync(sha, 0, 1)));
        Assert.Empty(await ReadAllAsync(await store.OpenReadAsync(sha, 10, 0)));
    }

    [Fact]
    public async Task Large_content_streams_through_and_reads_back_across_pieces()
    {
        var store = await CreateStoreAsync();
        var length = LargeBytes;
        var (sha, size, created) = await store.PutAsync(new GeneratedStream(length, seed: 4));
        Assert.Equal((GeneratedStream.Sha256(length, seed: 4), length, true), (sha, size, created));
        Assert.Equal(length, await store.GetSizeAsync(sha));
        await using (var all = await store.OpenReadAsync(sha))
        {
            Assert.Equal(sha, Convert.ToHexStringLower(await SHA256.HashDataAsync(all!).AsTask().WaitAsync(TimeSpan.FromSeconds(120))));
        }
        var expected = GeneratedStream.Bytes(length, seed: 4);
        var middle = length / 2 - 50_000;
        Assert.Equal(expected[(int)middle..(int)(middle + 100_000)], await ReadAllAsync(await store.OpenReadAsync(sha, middle, 100_000)));
    }

    [Fact]
    public async Task Missing_blobs_are_reported_as_missing()
    {
        var store = await CreateStoreAsync();
        var sha = new string('0', 64);
        Assert.Null(await store.OpenReadAsync(sha));
        Assert.Null(await store.GetSizeAsync(sha));
        Assert.False(await store.DeleteAsync(sha));
    }

    [Fact]
    public async Task Delete_removes_a_blob()
    {
        var store = await CreateStoreAsync();
        var (sha, _, _) = await store.PutAsync(new MemoryStream(GeneratedStream.Bytes(300, seed: 5)));
        Assert.True(await store.DeleteAsync(sha));
        Assert.Null(await store.GetSizeAsync(sha));
        Assert.Null(await store.OpenReadAsync(sha));
        Assert.False(await store.DeleteAsync(sha));
        Assert.Equal(0, await CountStoredObjectsAsync());
    }

    [Fact]
    public async Task A_staged_blob_is_invisible_until_committed_and_gone_if_never_committed()
    {
        var store = await CreateStoreAsync();
        var bytes = GeneratedStream.Bytes(2000, seed: 6);
        var sha = Sha(bytes);
        await using (var staged = await store.StageAsync(new MemoryStream(bytes)))
        {
            Assert.Equal((sha, 2000L), (staged.Sha256, staged.Size));
            Assert.Null(await store.GetSizeAsync(sha));
        }
        Assert.Null(await store.GetSizeAsync(sha));
        Assert.Equal(0, await CountStoredObjectsAsync());

        var large = await store.StageAsync(new GeneratedStream(LargeBytes, seed: 7));
        Assert.Null(await store.GetSizeAsync(large.Sha256));
        await large.DisposeAsync();
        Assert.Equal(0, await CountStoredObjectsAsync());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1000)]
    [InlineData(-1)] // fails past the first piece of a large upload
    public async Task A_failing_source_leaves_nothing_behind(long failAfter)
    {
        var store = await CreateStoreAsync();
        var at = failAfter < 0 ? LargeBytes - 10 : failAfter;
        var error = await Assert.ThrowsAsync<IOException>(() => store.StageAsync(new FailingStream(new GeneratedStream(LargeBytes, seed: 8), at)));
        Assert.Equal("the client went away", error.Message);
        Assert.Equal(0, await CountStoredObjectsAsync());
    }

    [Fact]
    public async Task Concurrent_identical_uploads_publish_one_blob()
    {
        var store = await CreateStoreAsync();
        var bytes = GeneratedStream.Bytes(50_000, seed: 9);
        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => store.PutAsync(new MemoryStream(bytes)))))
            .WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Single(results.Select(r => r.Sha256).Distinct());
        Assert.True(results.Count(r => r.Created) >= 1);
        Assert.Equal(1, await CountStoredObjectsAsync());
        Assert.Equal(bytes, await ReadAllAsync(await store.OpenReadAsync(results[0].Sha256)));
    }

    [Theory]
    [InlineData("../../../../etc/passwd")]
    [InlineData("ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789")]
    [InlineData("")]
    public async Task Names_that_are_not_a_hash_are_refused(string name)
    {
        var store = await CreateStoreAsync();
        await Assert.ThrowsAsync<ArgumentException>(() => store.OpenReadAsync(name));
        await Assert.ThrowsAsync<ArgumentException>(() => store.GetSizeAsync(name));
        await Assert.ThrowsAsync<ArgumentException>(() => store.DeleteAsync(name));
    }
}
