using System.Diagnostics;
using Parley.Abstractions.Stores;
using Parley.Storage.Postgres;
using Parley.TestInfrastructure;

namespace Parley.Storage.Tests;

/// <summary>A server of its own, stopped and started again under a live store: fail fast, lose nothing, recover alone.</summary>
public sealed class PostgresOutageTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private PostgresServer _server = null!;
    private string _connectionString = "";

    public async Task InitializeAsync()
    {
        _server = await PostgresServer.StartAsync();
        _connectionString = await _server.CreateDatabaseAsync("outage");
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Stores_fail_fast_while_the_server_is_down_and_recover_by_themselves_when_it_returns()
    {
        await using var db = await PostgresDatabase.OpenAsync(new PostgresStorageOptions { ConnectionString = _connectionString });
        var messages = new PostgresMessageStore(db);
        var accounts = new PostgresAccountStore(db);
        var health = new PostgresStoreHealth(db);
        var acked = await messages.AppendSequencedAsync([SequencingMessageStoreConformance.Draft("d:1:2", 1, "before")]).WaitAsync(Timeout);
        Assert.True(await health.PingAsync().WaitAsync(Timeout));

        await _server.StopAsync();

        // Refused connections surface at once as "unavailable", for writes, reads and the health probe alike.
        var clock = Stopwatch.StartNew();
        var write = await Assert.ThrowsAsync<StorageUnavailableException>(() =>
            messages.AppendSequencedAsync([SequencingMessageStoreConformance.Draft("d:1:2", 1, "during")]).WaitAsync(Timeout));
        Assert.Contains("unavailable", write.Message);
        await Assert.ThrowsAsync<StorageUnavailableException>(() => accounts.TryCreateAsync(AccountStoreConformance.NewAccount("zoe")).WaitAsync(Timeout));
        await Assert.ThrowsAsync<StorageUnavailableException>(() => messages.GetLastSeqAsync("d:1:2").WaitAsync(Timeout));
        await Assert.ThrowsAsync<StorageUnavailableException>(() => health.PingAsync().WaitAsync(Timeout));
        // well under the 5 s connect timeout each: nobody waits for a server that refuses connections
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"failing took {clock.Elapsed}");

        await _server.RestartAsync();

        // The first calls after the restart meet pooled connections the restart killed: dropped and retried, not failed.
        Assert.True(await health.PingAsync().WaitAsync(Timeout));
        var resent = await messages.AppendSequencedAsync([
            SequencingMessageStoreConformance.Draft("d:1:2", 1, "before"),
            SequencingMessageStoreConformance.Draft("d:1:2", 1, "during")]).WaitAsync(Timeout);
        Assert.True(resent[0].Duplicate);
        Assert.Equal(acked[0].Message, resent[0].Message);
        Assert.Equal(2, resent[1].Message.Seq);
        Assert.Equal("before,during", string.Join(",",
            (await messages.GetMessagesAsync("d:1:2", 0, 0, 10, false)).Select(m => m.ClientMsgId)));
        Assert.NotNull(await accounts.TryCreateAsync(AccountStoreConformance.NewAccount("zoe")).WaitAsync(Timeout));
    }

    [Fact]
    public async Task A_pooled_connection_killed_by_a_restart_is_replaced_on_first_use()
    {
        await using var db = await PostgresDatabase.OpenAsync(new PostgresStorageOptions { ConnectionString = _connectionString });
        var messages = new PostgresMessageStore(db);
        // several idle pooled connections
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => messages.GetLastSeqAsync("g:1"))).WaitAsync(Timeout);

        await _server.StopAsync();
        await _server.RestartAsync();

        var results = await messages.AppendSequencedAsync([SequencingMessageStoreConformance.Draft("g:1", 1)]).WaitAsync(Timeout);
        Assert.Equal(1, results[0].Message.Seq);
        Assert.Equal(1, await messages.GetLastSeqAsync("g:1").WaitAsync(Timeout));
    }

    [Fact]
    public async Task Start_up_waits_for_a_server_that_is_not_up_yet_and_gives_up_with_a_clear_error()
    {
        await _server.StopAsync();
        var error = await Assert.ThrowsAsync<StorageUnavailableException>(() =>
            PostgresDatabase.OpenAsync(new PostgresStorageOptions { ConnectionString = _connectionString, StartupTimeoutSeconds = 1 }).WaitAsync(Timeout));
        Assert.Contains($"127.0.0.1:{_server.Port}", error.Message);

        // A node started before its database: it keeps trying and opens once the server is there.
        var opening = PostgresDatabase.OpenAsync(new PostgresStorageOptions { ConnectionString = _connectionString, StartupTimeoutSeconds = 60 });
        await _server.RestartAsync();
        await using var db = await opening.WaitAsync(Timeout);
        Assert.Equal(PostgresSchema.LatestVersion, db.SchemaVersion);
    }
}
