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
