using Dapper;
using Microsoft.Data.Sqlite;
using Parley.Abstractions.Model;
using Parley.Abstractions.Stores;

namespace Parley.Storage.Sqlite;

/// <summary>Friend requests, friendships (one row per direction) and directional blocks in SQLite.</summary>
public sealed class SqliteGraphStore(SqliteDatabase db) : IGraphStore
{
    private const string RequestColumns =
        "id AS Id, from_user_id AS FromUserId, to_user_id AS ToUserId, message AS Message, status AS Status, created_at AS CreatedAt";

    /// <inheritdoc />
    public Task<FriendRequest> CreateFriendRequestAsync(long fromUserId, long toUserId, string? message, CancellationToken ct = default) =>
        db.WriteAsync((c, tx) =>
        {
            var existing = c.QuerySingleOrDefault<RequestRow>(
                $"SELECT {RequestColumns} FROM friend_requests WHERE from_user_id = @fromUserId AND to_user_id = @toUserId AND status = 0",
                new { fromUserId, toUserId }, tx);
            if (existing is not null) return existing.ToRequest();
            var createdAt = SqliteDatabase.NowMs();
            var id = c.ExecuteScalar<long>("""
                INSERT INTO friend_requests (from_user_id, to_user_id, message, status, created_at)
                VALUES (@fromUserId, @toUserId, @message, 0, @createdAt) RETURNING id
                """, new { fromUserId, toUserId, message, createdAt }, tx);
            return new FriendRequest(id, fromUserId, toUserId, message, FriendRequestStatus.Pending, DateTimeOffset.FromUnixTimeMilliseconds(createdAt));
        }, ct);

    /// <inheritdoc />
    public Task<FriendRequest?> GetFriendRequestAsync(long requestId, CancellationToken ct = default) =>
        db.ReadAsync(async c =>
        {
            var row = await c.QuerySingleOrDefaultAsync<RequestRow>(new CommandDefinition(
                $"SELECT {RequestColumns} FROM friend_requests WHERE id = @requestId", new { requestId }, cancellationToken: ct)).ConfigureAwait(false);
            return row?.ToRequest();
        }, ct);

    /// <inheritdoc />
    /// <remarks>A UNION rather than an OR so that each half seeks its own partial index.</remarks>
    public Task<IReadOnlyList<FriendRequest>> GetPendingFriendRequestsAsync(long userId, CancellationToken ct = default) =>
        db.ReadAsync<IReadOnlyList<FriendRequest>>(async c =>
        {
            var rows = await c.QueryAsync<RequestRow>(new CommandDefinition($"""
                SELECT {RequestColumns} FROM friend_requests WHERE status = 0 AND from_user_id = @userId
                UNION ALL
                SELECT {RequestColumns} FROM friend_requests WHERE status = 0 AND to_user_id = @userId AND from_user_id <> @userId
                ORDER BY CreatedAt DESC, Id DESC
                """, new { userId }, cancellationToken: ct)).ConfigureAwait(false);
            return rows.Select(r => r.ToRequest()).ToList();
        }, ct);

    /// <inheritdoc />
    public Task<bool> ResolveFriendRequestAsync(long requestId, FriendRequestStatus status, CancellationToken ct = default)
    {
        if (status == FriendRequestStatus.Pending || !Enum.IsDefined(status))
            throw new ArgumentOutOfRangeException(nameof(status), status, "A request can only be resolved to Accepted, Declined or Cancelled.");
        return db.WriteAsync((c, tx) =>
        {
            var row = c.QuerySingleOrDefault<RequestRow>(
                $"UPDATE friend_requests SET status = @status WHERE id = @requestId AND status = 0 RETURNING {RequestColumns}",
                new { requestId, status = (int)status }, tx);
            if (row is null) return false;
            if (status == FriendRequestStatus.Accepted) InsertFriendship(c, tx, row.FromUserId, row.ToUserId);
            return true;
        }, ct);
    }

    /// <inheritdoc />
    public Task AddFriendshipAsync(long a, long b, CancellationToken ct = default) =>
        db.WriteAsync((c, tx) => { InsertFriendship(c, tx, a, b); return 0; }, ct);

