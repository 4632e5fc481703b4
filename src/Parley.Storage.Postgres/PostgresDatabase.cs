using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Parley.Abstractions.Stores;

namespace Parley.Storage.Postgres;

/// <summary>
/// One PostgreSQL database shared by the stores of every node: a pooled <see cref="NpgsqlDataSource"/>, the schema
/// migrated at start (under an advisory lock, so nodes starting together migrate once), and the rules for failures:
/// an unreachable database becomes <see cref="StorageUnavailableException"/>, a stale pooled connection (the server
/// restarted) is dropped and the work retried once, and deadlocks are retried before anything is committed.
/// </summary>
public sealed class PostgresDatabase : IDisposable, IAsyncDisposable
{
    private const int MaxConflictAttempts = 5;
    private readonly NpgsqlDataSource _dataSource;
    private readonly ILogger _logger;

    private PostgresDatabase(NpgsqlDataSource dataSource, string description, int version, ILogger logger)
    {
        _dataSource = dataSource;
        Description = description;
        SchemaVersion = version;
        _logger = logger;
    }

    /// <summary>Where the data lives, without credentials ("host:port/database as user").</summary>
    public string Description { get; }

    /// <summary>The schema version after start-up migrations.</summary>
    public int SchemaVersion { get; }

    /// <summary>The pooled data source (for tests and tools; stores go through the helpers here).</summary>
    public NpgsqlDataSource DataSource => _dataSource;

    /// <summary>Connects (retrying while the server is unreachable, up to the start-up timeout) and migrates the schema.</summary>
    public static PostgresDatabase Open(PostgresStorageOptions options, ILogger? logger = null) =>
        OpenAsync(options, logger, PostgresSchema.Migrations, CancellationToken.None).GetAwaiter().GetResult();

    /// <inheritdoc cref="Open(PostgresStorageOptions, ILogger?)"/>
    public static Task<PostgresDatabase> OpenAsync(PostgresStorageOptions options, ILogger? logger = null, CancellationToken ct = default) =>
        OpenAsync(options, logger, PostgresSchema.Migrations, ct);

    internal static async Task<PostgresDatabase> OpenAsync(PostgresStorageOptions options, ILogger? logger, IReadOnlyList<string> migrations, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = options.Validate();
        if (failures.Count > 0) throw new ArgumentException(string.Join("; ", failures), nameof(options));
        logger ??= NullLogger.Instance;

        var builder = options.BuildConnectionString();
        var description = string.Create(CultureInfo.InvariantCulture, $"{builder.Host}:{builder.Port}/{builder.Database ?? builder.Username} as {builder.Username}");
        var dataSource = NpgsqlDataSource.Create(builder);
        var started = Stopwatch.GetTimestamp();
        var patience = TimeSpan.FromSeconds(options.StartupTimeoutSeconds);
        var delay = TimeSpan.FromMilliseconds(250);
        try
        {
            while (true)
            {
                try
                {
                    var version = await MigrateAsync(dataSource, description, migrations, logger, ct).ConfigureAwait(false);
                    PostgresLog.Opened(logger, description, version);
                    return new PostgresDatabase(dataSource, description, version, logger);
                }
                catch (Exception e) when (IsUnavailable(e) && Stopwatch.GetElapsedTime(started) + delay < patience)
                {
                    PostgresLog.WaitingForDatabase(logger, description, delay.TotalMilliseconds, e.Message);
                    dataSource.Clear();
                    await Task.Delay(delay, ct).ConfigureAwait(false);
                    delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
                }
            }
        }
        catch (Exception e)
        {
            await dataSource.DisposeAsync().ConfigureAwait(false);
            if (IsUnavailable(e)) throw new StorageUnavailableException($"PostgreSQL at {description} is unreachable: {e.Message}", e);
            throw;
        }
    }

