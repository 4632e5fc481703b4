using Microsoft.Data.Sqlite;
using Parley.Abstractions.Model;
using Parley.Abstractions.Stores;
using Parley.Storage.Sqlite;

namespace Parley.Storage.Tests;

public sealed class SqliteDatabaseTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    private readonly TempDatabase _db = new(SqliteSynchronous.Full);

    public void Dispose() => _db.Dispose();

    private long Pragma(string name)
    {
        using var c = new SqliteConnection(_db.Database.ConnectionString);
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = $"PRAGMA {name};";
        var value = cmd.ExecuteScalar();
        return value is string s ? (s == "wal" ? 1 : -1) : Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public void A_new_database_is_migrated_to_the_latest_version_in_wal_mode()
    {
        Assert.Equal(SqliteSchema.LatestVersion, _db.Database.SchemaVersion);
        Assert.Equal(SqliteSchema.LatestVersion, Pragma("user_version"));
        Assert.Equal(1, Pragma("journal_mode"));
        Assert.Equal(1, Pragma("foreign_keys"));
    }

    [Fact]
    public async Task Reopening_a_migrated_database_is_a_no_op()
    {
        var accounts = new SqliteAccountStore(_db.Database);
        var created = await accounts.TryCreateAsync(AccountStoreConformance.NewAccount("kept"));

        var reopened = _db.Reopen();
        Assert.Equal(SqliteSchema.LatestVersion, reopened.SchemaVersion);
        Assert.Equal(SqliteSchema.LatestVersion, Pragma("user_version"));
        Assert.Equal(created, await new SqliteAccountStore(reopened).GetAsync(created!.Id));
    }

    [Fact]
    public void A_database_from_a_newer_server_is_refused()
    {
        using (var c = new SqliteConnection(_db.Database.ConnectionString))
        {
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = $"PRAGMA user_version = {SqliteSchema.LatestVersion + 1};";
            cmd.ExecuteNonQuery();
        }
        _db.Database.Dispose();
        Assert.Throws<InvalidOperationException>(() => SqliteDatabase.Open(_db.Options));
    }

    [Fact]
    public async Task Everything_survives_a_restart()
    {
        var db = _db.Database;
        var alice = await new SqliteAccountStore(db).TryCreateAsync(AccountStoreConformance.NewAccount("alice"));
        var bob = await new SqliteAccountStore(db).TryCreateAsync(AccountStoreConformance.NewAccount("bob"));
        await new SqliteAccountStore(db).RevokeTokenAsync("tok", DateTimeOffset.UtcNow.AddHours(1));
        var group = await new SqliteGroupStore(db).CreateAsync("team", alice!.Id, inviteOnly: false);
        await new SqliteGroupStore(db).AddMemberAsync(group.Id, bob!.Id, GroupRole.Member);
        var graph = new SqliteGraphStore(db);
        var request = await graph.CreateFriendRequestAsync(alice.Id, bob.Id, "hi");
        await graph.ResolveFriendRequestAsync(request.Id, FriendRequestStatus.Accepted);
        await graph.BlockAsync(bob.Id, 99);
        var direct = ConversationId.Direct(alice.Id, bob.Id).Value;
        var messages = new SqliteMessageStore(db);
        await messages.AppendAsync(MessageStoreConformance_Range(direct, alice.Id, 20));
        await messages.MarkReadAsync(direct, bob.Id, 15);

        db = _db.Reopen();

        Assert.Equal(bob, await new SqliteAccountStore(db).GetByNameAsync("bob"));
        Assert.Equal(["tok"], await new SqliteAccountStore(db).GetRevokedTokensAsync(DateTimeOffset.UtcNow));
        Assert.Equal([alice.Id, bob.Id], (await new SqliteGroupStore(db).GetMembersAsync(group.Id)).Select(m => m.UserId));
        graph = new SqliteGraphStore(db);
        Assert.True(await graph.AreFriendsAsync(bob.Id, alice.Id));
        Assert.True(await graph.HasBlockedAsync(bob.Id, 99));
        messages = new SqliteMessageStore(db);
        Assert.Equal(20, await messages.GetLastSeqAsync(direct));
        Assert.Equal(20, (await messages.GetMessagesAsync(direct, 0, 0, 100, false)).Count);
        var state = await messages.GetConversationAsync(bob.Id, direct);
        Assert.Equal((15L, 15L, 5), (state?.ReadSeq, state?.DeliveredSeq, state?.UnreadCount));
        Assert.True(await new SqliteStoreHealth(db).PingAsync());
    }

    [Fact]
    public async Task Parallel_writers_of_every_kind_do_not_fail()
    {
        var db = _db.Database;
        var messages = new SqliteMessageStore(db);
        var accounts = new SqliteAccountStore(db);
        const int Workers = 16, Rounds = 25;

        var tasks = Enumerable.Range(1, Workers).Select(w => Task.Run(async () =>
        {
            var conversation = ConversationId.Direct(w, 1000 + w).Value;
            for (var r = 1; r <= Rounds; r++)
            {
                await messages.AppendAsync([MessageStoreConformance.Msg(conversation, 2 * r - 1, w), MessageStoreConformance.Msg(conversation, 2 * r, w)]);
                await accounts.TryCreateAsync(AccountStoreConformance.NewAccount($"w{w}-r{r}"));
                await messages.MarkReadAsync(conversation, 1000 + w, r);
                await messages.GetConversationsAsync(1000 + w, 10);
            }
        })).ToArray();
        await Task.WhenAll(tasks).WaitAsync(Timeout);

        for (var w = 1; w <= Workers; w++)
        {
            var conversation = ConversationId.Direct(w, 1000 + w).Value;
            Assert.Equal(2 * Rounds, await messages.GetLastSeqAsync(conversation));
            Assert.Equal(Rounds, (await messages.GetConversationAsync(1000 + w, conversation))?.ReadSeq);
        }
        Assert.Equal(Workers * Rounds, (await accounts.GetManyAsync([.. Enumerable.Range(1, Workers * Rounds + 10).Select(i => (long)i)])).Count);
    }

    [Fact]
    public async Task Reads_cannot_write_around_the_writer()
    {
        var ex = await Assert.ThrowsAsync<SqliteException>(() =>
            _db.Database.ReadAsync(c => Dapper.SqlMapper.ExecuteAsync(c, "INSERT INTO blocks VALUES (1, 2, 3)"), default));
        Assert.Equal(8, ex.SqliteErrorCode); // SQLITE_READONLY
    }

    [Fact]
    public async Task Health_pings_and_describes_the_file()
    {
        var health = new SqliteStoreHealth(_db.Database);
        Assert.True(await health.PingAsync());
        Assert.Equal($"sqlite: {_db.Path}", health.Describe());
    }

    [Fact]
    public async Task A_disposed_database_refuses_work()
    {
        _db.Database.Dispose();
        _db.Database.Dispose();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => new SqliteStoreHealth(_db.Database).PingAsync());
        await Assert.ThrowsAsync<ObjectDisposedException>(() => new SqliteGraphStore(_db.Database).BlockAsync(1, 2));
    }

    [Fact]
    public void Open_validates_options()
    {
        Assert.Throws<ArgumentException>(() => SqliteDatabase.Open(new SqliteStorageOptions()));
        Assert.Throws<ArgumentOutOfRangeException>(() => SqliteDatabase.Open(new SqliteStorageOptions { Path = _db.Path, BusyTimeoutMs = -1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => SqliteDatabase.Open(new SqliteStorageOptions { Path = _db.Path, Synchronous = (SqliteSynchronous)7 }));
    }

    private static IReadOnlyList<ChatMessage> MessageStoreConformance_Range(string conversationId, long sender, int count) =>
        [.. Enumerable.Range(1, count).Select(s => MessageStoreConformance.Msg(conversationId, s, sender))];
}
