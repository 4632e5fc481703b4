using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Parley.Storage.Sqlite;

/// <summary>
/// One SQLite database file shared by the stores. All writes go through a single dedicated writer connection
/// guarded by a semaphore (SQLite allows one writer; serialising in-process avoids SQLITE_BUSY on lock
/// upgrades). Reads use pooled connections, which WAL lets run alongside the writer.
/// </summary>
public sealed class SqliteDatabase : IDisposable, IAsyncDisposable
{
    private readonly SqliteConnection _writer;
    private readonly string _readConnectionString;
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly ILogger _logger;
    private bool _disposed;

    private SqliteDatabase(string path, string connectionString, string readConnectionString, SqliteConnection writer, int version, ILogger logger)
    {
        Path = path;
        ConnectionString = connectionString;
        _readConnectionString = readConnectionString;
        Readers = new PreparedReaders(readConnectionString);
        Blockers = new BlockerIndex(this);
        _writer = writer;
        SchemaVersion = version;
        _logger = logger;
    }

    /// <summary>Full path of the database file.</summary>
    public string Path { get; }

    /// <summary>Connection string of the writer (read-write, foreign keys on).</summary>
    public string ConnectionString { get; }

    /// <summary>The schema version (<c>PRAGMA user_version</c>) after start-up migrations.</summary>
    public int SchemaVersion { get; }

    /// <summary>Opens (creating if needed) the database and applies pending migrations.</summary>
    public static SqliteDatabase Open(SqliteStorageOptions options, ILogger? logger = null) =>
        Open(options, logger, SqliteSchema.Migrations);

