namespace Parley.Abstractions.Files;

/// <summary>
/// Content-addressed byte storage for uploads: a blob's key is the SHA-256 of its content, so identical uploads
/// are stored once. Implementations stream (memory use does not grow with the blob) and never expose a partially
/// written blob: a blob either exists complete under its hash or not at all.
/// </summary>
/// <remarks>
/// Writing takes two steps so that the caller can publish a blob and record it under one lock of its own (an
/// orphan sweep must not delete a blob between the two): <see cref="StageAsync"/> streams the content somewhere
/// private and learns its hash, <see cref="IStagedBlob.CommitAsync"/> publishes it under that hash.
/// </remarks>
public interface IBlobStore
{
    /// <summary>
    /// Reads <paramref name="content"/> to its end, computing its SHA-256 while storing it privately. If reading
    /// throws (a size limit, a client that went away), nothing is left behind and the exception propagates.
    /// </summary>
    Task<IStagedBlob> StageAsync(Stream content, CancellationToken ct = default);

    /// <summary>
    /// Opens <paramref name="length"/> bytes from <paramref name="offset"/> (to the end when null) of a blob for
    /// reading, or returns null when no blob has that hash. The caller disposes the stream.
    /// </summary>
    Task<Stream?> OpenReadAsync(string sha256, long offset = 0, long? length = null, CancellationToken ct = default);

    /// <summary>The stored length of the blob, or null when it does not exist.</summary>
    Task<long?> GetSizeAsync(string sha256, CancellationToken ct = default);

    /// <summary>Deletes a blob. False when it did not exist.</summary>
    Task<bool> DeleteAsync(string sha256, CancellationToken ct = default);

    /// <summary>Where blobs live, for the start-up banner ("local: /srv/parley/files").</summary>
    string Describe();
}

/// <summary>Content streamed by <see cref="IBlobStore.StageAsync"/>, not yet visible under its hash.</summary>
public interface IStagedBlob : IAsyncDisposable
{
    /// <summary>Lower-case hex SHA-256 of the content, 64 characters.</summary>
    string Sha256 { get; }

    /// <summary>Length in bytes.</summary>
    long Size { get; }

    /// <summary>
    /// Publishes the content under <see cref="Sha256"/>. Returns false when identical content was already stored
    /// (the staged copy is dropped). Disposing without committing discards the content.
    /// </summary>
    Task<bool> CommitAsync(CancellationToken ct = default);
}

/// <summary>Helpers over <see cref="IBlobStore"/>.</summary>
public static class BlobStoreExtensions
{
    /// <summary>Stages and commits in one step; returns the hash, the size and whether the blob is new.</summary>
    public static async Task<(string Sha256, long Size, bool Created)> PutAsync(this IBlobStore store, Stream content, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        await using var staged = await store.StageAsync(content, ct).ConfigureAwait(false);
        var created = await staged.CommitAsync(ct).ConfigureAwait(false);
        return (staged.Sha256, staged.Size, created);
    }
}
