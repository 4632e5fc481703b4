using Dapper;
using Npgsql;
using Parley.Abstractions.Model;
using Parley.Abstractions.Stores;

namespace Parley.Storage.Postgres;

/// <summary>Friend requests, friendships (one row per direction) and directional blocks in PostgreSQL.</summary>
public sealed class PostgresGraphStore(PostgresDatabase db) : IGraphStore
{
    private const string RequestColumns =
        "id AS Id, from_user_id AS FromUserId, to_user_id AS ToUserId, message AS Message, status AS Status, created_at AS CreatedAt";

    /// <inheritdoc />
    /// <remarks>Two nodes creating the same request at once meet at the partial unique index: one inserts, both return it.</remarks>
    public Task<FriendRequest> CreateFriendRequestAsync(long fromUserId, long toUserId, string? message, CancellationToken ct = default) =>
        db.WriteAsync(async (c, tx) =>
        {
            var createdAt = PostgresDatabase.NowMs();
            var inserted = await c.QuerySingleOrDefaultAsync<RequestRow>(new CommandDefinition($"""
                INSERT INTO friend_requests (from_user_id, to_user_id, message, status, created_at)
                VALUES (@fromUserId, @toUserId, @message, 0, @createdAt)
                ON CONFLICT (from_user_id, to_user_id) WHERE status = 0 DO NOTHING
                RETURNING {RequestColumns}
                """, new { fromUserId, toUserId, message, createdAt }, tx, cancellationToken: ct)).ConfigureAwait(false);
            inserted ??= await c.QuerySingleAsync<RequestRow>(new CommandDefinition(
                $"SELECT {RequestColumns} FROM friend_requests WHERE from_user_id = @fromUserId AND to_user_id = @toUserId AND status = 0",
                new { fromUserId, toUserId }, tx, cancellationToken: ct)).ConfigureAwait(false);
            return inserted.ToRequest();
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
        return db.WriteAsync(async (c, tx) =>
        {
            var row = await c.QuerySingleOrDefaultAsync<RequestRow>(new CommandDefinition(
                $"UPDATE friend_requests SET status = @status WHERE id = @requestId AND status = 0 RETURNING {RequestColumns}",
                new { requestId, status = (int)status }, tx, cancellationToken: ct)).ConfigureAwait(false);
            if (row is null) return false;
            if (status == FriendRequestStatus.Accepted) await InsertFriendshipAsync(c, tx, row.FromUserId, row.ToUserId, ct).ConfigureAwait(false);
            return true;
        }, ct);
    }

    /// <inheritdoc />
    public Task AddFriendshipAsync(long a, long b, CancellationToken ct = default) =>
        db.WriteAsync((c, tx) => InsertFriendshipAsync(c, tx, a, b, ct), ct);

    private static Task<int> InsertFriendshipAsync(NpgsqlConnection c, NpgsqlTransaction tx, long a, long b, CancellationToken ct) =>
        c.ExecuteAsync(new CommandDefinition("""
            INSERT INTO friendships (user_id, friend_id, created_at) VALUES (@a, @b, @now), (@b, @a, @now) ON CONFLICT DO NOTHING
            """, new { a, b, now = PostgresDatabase.NowMs() }, tx, cancellationToken: ct));

    /// <inheritdoc />
    public Task<bool> RemoveFriendshipAsync(long a, long b, CancellationToken ct = default) =>
        db.WriteAsync(async (c, tx) => await c.ExecuteAsync(new CommandDefinition("""
            DELETE FROM friendships WHERE (user_id = @a AND friend_id = @b) OR (user_id = @b AND friend_id = @a)
            """, new { a, b }, tx, cancellationToken: ct)).ConfigureAwait(false) > 0, ct);

    /// <inheritdoc />
    public Task<bool> AreFriendsAsync(long a, long b, CancellationToken ct = default) =>
        db.ReadAsync(c => c.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT EXISTS (SELECT 1 FROM friendships WHERE user_id = @a AND friend_id = @b)", new { a, b }, cancellationToken: ct)), ct);

    /// <inheritdoc />
    public Task<IReadOnlyList<long>> GetFriendIdsAsync(long userId, CancellationToken ct = default) =>
        QueryIdsAsync("SELECT friend_id FROM friendships WHERE user_id = @userId ORDER BY friend_id", userId, ct);

    /// <inheritdoc />
    public Task BlockAsync(long userId, long blockedUserId, CancellationToken ct = default) =>
        db.WriteAsync((c, tx) => c.ExecuteAsync(new CommandDefinition(
            "INSERT INTO blocks (user_id, blocked_id, created_at) VALUES (@userId, @blockedUserId, @now) ON CONFLICT DO NOTHING",
            new { userId, blockedUserId, now = PostgresDatabase.NowMs() }, tx, cancellationToken: ct)), ct);

    /// <inheritdoc />
    public Task<bool> UnblockAsync(long userId, long blockedUserId, CancellationToken ct = default) =>
        db.WriteAsync(async (c, tx) => await c.ExecuteAsync(new CommandDefinition(
            "DELETE FROM blocks WHERE user_id = @userId AND blocked_id = @blockedUserId",
            new { userId, blockedUserId }, tx, cancellationToken: ct)).ConfigureAwait(false) > 0, ct);

    /// <inheritdoc />
    public Task<bool> HasBlockedAsync(long userId, long otherUserId, CancellationToken ct = default) =>
        db.ReadAsync(c => c.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT EXISTS (SELECT 1 FROM blocks WHERE user_id = @userId AND blocked_id = @otherUserId)",
            new { userId, otherUserId }, cancellationToken: ct)), ct);

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
        public int Status { get; init; }
        public long CreatedAt { get; init; }

        public FriendRequest ToRequest() =>
            new(Id, FromUserId, ToUserId, Message, (FriendRequestStatus)Status, DateTimeOffset.FromUnixTimeMilliseconds(CreatedAt));
    }
}