    internal static SqliteDatabase Open(SqliteStorageOptions options, ILogger? logger, IReadOnlyList<string> migrations)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.Path))
            throw new ArgumentException("SqliteStorageOptions.Path is required.", nameof(options));
        if (options.BusyTimeoutMs < 0)
            throw new ArgumentOutOfRangeException(nameof(options), "BusyTimeoutMs must not be negative.");
        if (!Enum.IsDefined(options.Synchronous))
            throw new ArgumentOutOfRangeException(nameof(options), "Synchronous is not a known level.");
        logger ??= NullLogger.Instance;

        var path = System.IO.Path.GetFullPath(options.Path);
        var dir = System.IO.Path.GetDirectoryName(path);
        if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);

        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            ForeignKeys = true,
            // Microsoft.Data.Sqlite retries SQLITE_BUSY for up to the command timeout (whole seconds).
            DefaultTimeout = Math.Max(1, (options.BusyTimeoutMs + 999) / 1000),
        };
        var connectionString = builder.ToString();
        // Readers are read-only so nothing can write around the writer gate, and skip the per-open
        // foreign_keys pragma, which only matters for writes.
        builder.Mode = SqliteOpenMode.ReadOnly;
        builder.ForeignKeys = null;
        var readConnectionString = builder.ToString();

        var writer = new SqliteConnection(connectionString);
        try
        {
            writer.Open();
            Execute(writer, string.Create(CultureInfo.InvariantCulture, $"PRAGMA busy_timeout = {options.BusyTimeoutMs};"));
            var mode = Convert.ToString(Scalar(writer, "PRAGMA journal_mode = WAL;"), CultureInfo.InvariantCulture);
            if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
                throw new InvalidOperationException($"Could not switch {path} to WAL mode (got '{mode}').");
            Execute(writer, string.Create(CultureInfo.InvariantCulture, $"PRAGMA synchronous = {(int)options.Synchronous};"));
            var version = Migrate(writer, path, migrations, logger);
            SqliteLog.Opened(logger, path, version, options.Synchronous);
            return new SqliteDatabase(path, connectionString, readConnectionString, writer, version, logger);
        }
        catch
        {
            writer.Dispose();
            SqliteConnection.ClearPool(new SqliteConnection(connectionString));
            throw;
        }
    }

    private static int Migrate(SqliteConnection connection, string path, IReadOnlyList<string> migrations, ILogger logger)
    {
        var current = Convert.ToInt32(Scalar(connection, "PRAGMA user_version;"), CultureInfo.InvariantCulture);
        var latest = migrations.Count;
        if (current > latest)
            throw new InvalidOperationException($"Database {path} has schema version {current}, newer than this server supports ({latest}).");
        for (var version = current + 1; version <= latest; version++)
        {
            using var tx = connection.BeginTransaction(deferred: false);
            Execute(connection, migrations[version - 1], tx);
            // user_version lives in the file header and is written by the same transaction
            Execute(connection, string.Create(CultureInfo.InvariantCulture, $"PRAGMA user_version = {version};"), tx);
            tx.Commit();
            SqliteLog.Migrated(logger, path, version);
        }
        return latest;
    }

    /// <summary>Runs <paramref name="work"/> on the writer connection inside a <c>BEGIN IMMEDIATE</c> transaction.</summary>
    internal Task<T> WriteAsync<T>(Func<SqliteConnection, SqliteTransaction, T> work, CancellationToken ct) => WriteAsync(work, null, ct);

    /// <summary>As <see cref="WriteAsync{T}(Func{SqliteConnection, SqliteTransaction, T}, CancellationToken)"/>, but
    /// no transaction at all (and <c>default</c>) when <paramref name="ready"/>, asked under the write gate, says no.</summary>
    internal async Task<T> WriteAsync<T>(Func<SqliteConnection, SqliteTransaction, T> work, Func<bool>? ready, CancellationToken ct)
    {
        await _writeGate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (ready is not null && !ready()) return default!;
            using var tx = _writer.BeginTransaction(deferred: false);
            var result = work(_writer, tx);
            tx.Commit();
            WriteTransactions++;
            return result;
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>Write transactions committed since the database was opened (written under the write gate).</summary>
    internal long WriteTransactions { get; private set; }

    /// <summary>Read connections with their hot statements kept prepared (see <see cref="PreparedReaders"/>).</summary>
    internal PreparedReaders Readers { get; }

    /// <summary>Who blocks anyone (see <see cref="BlockerIndex"/>).</summary>
    internal BlockerIndex Blockers { get; }

    /// <summary>A one-row, one-column read through a prepared statement.</summary>
    internal T Scalar<TState, T>(string sql, TState state, Action<SqliteParameterCollection, TState> bind, Func<SqliteDataReader, T> read, T empty)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return Readers.Read(sql, state, bind, r => r.Read() ? read(r) : empty);
    }

    /// <summary>Sets a named parameter of a prepared command (added on first use).</summary>
    internal static void Set(SqliteParameterCollection parameters, string name, object? value)
    {
        var index = parameters.IndexOf(name);
        if (index < 0) parameters.AddWithValue(name, value ?? DBNull.Value);
        else parameters[index].Value = value ?? DBNull.Value;
    }

    /// <summary>Runs <paramref name="work"/> on a pooled read connection.</summary>
    internal async Task<T> ReadAsync<T>(Func<SqliteConnection, Task<T>> work, CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        await using var connection = new SqliteConnection(_readConnectionString);
        await connection.OpenAsync(ct).ConfigureAwait(false);
        return await work(connection).ConfigureAwait(false);
    }

    internal static void Execute(SqliteConnection connection, string sql, SqliteTransaction? tx = null)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = tx;
        command.ExecuteNonQuery();
    }

    private static object? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    internal static long NowMs() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    /// <summary>Escapes LIKE wildcards with a backslash (use <c>ESCAPE '\'</c>), so user text matches literally.</summary>
    internal static string EscapeLike(string text) => text.Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_");

    /// <summary>Closes the writer and the pooled readers so the file is released (a clean shutdown).</summary>
    public void Dispose()
    {
        _writeGate.Wait();
        try
        {
            if (_disposed) return;
            _disposed = true;
            Readers.Dispose();
            _writer.Dispose();
            SqliteConnection.ClearPool(new SqliteConnection(ConnectionString));
            SqliteConnection.ClearPool(new SqliteConnection(_readConnectionString));
            SqliteLog.Closed(_logger, Path);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }
}