    private static async Task<int> MigrateAsync(NpgsqlDataSource dataSource, string description, IReadOnlyList<string> migrations, ILogger logger, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        await using var tx = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
        // Held until commit: a second node starting at the same moment waits here, then finds the work done.
        await ExecuteAsync(connection, tx, string.Create(CultureInfo.InvariantCulture, $"SELECT pg_advisory_xact_lock({PostgresSchema.MigrationLockKey})"), ct).ConfigureAwait(false);
        await ExecuteAsync(connection, tx, """
            CREATE TABLE IF NOT EXISTS parley_schema (
                version    integer     PRIMARY KEY,
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """, ct).ConfigureAwait(false);
        int current;
        await using (var read = new NpgsqlCommand("SELECT coalesce(max(version), 0) FROM parley_schema", connection, tx))
            current = Convert.ToInt32(await read.ExecuteScalarAsync(ct).ConfigureAwait(false), CultureInfo.InvariantCulture);
        var latest = migrations.Count;
        if (current > latest)
            throw new InvalidOperationException($"PostgreSQL database {description} has schema version {current}, newer than this server supports ({latest}).");
        for (var version = current + 1; version <= latest; version++)
        {
            await ExecuteAsync(connection, tx, migrations[version - 1], ct).ConfigureAwait(false);
            await ExecuteAsync(connection, tx, string.Create(CultureInfo.InvariantCulture, $"INSERT INTO parley_schema (version) VALUES ({version})"), ct).ConfigureAwait(false);
            PostgresLog.Migrated(logger, description, version);
        }
        await tx.CommitAsync(ct).ConfigureAwait(false);
        return latest;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection, tx);
        await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Runs <paramref name="work"/> on a pooled connection (autocommit).</summary>
    internal async Task<T> ReadAsync<T>(Func<NpgsqlConnection, Task<T>> work, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            var opened = false;
            try
            {
                await using var connection = await _dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
                opened = true;
                return await work(connection).ConfigureAwait(false);
            }
            catch (Exception e) when (opened && attempt == 1 && IsUnavailable(e) && !ct.IsCancellationRequested)
            {
                // A pooled connection that outlived a server restart fails on first use; the next one is fresh.
                PostgresLog.StaleConnection(_logger, e.Message);
                _dataSource.Clear();
            }
            catch (Exception e) when (IsUnavailable(e) && !ct.IsCancellationRequested)
            {
                throw Unavailable(e);
            }
        }
    }

    /// <summary>
    /// Runs <paramref name="work"/> in a transaction and commits it. Work that fails before the commit because of a
    /// deadlock, a serialization failure, a stale connection or (when <paramref name="retryWhen"/> says so) a
    /// constraint raced by another node is rolled back and run again, so it must only touch the database. A failure
    /// during the commit itself is not retried (its outcome is unknown) and surfaces as unavailable.
    /// </summary>
    internal async Task<T> WriteAsync<T>(Func<NpgsqlConnection, NpgsqlTransaction, Task<T>> work, CancellationToken ct,
        Func<PostgresException, bool>? retryWhen = null)
    {
        for (var attempt = 1; ; attempt++)
        {
            var opened = false;
            var committing = false;
            try
            {
                await using var connection = await _dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
                opened = true;
                await using var tx = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
                var result = await work(connection, tx).ConfigureAwait(false);
                committing = true;
                await tx.CommitAsync(ct).ConfigureAwait(false);
                return result;
            }
            catch (PostgresException e) when (!committing && attempt < MaxConflictAttempts
                && (e.SqlState is PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure || retryWhen?.Invoke(e) == true))
            {
                PostgresLog.Conflict(_logger, e.SqlState, attempt);
            }
            catch (Exception e) when (opened && !committing && attempt == 1 && IsUnavailable(e) && !ct.IsCancellationRequested)
            {
                PostgresLog.StaleConnection(_logger, e.Message);
                _dataSource.Clear();
            }
            catch (Exception e) when (IsUnavailable(e) && !ct.IsCancellationRequested)
            {
                throw Unavailable(e);
            }
        }
    }

    private StorageUnavailableException Unavailable(Exception e)
    {
        // Idle connections are likely as dead as the one that failed: drop them so recovery starts fresh.
        _dataSource.Clear();
        PostgresLog.Unavailable(_logger, Description, e.Message);
        return new StorageUnavailableException("storage is unavailable (PostgreSQL unreachable), retry later", e);
    }

    /// <summary>True for failures of reaching the server (refused, reset, timed out, shutting down), not for errors in a statement.</summary>
    internal static bool IsUnavailable(Exception e) => e switch
    {
        PostgresException pg => pg.SqlState.StartsWith("08", StringComparison.Ordinal) // connection exception
            || pg.SqlState is PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown or PostgresErrorCodes.CannotConnectNow
                or PostgresErrorCodes.TooManyConnections,
        NpgsqlException npgsql => npgsql.IsTransient || npgsql.InnerException is IOException or System.Net.Sockets.SocketException or TimeoutException,
        TimeoutException or System.Net.Sockets.SocketException => true,
        InvalidOperationException when e.InnerException is { } inner => IsUnavailable(inner),
        _ => false,
    };

    internal static long NowMs() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    /// <summary>Escapes LIKE wildcards with a backslash (use <c>ESCAPE '\'</c>), so user text matches literally.</summary>
    internal static string EscapeLike(string text) => text.Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_");

    /// <summary>Closes the pool.</summary>
    public void Dispose() => _dataSource.Dispose();

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();
}
