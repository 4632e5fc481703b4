using Parley.Abstractions.Stores;
using Parley.Storage.Sqlite;

namespace Parley.Storage.Tests;

// Each test gets its own class instance, hence a fresh database file, deleted afterwards.

public sealed class SqliteAccountStoreTests : AccountStoreConformance, IDisposable
{
    private readonly TempDatabase _db = new();
    protected override IAccountStore CreateStore() => new SqliteAccountStore(_db.Database);
    public void Dispose() => _db.Dispose();
}

public sealed class SqliteGraphStoreTests : GraphStoreConformance, IDisposable
{
    private readonly TempDatabase _db = new();
    protected override IGraphStore CreateStore() => new SqliteGraphStore(_db.Database);
    public void Dispose() => _db.Dispose();
}

public sealed class SqliteGroupStoreTests : GroupStoreConformance, IDisposable
{
    private readonly TempDatabase _db = new();
    protected override IGroupStore CreateStore() => new SqliteGroupStore(_db.Database);
    public void Dispose() => _db.Dispose();
}

public sealed class SqliteMessageStoreTests : MessageStoreConformance, IDisposable
{
    private readonly TempDatabase _db = new();
    protected override IMessageStore CreateStore() => new SqliteMessageStore(_db.Database);
    public void Dispose() => _db.Dispose();
}

public sealed class SqliteFileStoreTests : FileStoreConformance, IDisposable
{
    private readonly TempDatabase _db = new();
    protected override IFileStore CreateStore() => new SqliteFileStore(_db.Database);
    public void Dispose() => _db.Dispose();
}

public sealed class SqliteSequencingMessageStoreTests : SequencingMessageStoreConformance, IDisposable
{
    private readonly TempDatabase _db = new();
    private readonly List<Parley.Storage.Sqlite.SqliteDatabase> _others = [];
    protected override ISequencingMessageStore CreateStore() => new SqliteMessageStore(_db.Database);

    // Another process on the same file: its own writer connection, serialised with this one by SQLite's write lock.
    protected override Task<ISequencingMessageStore> CreateOtherNodeAsync()
    {
        var other = SqliteDatabase.Open(_db.Options);
        _others.Add(other);
        return Task.FromResult<ISequencingMessageStore>(new SqliteMessageStore(other));
    }

    public void Dispose()
    {
        foreach (var other in _others) other.Dispose();
        _db.Dispose();
    }
}
