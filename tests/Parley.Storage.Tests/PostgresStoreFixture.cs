using Npgsql;
using Parley.Storage.Postgres;
using Parley.TestInfrastructure;

namespace Parley.Storage.Tests;

/// <summary>
/// One database per test class on the shared PostgreSQL server, migrated once; <see cref="ResetAsync"/> empties it
/// before each test (tests of a class run one after another), so every test starts from fresh, empty storage.
/// </summary>
public sealed class PostgresStoreFixture : IAsyncLifetime
{
    private readonly PostgresDatabaseFixture _database = new();
    private readonly List<PostgresDatabase> _nodes = [];
    private PostgresDatabase? _primary;

    public PostgresDatabase Database => _primary ?? throw new InvalidOperationException("fixture not initialised");

    public string ConnectionString => _database.ConnectionString;

    public async Task InitializeAsync()
    {
        await _database.InitializeAsync();
        _primary = await OpenNodeAsync();
    }

    /// <summary>Another connection pool over the same database, as a second server node would have.</summary>
    public async Task<PostgresDatabase> OpenNodeAsync()
    {
        var db = await PostgresDatabase.OpenAsync(new PostgresStorageOptions { ConnectionString = ConnectionString });
        lock (_nodes) _nodes.Add(db);
        return db;
    }

    public async Task ResetAsync()
    {
        await using var command = Database.DataSource.CreateCommand("""
            TRUNCATE accounts, revoked_tokens, friend_requests, friendships, blocks, groups, group_members, group_invites,
                conversations, participants, messages, files, file_refs, avatars RESTART IDENTITY CASCADE
            """);
        await command.ExecuteNonQueryAsync();
    }

    public async Task DisposeAsync()
    {
        foreach (var db in _nodes) await db.DisposeAsync();
        await _database.DisposeAsync();
    }
}
