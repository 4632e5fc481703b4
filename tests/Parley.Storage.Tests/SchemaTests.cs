using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Parley.Abstractions.Model;
using Parley.Abstractions.Stores;
using Parley.Storage.Sqlite;

namespace Parley.Storage.Tests;

public sealed class SchemaTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "parley-storage-tests", Guid.NewGuid().ToString("N"));

    private SqliteStorageOptions Options(SqliteSynchronous synchronous = SqliteSynchronous.Normal) =>
        new() { Path = Path.Combine(_directory, "nested", "schema.db"), Synchronous = synchronous };

    public void Dispose()
    {
        try { Directory.Delete(_directory, recursive: true); }
        catch (IOException) { }
    }

    private static Task<long> Scalar(SqliteDatabase db, string sql) =>
        db.WriteAsync((c, tx) => c.ExecuteScalar<long>(sql, transaction: tx), default);

    // What the store wrote for a message before version 4, when the conversation row kept the last seq and activity:
    // today's store no longer writes that schema.
    private static Task OldAppend(SqliteDatabase db, ChatMessage m) =>
        db.WriteAsync((c, tx) =>
        {
            c.Execute("""
                INSERT INTO messages (conversation_id, seq, id, sender_id, sender_name, recipient_id, group_id, kind, text, payload, client_msg_id, ts)
                VALUES (@ConversationId, @Seq, @Id, @SenderId, @SenderName, @RecipientId, @GroupId, @Kind, @Text, @Payload, @ClientMsgId, @Timestamp)
                """, m, tx);
            c.Execute("""
                INSERT INTO conversations (conversation_id, last_seq, last_message_id, updated_at) VALUES (@ConversationId, @Seq, @Id, @Timestamp)
                ON CONFLICT (conversation_id) DO UPDATE SET last_seq = excluded.last_seq, last_message_id = excluded.last_message_id, updated_at = excluded.updated_at
                """, m, tx);
            ConversationId.TryParse(m.ConversationId, out var id);
            return c.Execute("INSERT OR IGNORE INTO participants (conversation_id, user_id) VALUES (@c, @a), (@c, @b)",
                new { c = m.ConversationId, a = id!.Value.UserA, b = id.Value.UserB }, tx);
        }, default);

    [Fact]
    public async Task Later_migrations_apply_on_top_of_an_older_schema()
    {
        const string V1 = "CREATE TABLE a (x INTEGER);";
        using (var db = SqliteDatabase.Open(Options(), null, [V1]))
        {
            Assert.Equal(1, db.SchemaVersion);
            await Scalar(db, "INSERT INTO a VALUES (42) RETURNING x");
        }
        using (var db = SqliteDatabase.Open(Options(), null, [V1, "CREATE TABLE b (y INTEGER); INSERT INTO b SELECT x FROM a;"]))
        {
            Assert.Equal(2, db.SchemaVersion);
            Assert.Equal(2, await Scalar(db, "PRAGMA user_version"));
            Assert.Equal(42, await Scalar(db, "SELECT y FROM b"));
        }
    }

    [Fact]
    public async Task A_version_1_database_upgrades_to_the_upload_tables_keeping_its_messages()
    {
        using (var v1 = SqliteDatabase.Open(Options(), null, [SqliteSchema.Migrations[0]]))
            await OldAppend(v1, MessageStoreConformance.Msg("d:1:2", 1, 1));

        using var db = SqliteDatabase.Open(Options());
        Assert.Equal(SqliteSchema.LatestVersion, db.SchemaVersion);
        Assert.Equal("text 1", (await new SqliteMessageStore(db).GetMessagesAsync("d:1:2", 0, 0, 10, false)).Single().Text);
        var file = FileStoreConformance.NewFile();
        var files = new SqliteFileStore(db);
        await files.CreateAsync(file);
        Assert.Equal(file, await files.GetAsync(file.Id));
    }

    [Fact]
    public async Task A_version_2_database_gets_the_client_id_first_index_and_still_finds_and_refuses_duplicates()
    {
        using (var v2 = SqliteDatabase.Open(Options(), null, [.. SqliteSchema.Migrations.Take(2)]))
            await OldAppend(v2, MessageStoreConformance.Msg("d:1:2", 1, 1, clientMsgId: "0193-a"));

        using var db = SqliteDatabase.Open(Options());
        Assert.Equal(SqliteSchema.LatestVersion, db.SchemaVersion);
        var store = new SqliteMessageStore(db);
        Assert.Equal("m-d:1:2-1", (await store.FindByClientMsgIdAsync(1, "0193-a"))!.Id);
        Assert.Null(await store.FindByClientMsgIdAsync(2, "0193-a")); // another sender's id space
        // The look-up by (sender, client id) is served by the new index, not a scan.
        var plan = await db.WriteAsync((c, tx) => string.Join(" | ", c.Query(
            "EXPLAIN QUERY PLAN SELECT id FROM messages WHERE sender_id = @s AND client_msg_id = @cm", new { s = 1L, cm = "0193-a" }, tx).Select(r => (string)r.detail)), default);
        Assert.Contains("ux_messages_client_msg_id_first", plan);
        await Assert.ThrowsAsync<SqliteException>(() => store.AppendAsync([MessageStoreConformance.Msg("d:1:2", 2, 1, clientMsgId: "0193-a")]));
        await store.AppendAsync([MessageStoreConformance.Msg("d:1:3", 1, 3, clientMsgId: "0193-a")]); // same id, other sender
    }

    [Fact]
    public async Task A_version_3_database_reads_last_seqs_and_activity_from_its_messages()
    {
        using (var v3 = SqliteDatabase.Open(Options(), null, [.. SqliteSchema.Migrations.Take(3)]))
        {
            await OldAppend(v3, MessageStoreConformance.Msg("d:1:2", 1, 1, ts: 1_000));
            await OldAppend(v3, MessageStoreConformance.Msg("d:1:2", 2, 2, ts: 3_000));
            await OldAppend(v3, MessageStoreConformance.Msg("d:1:3", 1, 3, ts: 2_000));
            await v3.WriteAsync((c, tx) => c.Execute("""
                -- a group without messages, joined now: the most recent activity
                INSERT INTO conversations (conversation_id, last_seq, updated_at) VALUES ('g:7', 0, @now);
                INSERT INTO participants (conversation_id, user_id) VALUES ('g:7', 1);
                UPDATE participants SET delivered_seq = 1, read_seq = 1 WHERE conversation_id = 'd:1:2' AND user_id = 1;
                """, new { now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() }, tx), default);
        }

        using var db = SqliteDatabase.Open(Options());
        Assert.Equal(SqliteSchema.LatestVersion, db.SchemaVersion);
        Assert.Equal(0, await Scalar(db, "SELECT count(*) FROM pragma_table_info('conversations') WHERE name IN ('last_seq', 'last_message_id', 'updated_at')"));
        var store = new SqliteMessageStore(db);
        Assert.Equal(2, await store.GetLastSeqAsync("d:1:2"));
        Assert.Equal(0, await store.GetLastSeqAsync("g:7"));

        var list = await store.GetConversationsAsync(1, 10);
        Assert.Equal(["g:7", "d:1:2", "d:1:3"], list.Select(s => s.ConversationId));
        Assert.Equal([0L, 2L, 1L], list.Select(s => s.LastSeq));
        Assert.Equal([0, 1, 1], list.Select(s => s.UnreadCount));
        Assert.Equal("m-d:1:2-2", list[1].LastMessage!.Id);
        Assert.Null(list[0].LastMessage);
        Assert.Equal([("d:1:2", 2L, 1L, 1L), ("d:1:3", 1L, 0L, 0L), ("g:7", 0L, 0L, 0L)],
            (await store.GetCursorsAsync(1)).Select(c => (c.ConversationId, c.LastSeq, c.DeliveredSeq, c.ReadSeq)));

        // Numbering goes on from the stored messages, and a new message moves its conversation to the top.
        var sent = await store.AppendSequencedAsync([MessageStoreConformance.Msg("d:1:3", 0, 1) with { Timestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + 60_000 }]);
        Assert.Equal(2, sent.Single().Message.Seq);
        Assert.Equal(["d:1:3", "g:7", "d:1:2"], (await store.GetConversationsAsync(1, 10)).Select(s => s.ConversationId));
        Assert.Equal(2, await store.MarkDeliveredAsync("d:1:3", 3, 99)); // capped at the last message
    }

    [Fact]
    public async Task Client_msg_ids_are_listed_by_range_from_the_idempotency_index()
    {
        using var db = SqliteDatabase.Open(Options());
        var store = new SqliteMessageStore(db);
        await store.AppendAsync([
            MessageStoreConformance.Msg("d:1:2", 1, 1, clientMsgId: "~0000000000a-x"),
            MessageStoreConformance.Msg("d:1:2", 2, 2, clientMsgId: "~0000000000b-y"),
            MessageStoreConformance.Msg("d:1:2", 3, 1, clientMsgId: "~0000000000c-z"),
            MessageStoreConformance.Msg("d:1:2", 4, 1, clientMsgId: "plain"),
            MessageStoreConformance.Msg("d:1:2", 5, 2),
        ]);
        Assert.Equal([(2L, "~0000000000b-y"), (1L, "~0000000000c-z")], await store.ListClientMsgIdsAsync("~0000000000b", "~0000000000d", 10));
        Assert.Equal([(1L, "~0000000000a-x")], await store.ListClientMsgIdsAsync("~", "~~", 1));
        Assert.Empty((await store.ListClientMsgIdsAsync("~0000000000d", "~~", 10))!);
        Assert.Empty((await store.ListClientMsgIdsAsync("~", "~~", 0))!);
        var plan = await db.WriteAsync((c, tx) => string.Join(" | ", c.Query(
            "EXPLAIN QUERY PLAN SELECT sender_id, client_msg_id FROM messages WHERE client_msg_id >= @f AND client_msg_id < @t ORDER BY client_msg_id LIMIT 5",
            new { f = "~0", t = "~1" }, tx).Select(r => (string)r.detail)), default);
        Assert.Contains("ux_messages_client_msg_id_first", plan);
        Assert.DoesNotContain("TEMP B-TREE", plan);
    }

    [Fact]
    public async Task A_failing_migration_rolls_back_and_keeps_the_version()
    {
        const string V1 = "CREATE TABLE a (x INTEGER);";
        SqliteDatabase.Open(Options(), null, [V1]).Dispose();
        Assert.Throws<SqliteException>(() => SqliteDatabase.Open(Options(), null, [V1, "CREATE TABLE b (y INTEGER); NOT SQL;"]));

        using var db = SqliteDatabase.Open(Options(), null, [V1]);
        Assert.Equal(1, await Scalar(db, "PRAGMA user_version"));
        Assert.Equal(0, await Scalar(db, "SELECT count(*) FROM sqlite_schema WHERE name = 'b'"));
    }

    [Theory]
    [InlineData(SqliteSynchronous.Off)]
    [InlineData(SqliteSynchronous.Normal)]
    [InlineData(SqliteSynchronous.Full)]
    public async Task Synchronous_and_busy_timeout_apply_to_the_writer(SqliteSynchronous level)
    {
        using var db = SqliteDatabase.Open(Options(level));
        Assert.Equal((long)level, await Scalar(db, "PRAGMA synchronous"));
        Assert.Equal(5000, await Scalar(db, "PRAGMA busy_timeout"));
        Assert.Equal(1, await Scalar(db, "PRAGMA foreign_keys"));
    }

    [Theory]
    [InlineData(SqliteMessageStore.StateQuery + " WHERE p.user_id = 1 ORDER BY active_at DESC, p.conversation_id LIMIT 50")]
    [InlineData("SELECT coalesce(max(seq), 0) FROM messages WHERE conversation_id = 'g:1'")]
    [InlineData(SqliteMessageStore.StateQuery + " WHERE p.user_id = 1 AND p.conversation_id = 'd:1:2'")]
    [InlineData("SELECT * FROM messages WHERE conversation_id = 'g:1' AND seq > 5 AND seq < 100 ORDER BY seq DESC LIMIT 20")]
    [InlineData("SELECT * FROM messages WHERE sender_id = 1 AND client_msg_id = 'x'")]
    [InlineData("SELECT g.* FROM group_members m JOIN groups g ON g.id = m.group_id WHERE m.user_id = 1 AND g.dissolved = 0")]
    [InlineData("SELECT id FROM friend_requests WHERE status = 0 AND from_user_id = 1 UNION ALL SELECT id FROM friend_requests WHERE status = 0 AND to_user_id = 1 AND from_user_id <> 1")]
    [InlineData("SELECT count(*) FROM participants p JOIN conversations c ON c.conversation_id = p.conversation_id WHERE p.user_id = 1")]
    [InlineData("SELECT DISTINCT conversation_id FROM file_refs WHERE file_id = 'f'")]
    [InlineData("SELECT * FROM file_refs WHERE message_id = 'm'")]
    [InlineData("SELECT * FROM file_refs WHERE conversation_id = 'g:1'")]
    [InlineData("SELECT 1 FROM files WHERE sha256 = 'x'")]
    [InlineData("SELECT 1 FROM avatars WHERE file_id = 'f'")]
    [InlineData("SELECT id FROM files f WHERE f.created_at < 5 ORDER BY f.created_at LIMIT 10")]
    public async Task Hot_queries_use_indexes_not_table_scans(string sql)
    {
        using var db = SqliteDatabase.Open(Options());
        var plan = await db.WriteAsync((c, tx) => c.Query($"EXPLAIN QUERY PLAN {sql}", transaction: tx)
            .Select(row => (string)((IDictionary<string, object>)row)["detail"]).ToList(), default);
        Assert.Contains(plan, line => line.StartsWith("SEARCH ", StringComparison.Ordinal));
        Assert.DoesNotContain(plan, line => line.StartsWith("SCAN ", StringComparison.Ordinal));
    }

    [Fact]
    public void AddParleySqliteStorage_registers_one_database_and_the_five_stores_as_singletons()
    {
        var services = new ServiceCollection().AddParleySqliteStorage(_directory);

        foreach (var type in new[] { typeof(SqliteDatabase), typeof(IAccountStore), typeof(IGraphStore), typeof(IGroupStore), typeof(IMessageStore), typeof(IStoreHealth) })
            Assert.Equal(ServiceLifetime.Singleton, Assert.Single(services, d => d.ServiceType == type).Lifetime);

        var factory = Assert.Single(services, d => d.ServiceType == typeof(SqliteDatabase)).ImplementationFactory!;
        var configure = Assert.Single(services, d => d.ServiceType == typeof(IConfigureOptions<SqliteStorageOptions>)).ImplementationInstance;
        var options = new SqliteStorageOptions();
        ((IConfigureOptions<SqliteStorageOptions>)configure!).Configure(options);
        Assert.Equal(Path.Combine(_directory, "parley.db"), options.Path);
        Assert.Equal(SqliteSynchronous.Full, options.Synchronous);

        using var db = (SqliteDatabase)factory(new OptionsOnlyProvider(options));
        Assert.Equal(SqliteSchema.LatestVersion, db.SchemaVersion);
    }

    private sealed class OptionsOnlyProvider(SqliteStorageOptions options) : IServiceProvider
    {
        public object? GetService(Type serviceType) =>
            serviceType == typeof(IOptions<SqliteStorageOptions>) ? Microsoft.Extensions.Options.Options.Create(options) : null;
    }
}
