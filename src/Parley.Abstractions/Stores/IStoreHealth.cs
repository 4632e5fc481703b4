namespace Parley.Abstractions.Stores;

/// <summary>Readiness probe of the storage engine.</summary>
public interface IStoreHealth
{
    /// <summary>Runs a trivial round trip; throws or returns false when storage is unusable.</summary>
    Task<bool> PingAsync(CancellationToken ct = default);

    /// <summary>Describes where data lives, for the start-up banner ("sqlite: /path/parley.db").</summary>
    string Describe();
}
