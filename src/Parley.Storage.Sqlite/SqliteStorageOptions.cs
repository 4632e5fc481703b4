namespace Parley.Storage.Sqlite;

/// <summary>SQLite <c>PRAGMA synchronous</c> levels.</summary>
public enum SqliteSynchronous
{
    /// <summary>No fsync: fastest, a power loss may lose or corrupt recent commits.</summary>
    Off = 0,
    /// <summary>In WAL mode: durable across process crashes, a power loss may lose the last commits.</summary>
    Normal = 1,
    /// <summary>Every commit is fsynced before it completes (the default).</summary>
    Full = 2,
    /// <summary>Like Full, plus the directory after deleting the WAL.</summary>
    Extra = 3,
}

/// <summary>Settings of the embedded SQLite storage engine.</summary>
public sealed class SqliteStorageOptions
{
    /// <summary>File name of the database inside a data directory.</summary>
    public const string DefaultFileName = "parley.db";

    /// <summary>Path of the database file; its directory is created if missing.</summary>
    public string Path { get; set; } = "";

    /// <summary>Durability of commits.</summary>
    public SqliteSynchronous Synchronous { get; set; } = SqliteSynchronous.Full;

    /// <summary>How long a statement waits for a lock held by another connection, in milliseconds.</summary>
    public int BusyTimeoutMs { get; set; } = 5000;
}