    private static void InsertFriendship(SqliteConnection c, SqliteTransaction tx, long a, long b) =>
        c.Execute("""
            INSERT OR IGNORE INTO friendships (user_id, friend_id, created_at) VALUES (@a, @b, @now), (@b, @a, @now)
            """, new { a, b, now = SqliteDatabase.NowMs() }, tx);

    /// <inheritdoc />
    public Task<bool> RemoveFriendshipAsync(long a, long b, CancellationToken ct = default) =>
        db.WriteAsync((c, tx) => c.Execute("""
            DELETE FROM friendships WHERE (user_id = @a AND friend_id = @b) OR (user_id = @b AND friend_id = @a)
            """, new { a, b }, tx) > 0, ct);

    /// <inheritdoc />
    public Task<bool> AreFriendsAsync(long a, long b, CancellationToken ct = default) =>
        db.ReadAsync(c => c.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT EXISTS (SELECT 1 FROM friendships WHERE user_id = @a AND friend_id = @b)", new { a, b }, cancellationToken: ct)), ct);

    /// <inheritdoc />
    public Task<IReadOnlyList<long>> GetFriendIdsAsync(long userId, CancellationToken ct = default) =>
        QueryIdsAsync("SELECT friend_id FROM friendships WHERE user_id = @userId ORDER BY friend_id", userId, ct);

    /// <inheritdoc />
    public Task BlockAsync(long userId, long blockedUserId, CancellationToken ct = default)
    {
        db.Blockers.Add(userId);
        return db.WriteAsync((c, tx) => c.Execute(
            "INSERT OR IGNORE INTO blocks (user_id, blocked_id, created_at) VALUES (@userId, @blockedUserId, @now)",
            new { userId, blockedUserId, now = SqliteDatabase.NowMs() }, tx), ct);
    }

    /// <inheritdoc />
    public Task<bool> UnblockAsync(long userId, long blockedUserId, CancellationToken ct = default) =>
        db.WriteAsync((c, tx) => c.Execute(
            "DELETE FROM blocks WHERE user_id = @userId AND blocked_id = @blockedUserId", new { userId, blockedUserId }, tx) > 0, ct);

    /// <inheritdoc />
    /// <remarks>On the send path (twice per direct message): answered from <see cref="BlockerIndex"/> for users who block nobody, else a prepared statement.</remarks>
    public Task<bool> HasBlockedAsync(long userId, long otherUserId, CancellationToken ct = default) =>
        !db.Blockers.MayBlock(userId) ? Task.FromResult(false) : Task.FromResult(db.Scalar("SELECT EXISTS (SELECT 1 FROM blocks WHERE user_id = $u AND blocked_id = $o)", (userId, otherUserId),
            static (p, s) =>
            {
                SqliteDatabase.Set(p, "$u", s.userId);
                SqliteDatabase.Set(p, "$o", s.otherUserId);
            }, static r => r.GetInt64(0) != 0, false));

    /// <inheritdoc />
    public Task<IReadOnlyList<long>> GetBlockedIdsAsync(long userId, CancellationToken ct = default) =>
        QueryIdsAsync("SELECT blocked_id FROM blocks WHERE user_id = @userId ORDER BY blocked_id", userId, ct);

    private Task<IReadOnlyList<long>> QueryIdsAsync(string sql, long userId, CancellationToken ct) =>
        db.ReadAsync<IReadOnlyList<long>>(async c =>
            (await c.QueryAsync<long>(new CommandDefinition(sql, new { userId }, cancellationToken: ct)).ConfigureAwait(false)).AsList(), ct);

    private sealed class RequestRow
    {
        public long Id { get; init; }
        public long FromUserId { get; init; }
        public long ToUserId { get; init; }
        public string? Message { get; init; }
        public long Status { get; init; }
        public long CreatedAt { get; init; }

        public FriendRequest ToRequest() =>
            new(Id, FromUserId, ToUserId, Message, (FriendRequestStatus)Status, DateTimeOffset.FromUnixTimeMilliseconds(CreatedAt));
    }
}
