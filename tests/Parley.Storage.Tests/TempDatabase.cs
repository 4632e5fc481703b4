using Parley.Storage.Sqlite;

namespace Parley.Storage.Tests;

/// <summary>A database file in a fresh temporary directory, deleted on dispose.</summary>
public sealed class TempDatabase : IDisposable
{
    private readonly string _directory = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "parley-storage-tests", Guid.NewGuid().ToString("N"));

    public TempDatabase(SqliteSynchronous synchronous = SqliteSynchronous.Normal)
    {
        Options = new SqliteStorageOptions { Path = System.IO.Path.Combine(_directory, "parley.db"), Synchronous = synchronous };
        Database = SqliteDatabase.Open(Options);
    }

    public SqliteStorageOptions Options { get; }

    public string Path => Options.Path;

    public SqliteDatabase Database { get; private set; }

    /// <summary>Closes the database and opens the same file again, as a server restart would.</summary>
    public SqliteDatabase Reopen()
    {
        Database.Dispose();
        Database = SqliteDatabase.Open(Options);
        return Database;
    }

    public void Dispose()
    {
        Database.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // best effort: a leftover temp directory must not fail a test
        }
    }
}
