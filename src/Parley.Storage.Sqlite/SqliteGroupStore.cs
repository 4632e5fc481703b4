using Dapper;
using Parley.Abstractions.Model;
using Parley.Abstractions.Stores;

namespace Parley.Storage.Sqlite;

/// <summary>Groups, members and invitations in SQLite. Dissolved groups keep their row.</summary>
public sealed class SqliteGroupStore(SqliteDatabase db) : IGroupStore
{
    private const string GroupColumns =
        "g.id AS Id, g.name AS Name, g.owner_id AS OwnerId, g.invite_only AS InviteOnly, g.dissolved AS Dissolved, g.created_at AS CreatedAt";

    private const string MemberColumns =
        "group_id AS GroupId, user_id AS UserId, role AS Role, joined_at AS JoinedAt";

    /// <inheritdoc />
    public Task<Group> CreateAsync(string name, long ownerId, bool inviteOnly, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        return db.WriteAsync((c, tx) =>
        {
            var now = SqliteDatabase.NowMs();
            var id = c.ExecuteScalar<long>("""
                INSERT INTO groups (name, owner_id, invite_only, dissolved, created_at)
                VALUES (@name, @ownerId, @inviteOnly, 0, @now) RETURNING id
                """, new { name, ownerId, inviteOnly, now }, tx);
            c.Execute("INSERT INTO group_members (group_id, user_id, role, joined_at) VALUES (@id, @ownerId, @role, @now)",
                new { id, ownerId, role = (int)GroupRole.Owner, now }, tx);
            return new Group
            {
                Id = id, Name = name, OwnerId = ownerId, InviteOnly = inviteOnly, Dissolved = false,
                CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(now),
            };
        }, ct);
    }

    /// <inheritdoc />
    public Task<Group?> GetAsync(long groupId, CancellationToken ct = default) =>
        db.ReadAsync(async c =>
        {
            var row = await c.QuerySingleOrDefaultAsync<GroupRow>(new CommandDefinition(
                $"SELECT {GroupColumns} FROM groups g WHERE g.id = @groupId", new { groupId }, cancellationToken: ct)).ConfigureAwait(false);
            return row?.ToGroup();
        }, ct);

    /// <inheritdoc />
    public Task<bool> UpdateAsync(Group group, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(group);
        return db.WriteAsync((c, tx) => c.Execute(
            "UPDATE groups SET name = @Name, invite_only = @InviteOnly, owner_id = @OwnerId WHERE id = @Id",
            new { group.Id, group.Name, group.InviteOnly, group.OwnerId }, tx) > 0, ct);
    }

    /// <inheritdoc />
    public Task<bool> DissolveAsync(long groupId, CancellationToken ct = default) =>
        db.WriteAsync((c, tx) =>
        {
            if (c.Execute("UPDATE groups SET dissolved = 1 WHERE id = @groupId AND dissolved = 0", new { groupId }, tx) == 0)
                return false;
            c.Execute("DELETE FROM group_members WHERE group_id = @groupId", new { groupId }, tx);
            c.Execute("DELETE FROM group_invites WHERE group_id = @groupId", new { groupId }, tx);
            return true;
        }, ct);

    /// <inheritdoc />
    /// <remarks>Also false when the group is unknown or dissolved (nobody can join those).</remarks>
    public Task<bool> AddMemberAsync(long groupId, long userId, GroupRole role, CancellationToken ct = default) =>
        db.WriteAsync((c, tx) =>
        {
            var added = c.Execute("""
                INSERT OR IGNORE INTO group_members (group_id, user_id, role, joined_at)
                SELECT id, @userId, @role, @now FROM groups WHERE id = @groupId AND dissolved = 0
                """, new { groupId, userId, role = (int)role, now = SqliteDatabase.NowMs() }, tx) > 0;
            if (added)
                c.Execute("DELETE FROM group_invites WHERE group_id = @groupId AND user_id = @userId", new { groupId, userId }, tx);
            return added;
        }, ct);

    /// <inheritdoc />
    public Task<bool> RemoveMemberAsync(long groupId, long userId, CancellationToken ct = default) =>
        db.WriteAsync((c, tx) => c.Execute(
            "DELETE FROM group_members WHERE group_id = @groupId AND user_id = @userId", new { groupId, userId }, tx) > 0, ct);

