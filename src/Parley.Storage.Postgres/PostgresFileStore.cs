using Dapper;
using Parley.Abstractions.Files;
using Parley.Abstractions.Stores;

namespace Parley.Storage.Postgres;

/// <summary>
/// Upload records, message references and avatars in PostgreSQL. Adding a reference or an avatar takes a share lock
/// on the file row and the orphan sweep an exclusive one before it looks again: whichever node is first, a file is
/// never deleted under a reference made at the same moment (and a reference is never made to a deleted file).
/// </summary>
public sealed class PostgresFileStore(PostgresDatabase db) : IFileStore
{
    private const string FileColumns =
        "f.id AS Id, f.owner_id AS OwnerId, f.kind AS Kind, f.name AS Name, f.content_type AS ContentType, f.size AS Size, f.sha256 AS Sha256, f.created_at AS CreatedAt";

    private const string Orphan = """
        NOT EXISTS (SELECT 1 FROM file_refs r WHERE r.file_id = f.id)
        AND NOT EXISTS (SELECT 1 FROM avatars a WHERE a.file_id = f.id)
        """;

    /// <inheritdoc />
    public Task CreateAsync(StoredFile file, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(file);
        return db.WriteAsync((c, tx) => c.ExecuteAsync(new CommandDefinition("""
            INSERT INTO files (id, owner_id, kind, name, content_type, size, sha256, created_at)
            VALUES (@Id, @OwnerId, @Kind, @Name, @ContentType, @Size, @Sha256, @createdAt)
            """, new { file.Id, file.OwnerId, file.Kind, file.Name, file.ContentType, file.Size, file.Sha256, createdAt = file.CreatedAt.ToUnixTimeMilliseconds() },
            tx, cancellationToken: ct)), ct);
    }

    /// <inheritdoc />
    public Task<StoredFile?> GetAsync(string fileId, CancellationToken ct = default) =>
        db.ReadAsync(async c =>
        {
            var row = await c.QuerySingleOrDefaultAsync<FileRow>(new CommandDefinition(
                $"SELECT {FileColumns} FROM files f WHERE f.id = @fileId", new { fileId }, cancellationToken: ct)).ConfigureAwait(false);
            return row?.ToFile();
        }, ct);

    /// <inheritdoc />
    public Task<bool> AddReferenceAsync(string fileId, string messageId, string conversationId, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(messageId);
        ArgumentException.ThrowIfNullOrEmpty(conversationId);
        return db.WriteAsync(async (c, tx) =>
        {
            // Share-locked until commit: a sweep waits for this reference, or has already deleted the file (no row).
            if (!await c.ExecuteScalarAsync<bool>(new CommandDefinition(
                    "SELECT EXISTS (SELECT 1 FROM files WHERE id = @fileId FOR SHARE)", new { fileId }, tx, cancellationToken: ct)).ConfigureAwait(false))
                return false;
            await c.ExecuteAsync(new CommandDefinition(
                "INSERT INTO file_refs (file_id, message_id, conversation_id) VALUES (@fileId, @messageId, @conversationId) ON CONFLICT DO NOTHING",
                new { fileId, messageId, conversationId }, tx, cancellationToken: ct)).ConfigureAwait(false);
            return true;
        }, ct);
    }

    /// <inheritdoc />
    public Task<int> RemoveMessageReferencesAsync(string messageId, CancellationToken ct = default) =>
        db.WriteAsync((c, tx) => c.ExecuteAsync(new CommandDefinition(
            "DELETE FROM file_refs WHERE message_id = @messageId", new { messageId }, tx, cancellationToken: ct)), ct);

    /// <inheritdoc />
    public Task<int> RemoveConversationReferencesAsync(string conversationId, CancellationToken ct = default) =>
        db.WriteAsync((c, tx) => c.ExecuteAsync(new CommandDefinition(
            "DELETE FROM file_refs WHERE conversation_id = @conversationId", new { conversationId }, tx, cancellationToken: ct)), ct);

    /// <inheritdoc />
    public Task<IReadOnlyList<string>> GetReferencingConversationsAsync(string fileId, int limit, CancellationToken ct = default) =>
        db.ReadAsync<IReadOnlyList<string>>(async c => (await c.QueryAsync<string>(new CommandDefinition(
            "SELECT DISTINCT conversation_id FROM file_refs WHERE file_id = @fileId ORDER BY conversation_id LIMIT @limit",
            new { fileId, limit = Math.Max(0, limit) }, cancellationToken: ct)).ConfigureAwait(false)).AsList(), ct);

