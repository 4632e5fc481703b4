using Dapper;
using Parley.Abstractions.Stores;

namespace Parley.Storage.Postgres;

/// <summary>Readiness probe: a round trip on a pooled connection (fails while PostgreSQL is unreachable).</summary>
public sealed class PostgresStoreHealth(PostgresDatabase db) : IStoreHealth
{
    /// <inheritdoc />
    public Task<bool> PingAsync(CancellationToken ct = default) =>
        db.ReadAsync(async c => await c.ExecuteScalarAsync<int>(new Dapper.CommandDefinition("SELECT 1", cancellationToken: ct)).ConfigureAwait(false) == 1, ct);

    /// <inheritdoc />
    public string Describe() => $"postgres: {db.Description}";
}
