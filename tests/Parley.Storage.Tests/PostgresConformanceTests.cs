using Parley.Abstractions.Stores;
using Parley.Storage.Postgres;

namespace Parley.Storage.Tests;

// The same suites as SqliteConformanceTests, over a real PostgreSQL server (one database per class, emptied per test).

public sealed class PostgresAccountStoreTests(PostgresStoreFixture pg) : AccountStoreConformance, IClassFixture<PostgresStoreFixture>, IAsyncLifetime
{
    protected override IAccountStore CreateStore() => new PostgresAccountStore(pg.Database);
    public Task InitializeAsync() => pg.ResetAsync();
    public Task DisposeAsync() => Task.CompletedTask;
}

public sealed class PostgresGraphStoreTests(PostgresStoreFixture pg) : GraphStoreConformance, IClassFixture<PostgresStoreFixture>, IAsyncLifetime
{
    protected override IGraphStore CreateStore() => new PostgresGraphStore(pg.Database);
    public Task InitializeAsync() => pg.ResetAsync();
    public Task DisposeAsync() => Task.CompletedTask;
}

public sealed class PostgresGroupStoreTests(PostgresStoreFixture pg) : GroupStoreConformance, IClassFixture<PostgresStoreFixture>, IAsyncLifetime
{
    protected override IGroupStore CreateStore() => new PostgresGroupStore(pg.Database);
    public Task InitializeAsync() => pg.ResetAsync();
    public Task DisposeAsync() => Task.CompletedTask;
}

public sealed class PostgresMessageStoreTests(PostgresStoreFixture pg) : MessageStoreConformance, IClassFixture<PostgresStoreFixture>, IAsyncLifetime
{
    protected override IMessageStore CreateStore() => new PostgresMessageStore(pg.Database);
    public Task InitializeAsync() => pg.ResetAsync();
    public Task DisposeAsync() => Task.CompletedTask;
}

public sealed class PostgresSequencingMessageStoreTests(PostgresStoreFixture pg) : SequencingMessageStoreConformance, IClassFixture<PostgresStoreFixture>, IAsyncLifetime
{
    protected override ISequencingMessageStore CreateStore() => new PostgresMessageStore(pg.Database);
    protected override async Task<ISequencingMessageStore> CreateOtherNodeAsync() => new PostgresMessageStore(await pg.OpenNodeAsync());
    public Task InitializeAsync() => pg.ResetAsync();
    public Task DisposeAsync() => Task.CompletedTask;
}
