using Dapper;
using Parley.Abstractions.Stores;

namespace Parley.Storage.Sqlite;

/// <summary>Readiness probe: a round trip on a pooled read connection.</summary>
public sealed class SqliteStoreHealth(SqliteDatabase db) : IStoreHealth
{
    /// <inheritdoc />
    public Task<bool> PingAsync(CancellationToken ct = default) =>
        db.ReadAsync(async c => await c.ExecuteScalarAsync<long>(new CommandDefinition("SELECT 1", cancellationToken: ct)).ConfigureAwait(false) == 1, ct);

    /// <inheritdoc />
    public string Describe() => $"sqlite: {db.Path}";
}
