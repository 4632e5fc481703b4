using Npgsql;
using Parley.Storage.Postgres;
using Parley.TestInfrastructure;

namespace Parley.Storage.Tests;

public sealed class PostgresSchemaTests(PostgresDatabaseFixture pg) : IClassFixture<PostgresDatabaseFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private static async Task<long> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task Nodes_starting_together_migrate_a_new_database_once()
    {
        var cs = await pg.Server.CreateDatabaseAsync("schema");
        var opened = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => Task.Run(() =>
            PostgresDatabase.OpenAsync(new PostgresStorageOptions { ConnectionString = cs })))).WaitAsync(Timeout);
        try
        {
            Assert.All(opened, db => Assert.Equal(PostgresSchema.LatestVersion, db.SchemaVersion));
            Assert.Equal(PostgresSchema.LatestVersion, await ScalarAsync(cs, "SELECT count(*) FROM parley_schema"));
            Assert.Equal(1, await ScalarAsync(cs, "SELECT count(*) FROM pg_tables WHERE tablename = 'messages'"));
        }
        finally
        {
            foreach (var db in opened) await db.DisposeAsync();
            await pg.Server.DropDatabaseAsync(cs);
        }
    }

    [Fact]
    public async Task Later_migrations_apply_on_top_of_an_older_schema_and_reopening_is_a_no_op()
    {
        var cs = await pg.Server.CreateDatabaseAsync("schema");
        var options = new PostgresStorageOptions { ConnectionString = cs };
        await (await PostgresDatabase.OpenAsync(options, null, ["CREATE TABLE a (x integer)"], default)).DisposeAsync();
        await using (var db = await PostgresDatabase.OpenAsync(options, null, ["CREATE TABLE a (x integer)", "ALTER TABLE a ADD COLUMN y integer"], default))
            Assert.Equal(2, db.SchemaVersion);
        await using (var again = await PostgresDatabase.OpenAsync(options, null, ["CREATE TABLE a (x integer)", "ALTER TABLE a ADD COLUMN y integer"], default))
            Assert.Equal(2, again.SchemaVersion);
        Assert.Equal(2, await ScalarAsync(cs, "SELECT count(*) FROM parley_schema"));
        Assert.Equal(1, await ScalarAsync(cs, "SELECT count(*) FROM information_schema.columns WHERE table_name = 'a' AND column_name = 'y'"));
    }

    [Fact]
    public async Task A_failing_migration_leaves_the_previous_version_intact()
    {
        var cs = await pg.Server.CreateDatabaseAsync("schema");
        var options = new PostgresStorageOptions { ConnectionString = cs };
        await (await PostgresDatabase.OpenAsync(options, null, ["CREATE TABLE a (x integer)"], default)).DisposeAsync();
        await Assert.ThrowsAsync<PostgresException>(() =>
            PostgresDatabase.OpenAsync(options, null, ["CREATE TABLE a (x integer)", "CREATE TABLE b (z integer)", "SELECT no_such_function()"], default));
        Assert.Equal(1, await ScalarAsync(cs, "SELECT max(version) FROM parley_schema"));
        Assert.Equal(0, await ScalarAsync(cs, "SELECT count(*) FROM pg_tables WHERE tablename = 'b'"));
    }

    [Fact]
    public async Task A_database_from_a_newer_server_is_refused()
    {
        var cs = await pg.Server.CreateDatabaseAsync("schema");
        var options = new PostgresStorageOptions { ConnectionString = cs };
        await (await PostgresDatabase.OpenAsync(options)).DisposeAsync();
        await ScalarAsync(cs, $"INSERT INTO parley_schema (version) VALUES ({PostgresSchema.LatestVersion + 1}) RETURNING version");
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => PostgresDatabase.OpenAsync(options));
        Assert.Contains("newer than this server supports", error.Message);
    }

    [Theory]
    [InlineData("", "ConnectionString is required")]
    [InlineData("Host=;Database=x", "must name a Host")]
    [InlineData("this is not a connection string", "not a valid Npgsql connection string")]
    [InlineData("Host=h;Frobnicate=1", "not a valid Npgsql connection string")]
    public void Bad_connection_strings_are_refused_naming_the_setting(string connectionString, string expected)
    {
        var failures = new PostgresStorageOptions { ConnectionString = connectionString }.Validate();
        var failure = Assert.Single(failures);
        Assert.Contains("Parley:Storage:Postgres:ConnectionString", failure);
        Assert.Contains(expected, failure);
        Assert.Throws<ArgumentException>(() => PostgresDatabase.Open(new PostgresStorageOptions { ConnectionString = connectionString }));
    }

    [Fact]
    public void Timeouts_fill_in_what_the_connection_string_leaves_out()
    {
        var filled = new PostgresStorageOptions { ConnectionString = "Host=h", ConnectTimeoutSeconds = 3, CommandTimeoutSeconds = 7 }.BuildConnectionString();
        Assert.Equal((3, 7), (filled.Timeout, filled.CommandTimeout));
        var own = new PostgresStorageOptions { ConnectionString = "Host=h;Timeout=11;Command Timeout=12" }.BuildConnectionString();
        Assert.Equal((11, 12), (own.Timeout, own.CommandTimeout));
        Assert.Contains("Timeout", Assert.Single(new PostgresStorageOptions { ConnectionString = "Host=h", ConnectTimeoutSeconds = 0 }.Validate()));
    }
}
