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

public sealed class PostgresFileStoreTests(PostgresStoreFixture pg) : FileStoreConformance, IClassFixture<PostgresStoreFixture>, IAsyncLifetime
{
    protected override IFileStore CreateStore() => new PostgresFileStore(pg.Database);
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

/// <summary>Two nodes: one references files while the other sweeps them as orphans, at the same moments.</summary>
public sealed class PostgresFileRaceTests(PostgresStoreFixture pg) : IClassFixture<PostgresStoreFixture>, IAsyncLifetime
{
    public Task InitializeAsync() => pg.ResetAsync();
    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_sweep_on_one_node_never_deletes_a_file_another_node_is_referencing()
    {
        var writer = new PostgresFileStore(pg.Database);
        var sweeper = new PostgresFileStore(await pg.OpenNodeAsync());
        var files = Enumerable.Range(0, 60).Select(_ => FileStoreConformance.NewFile()).ToList();
        foreach (var f in files) await writer.CreateAsync(f);
        var cutoff = FileStoreConformance.NewFile().CreatedAt.AddMinutes(1);

        var outcomes = await Task.WhenAll(files.Select(f => Task.WhenAll(
            Task.Run(() => writer.AddReferenceAsync(f.Id, "m-" + f.Id, "d:1:2")),
            Task.Run(() => sweeper.DeleteIfOrphanAsync(f.Id, cutoff))))).WaitAsync(TimeSpan.FromSeconds(60));

        for (var i = 0; i < files.Count; i++)
        {
            var (referenced, deleted) = (outcomes[i][0], outcomes[i][1]);
            Assert.True(referenced != deleted, $"file {i}: referenced {referenced}, deleted {deleted}");
            Assert.Equal(referenced, await writer.GetAsync(files[i].Id) is not null);
            Assert.Equal(referenced ? ["d:1:2"] : [], await writer.GetReferencingConversationsAsync(files[i].Id, 10));
        }
    }
}