    /// <inheritdoc />
    public Task<StoredFile?> GetAvatarAsync(long userId, CancellationToken ct = default) =>
        db.ReadAsync(async c =>
        {
            var row = await c.QuerySingleOrDefaultAsync<FileRow>(new CommandDefinition(
                $"SELECT {FileColumns} FROM avatars a JOIN files f ON f.id = a.file_id WHERE a.user_id = @userId",
                new { userId }, cancellationToken: ct)).ConfigureAwait(false);
            return row?.ToFile();
        }, ct);

    /// <inheritdoc />
    public Task<bool> SetAvatarAsync(long userId, string? fileId, CancellationToken ct = default) =>
        db.WriteAsync(async (c, tx) =>
        {
            if (fileId is null)
            {
                await c.ExecuteAsync(new CommandDefinition("DELETE FROM avatars WHERE user_id = @userId", new { userId }, tx, cancellationToken: ct)).ConfigureAwait(false);
                return true;
            }
            return await c.ExecuteAsync(new CommandDefinition("""
                INSERT INTO avatars (user_id, file_id, updated_at)
                SELECT @userId, id, @now FROM files WHERE id = @fileId FOR SHARE
                ON CONFLICT (user_id) DO UPDATE SET file_id = excluded.file_id, updated_at = excluded.updated_at
                """, new { userId, fileId, now = PostgresDatabase.NowMs() }, tx, cancellationToken: ct)).ConfigureAwait(false) > 0;
        }, ct);

    /// <inheritdoc />
    public Task<IReadOnlyList<StoredFile>> GetOrphansAsync(DateTimeOffset createdBefore, int limit, CancellationToken ct = default) =>
        db.ReadAsync<IReadOnlyList<StoredFile>>(async c => (await c.QueryAsync<FileRow>(new CommandDefinition($"""
            SELECT {FileColumns} FROM files f WHERE f.created_at < @before AND {Orphan} ORDER BY f.created_at, f.id LIMIT @limit
            """, new { before = createdBefore.ToUnixTimeMilliseconds(), limit = Math.Max(0, limit) }, cancellationToken: ct)).ConfigureAwait(false))
            .Select(r => r.ToFile()).ToList(), ct);

    /// <inheritdoc />
    /// <remarks>
    /// The row is locked first; the orphan check is a later statement, so it sees every reference committed by a
    /// node that held the share lock before us.
    /// </remarks>
    public Task<bool> DeleteIfOrphanAsync(string fileId, DateTimeOffset createdBefore, CancellationToken ct = default) =>
        db.WriteAsync(async (c, tx) =>
        {
            var before = createdBefore.ToUnixTimeMilliseconds();
            if (!await c.ExecuteScalarAsync<bool>(new CommandDefinition(
                    "SELECT EXISTS (SELECT 1 FROM files WHERE id = @fileId AND created_at < @before FOR UPDATE)",
                    new { fileId, before }, tx, cancellationToken: ct)).ConfigureAwait(false))
                return false;
            return await c.ExecuteAsync(new CommandDefinition($"DELETE FROM files AS f WHERE f.id = @fileId AND {Orphan}",
                new { fileId }, tx, cancellationToken: ct)).ConfigureAwait(false) > 0;
        }, ct);

    /// <inheritdoc />
    public Task<bool> IsBlobReferencedAsync(string sha256, CancellationToken ct = default) =>
        db.ReadAsync(c => c.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT EXISTS (SELECT 1 FROM files WHERE sha256 = @sha256)", new { sha256 }, cancellationToken: ct)), ct);

    private sealed class FileRow
    {
        public string Id { get; init; } = "";
        public long OwnerId { get; init; }
        public string Kind { get; init; } = "";
        public string Name { get; init; } = "";
        public string ContentType { get; init; } = "";
        public long Size { get; init; }
        public string Sha256 { get; init; } = "";
        public long CreatedAt { get; init; }

        public StoredFile ToFile() => new()
        {
            Id = Id, OwnerId = OwnerId, Kind = Kind, Name = Name, ContentType = ContentType, Size = Size, Sha256 = Sha256,
            CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(CreatedAt),
        };
    }
}
