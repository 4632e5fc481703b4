using System.Globalization;
using System.Text;
using Dapper;
using Microsoft.Data.Sqlite;
using Parley.Abstractions.Model;
using Parley.Abstractions.Stores;

namespace Parley.Storage.Sqlite;

/// <summary>Accounts and revoked tokens in SQLite.</summary>
public sealed class SqliteAccountStore(SqliteDatabase db) : IAccountStore
{
    private const int SqliteConstraint = 19;

    private const string Columns = """
        id AS Id, name AS Name, display_name AS DisplayName, avatar_url AS AvatarUrl, bio AS Bio,
        password_hash AS PasswordHash, disabled AS Disabled, direct_messages AS DirectMessages,
        tokens_not_before AS TokensNotBefore, created_at AS CreatedAt
        """;

    /// <inheritdoc />
    public async Task<Account?> TryCreateAsync(Account account, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(account);
        var createdAt = account.CreatedAt == default ? SqliteDatabase.NowMs() : account.CreatedAt.ToUnixTimeMilliseconds();
        try
        {
            var id = await db.WriteAsync((c, tx) => c.ExecuteScalar<long>("""
                INSERT INTO accounts (name, display_name, avatar_url, bio, password_hash, disabled, direct_messages, tokens_not_before, created_at)
                VALUES (@Name, @DisplayName, @AvatarUrl, @Bio, @PasswordHash, @Disabled, @DirectMessages, @TokensNotBefore, @createdAt)
                RETURNING id
                """,
                new
                {
                    account.Name, account.DisplayName, account.AvatarUrl, account.Bio, account.PasswordHash,
                    account.Disabled, DirectMessages = (int)account.DirectMessages, account.TokensNotBefore, createdAt,
                }, tx), ct).ConfigureAwait(false);
            return account with { Id = id, CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(createdAt) };
        }
        catch (SqliteException e) when (e.SqliteErrorCode == SqliteConstraint)
        {
            return null;
        }
    }

    /// <inheritdoc />
    public Task<Account?> GetAsync(long id, CancellationToken ct = default) =>
        db.ReadAsync(async c =>
        {
            var row = await c.QuerySingleOrDefaultAsync<AccountRow>(new CommandDefinition(
                $"SELECT {Columns} FROM accounts WHERE id = @id", new { id }, cancellationToken: ct)).ConfigureAwait(false);
            return row?.ToAccount();
        }, ct);

    /// <inheritdoc />
    public Task<Account?> GetByNameAsync(string name, CancellationToken ct = default) =>
        db.ReadAsync(async c =>
        {
            var row = await c.QuerySingleOrDefaultAsync<AccountRow>(new CommandDefinition(
                $"SELECT {Columns} FROM accounts WHERE name = @name", new { name }, cancellationToken: ct)).ConfigureAwait(false);
            return row?.ToAccount();
        }, ct);

    /// <inheritdoc />
    public async Task<IReadOnlyList<Account>> GetManyAsync(IReadOnlyCollection<long> ids, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(ids);
        if (ids.Count == 0) return [];
        // one JSON array parameter keeps the statement text (and its cached plan) the same for any count
        var json = new StringBuilder(ids.Count * 8).Append('[');
        foreach (var id in ids)
        {
            if (json.Length > 1) json.Append(',');
            json.Append(id.ToString(CultureInfo.InvariantCulture));
        }
        var idsJson = json.Append(']').ToString();
        return await db.ReadAsync<IReadOnlyList<Account>>(async c =>
        {
            var rows = await c.QueryAsync<AccountRow>(new CommandDefinition(
                $"SELECT {Columns} FROM accounts WHERE id IN (SELECT value FROM json_each(@idsJson)) ORDER BY id",
                new { idsJson }, cancellationToken: ct)).ConfigureAwait(false);
            return rows.Select(r => r.ToAccount()).ToList();
        }, ct).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Task<bool> UpdateAsync(Account account, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(account);
        return db.WriteAsync((c, tx) => c.Execute("""
            UPDATE accounts SET display_name = @DisplayName, avatar_url = @AvatarUrl, bio = @Bio,
                password_hash = @PasswordHash, disabled = @Disabled, direct_messages = @DirectMessages,
                tokens_not_before = @TokensNotBefore
            WHERE id = @Id
            """,
            new
            {
                account.Id, account.DisplayName, account.AvatarUrl, account.Bio, account.PasswordHash,
                account.Disabled, DirectMessages = (int)account.DirectMessages, account.TokensNotBefore,
            }, tx) > 0, ct);
    }

    /// <inheritdoc />
    /// <remarks>A scan with LIKE: fine for the account counts one SQLite node serves; the result is bounded.</remarks>
    public Task<IReadOnlyList<Account>> SearchAsync(string text, int limit, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (limit <= 0 || text.Length == 0) return Task.FromResult<IReadOnlyList<Account>>([]);
        var exact = text.ToLowerInvariant();
        var escaped = SqliteDatabase.EscapeLike(text);
        return db.ReadAsync<IReadOnlyList<Account>>(async c =>
        {
            var rows = await c.QueryAsync<AccountRow>(new CommandDefinition($"""
                SELECT {Columns} FROM accounts
                WHERE disabled = 0 AND (name LIKE @prefix ESCAPE '\' OR display_name LIKE @infix ESCAPE '\')
                ORDER BY name = @exact DESC, name LIMIT @limit
                """, new { prefix = escaped + "%", infix = "%" + escaped + "%", exact, limit }, cancellationToken: ct)).ConfigureAwait(false);
            return rows.Select(r => r.ToAccount()).ToList();
        }, ct);
    }

    /// <inheritdoc />
    public Task RevokeTokenAsync(string tokenId, DateTimeOffset expiresAt, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(tokenId);
        var expires = expiresAt.ToUnixTimeMilliseconds();
        return db.WriteAsync((c, tx) => c.Execute("""
            INSERT INTO revoked_tokens (token_id, expires_at) VALUES (@tokenId, @expires)
            ON CONFLICT (token_id) DO UPDATE SET expires_at = max(expires_at, excluded.expires_at)
            """, new { tokenId, expires }, tx), ct);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<string>> GetRevokedTokensAsync(DateTimeOffset now, CancellationToken ct = default)
    {
        var nowMs = now.ToUnixTimeMilliseconds();
        // expired rows are useless from now on, so this also prunes them
        return db.WriteAsync<IReadOnlyList<string>>((c, tx) =>
        {
            c.Execute("DELETE FROM revoked_tokens WHERE expires_at <= @nowMs", new { nowMs }, tx);
            return c.Query<string>("SELECT token_id FROM revoked_tokens ORDER BY token_id", transaction: tx).ToList();
        }, ct);
    }

    private sealed class AccountRow
    {
        public long Id { get; init; }
        public string Name { get; init; } = "";
        public string DisplayName { get; init; } = "";
        public string? AvatarUrl { get; init; }
        public string? Bio { get; init; }
        public string PasswordHash { get; init; } = "";
        public long Disabled { get; init; }
        public long DirectMessages { get; init; }
        public long TokensNotBefore { get; init; }
        public long CreatedAt { get; init; }

        public Account ToAccount() => new()
        {
            Id = Id,
            Name = Name,
            DisplayName = DisplayName,
            AvatarUrl = AvatarUrl,
            Bio = Bio,
            PasswordHash = PasswordHash,
            Disabled = Disabled != 0,
            DirectMessages = (DirectMessagePolicy)DirectMessages,
            TokensNotBefore = TokensNotBefore,
            CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(CreatedAt),
        };
    }
}
