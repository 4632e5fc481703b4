namespace Parley.Core.Files;

/// <summary>
/// Striped async locks by blob hash. Publishing a blob and recording it happen under the hash's lock, and so does
/// "nobody refers to this blob any more, delete it": an upload of identical content can never lose its bytes to a
/// concurrent orphan sweep. (In-process: a cluster sharing one bucket would need a distributed lock.)
/// </summary>
internal sealed class HashGate
{
    private readonly SemaphoreSlim[] _stripes = Enumerable.Range(0, 64).Select(_ => new SemaphoreSlim(1, 1)).ToArray();

    public async ValueTask<Releaser> LockAsync(string sha256, CancellationToken ct)
    {
        var stripe = _stripes[(int)((uint)StringComparer.Ordinal.GetHashCode(sha256) % (uint)_stripes.Length)];
        await stripe.WaitAsync(ct).ConfigureAwait(false);
        return new Releaser(stripe);
    }

    public readonly struct Releaser(SemaphoreSlim stripe) : IDisposable
    {
        public void Dispose() => stripe.Release();
    }
}