    /// <inheritdoc />
    public Task<GroupMember?> GetMemberAsync(long groupId, long userId, CancellationToken ct = default) =>
        db.ReadAsync(async c =>
        {
            var row = await c.QuerySingleOrDefaultAsync<MemberRow>(new CommandDefinition(
                $"SELECT {MemberColumns} FROM group_members WHERE group_id = @groupId AND user_id = @userId",
                new { groupId, userId }, cancellationToken: ct)).ConfigureAwait(false);
            return row?.ToMember();
        }, ct);

    /// <inheritdoc />
    public Task<IReadOnlyList<GroupMember>> GetMembersAsync(long groupId, CancellationToken ct = default) =>
        db.ReadAsync<IReadOnlyList<GroupMember>>(async c =>
        {
            var rows = await c.QueryAsync<MemberRow>(new CommandDefinition(
                $"SELECT {MemberColumns} FROM group_members WHERE group_id = @groupId ORDER BY joined_at, rowid",
                new { groupId }, cancellationToken: ct)).ConfigureAwait(false);
            return rows.Select(r => r.ToMember()).ToList();
        }, ct);

    /// <inheritdoc />
    public Task<IReadOnlyList<Group>> GetGroupsOfUserAsync(long userId, CancellationToken ct = default) =>
        db.ReadAsync<IReadOnlyList<Group>>(async c =>
        {
            var rows = await c.QueryAsync<GroupRow>(new CommandDefinition($"""
                SELECT {GroupColumns} FROM group_members m JOIN groups g ON g.id = m.group_id
                WHERE m.user_id = @userId AND g.dissolved = 0 ORDER BY g.id
                """, new { userId }, cancellationToken: ct)).ConfigureAwait(false);
            return rows.Select(r => r.ToGroup()).ToList();
        }, ct);

    /// <inheritdoc />
    public Task<IReadOnlyList<Group>> SearchOpenAsync(string text, int limit, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (limit <= 0 || text.Length == 0) return Task.FromResult<IReadOnlyList<Group>>([]);
        var pattern = "%" + SqliteDatabase.EscapeLike(text) + "%";
        return db.ReadAsync<IReadOnlyList<Group>>(async c =>
        {
            var rows = await c.QueryAsync<GroupRow>(new CommandDefinition($"""
                SELECT {GroupColumns} FROM groups g
                WHERE g.dissolved = 0 AND g.invite_only = 0 AND g.name LIKE @pattern ESCAPE '\'
                ORDER BY g.id DESC LIMIT @limit
                """, new { pattern, limit }, cancellationToken: ct)).ConfigureAwait(false);
            return rows.Select(r => r.ToGroup()).ToList();
        }, ct);
    }

    /// <inheritdoc />
    /// <remarks>A no-op for an unknown or dissolved group.</remarks>
    public Task AddInviteAsync(long groupId, long userId, long invitedBy, CancellationToken ct = default) =>
        db.WriteAsync((c, tx) => c.Execute("""
            INSERT OR IGNORE INTO group_invites (group_id, user_id, invited_by, created_at)
            SELECT id, @userId, @invitedBy, @now FROM groups WHERE id = @groupId AND dissolved = 0
            """, new { groupId, userId, invitedBy, now = SqliteDatabase.NowMs() }, tx), ct);

    /// <inheritdoc />
    public Task<bool> HasInviteAsync(long groupId, long userId, CancellationToken ct = default) =>
        db.ReadAsync(c => c.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT EXISTS (SELECT 1 FROM group_invites WHERE group_id = @groupId AND user_id = @userId)",
            new { groupId, userId }, cancellationToken: ct)), ct);

    private sealed class GroupRow
    {
        public long Id { get; init; }
        public string Name { get; init; } = "";
        public long OwnerId { get; init; }
        public long InviteOnly { get; init; }
        public long Dissolved { get; init; }
        public long CreatedAt { get; init; }

        public Group ToGroup() => new()
        {
            Id = Id, Name = Name, OwnerId = OwnerId, InviteOnly = InviteOnly != 0, Dissolved = Dissolved != 0,
            CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(CreatedAt),
        };
    }

    private sealed class MemberRow
    {
        public long GroupId { get; init; }
        public long UserId { get; init; }
        public long Role { get; init; }
        public long JoinedAt { get; init; }

        public GroupMember ToMember() => new(GroupId, UserId, (GroupRole)Role, DateTimeOffset.FromUnixTimeMilliseconds(JoinedAt));
    }
}
