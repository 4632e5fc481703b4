using Dapper;
using Parley.Abstractions.Model;
using Parley.Abstractions.Stores;

namespace Parley.Storage.Postgres;

/// <summary>Accounts and revoked tokens in PostgreSQL. Names are unique case-insensitively (a unique index on lower(name)).</summary>
public sealed class PostgresAccountStore(PostgresDatabase db) : IAccountStore
{
    private const string Columns = """
        id AS Id, name AS Name, display_name AS DisplayName, avatar_url AS AvatarUrl, bio AS Bio,
        password_hash AS PasswordHash, disabled AS Disabled, direct_messages AS DirectMessages,
        tokens_not_before AS TokensNotBefore, created_at AS CreatedAt
        """;

    /// <inheritdoc />
    public async Task<Account?> TryCreateAsync(Account account, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(account);
        var createdAt = account.CreatedAt == default ? PostgresDatabase.NowMs() : account.CreatedAt.ToUnixTimeMilliseconds();
        // ON CONFLICT DO NOTHING rather than catching the violation: an aborted statement would end the transaction.
        var id = await db.WriteAsync((c, tx) => c.ExecuteScalarAsync<long?>(new CommandDefinition("""
            INSERT INTO accounts (name, display_name, avatar_url, bio, password_hash, disabled, direct_messages, tokens_not_before, created_at)
            VALUES (@Name, @DisplayName, @AvatarUrl, @Bio, @PasswordHash, @Disabled, @DirectMessages, @TokensNotBefore, @createdAt)
            ON CONFLICT ((lower(name))) DO NOTHING
            RETURNING id
            """,
            new
            {
                account.Name, account.DisplayName, account.AvatarUrl, account.Bio, account.PasswordHash,
                account.Disabled, DirectMessages = (int)account.DirectMessages, account.TokensNotBefore, createdAt,
            }, tx, cancellationToken: ct)), ct).ConfigureAwait(false);
        return id is { } assigned ? account with { Id = assigned, CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(createdAt) } : null;
    }

    /// <inheritdoc />
    public Task<Account?> GetAsync(long id, CancellationToken ct = default) =>
        QuerySingleAsync($"SELECT {Columns} FROM accounts WHERE id = @id", new { id }, ct);

    /// <inheritdoc />
    public Task<Account?> GetByNameAsync(string name, CancellationToken ct = default) =>
        QuerySingleAsync($"SELECT {Columns} FROM accounts WHERE lower(name) = lower(@name)", new { name }, ct);

    private Task<Account?> QuerySingleAsync(string sql, object args, CancellationToken ct) =>
        db.ReadAsync(async c =>
        {
            var row = await c.QuerySingleOrDefaultAsync<AccountRow>(new CommandDefinition(sql, args, cancellationToken: ct)).ConfigureAwait(false);
            return row?.ToAccount();
        }, ct);

    /// <inheritdoc />
    public async Task<IReadOnlyList<Account>> GetManyAsync(IReadOnlyCollection<long> ids, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(ids);
        if (ids.Count == 0) return [];
        var array = ids.ToArray();
        return await db.ReadAsync<IReadOnlyList<Account>>(async c =>
        {
            var rows = await c.QueryAsync<AccountRow>(new CommandDefinition(
                $"SELECT {Columns} FROM accounts WHERE id = ANY(@array) ORDER BY id", new { array }, cancellationToken: ct)).ConfigureAwait(false);
            return rows.Select(r => r.ToAccount()).ToList();
        }, ct).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Task<bool> UpdateAsync(Account account, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(account);
        return db.WriteAsync(async (c, tx) => await c.ExecuteAsync(new CommandDefinition("""
            UPDATE accounts SET display_name = @DisplayName, avatar_url = @AvatarUrl, bio = @Bio,
                password_hash = @PasswordHash, disabled = @Disabled, direct_messages = @DirectMessages,
                tokens_not_before = @TokensNotBefore
            WHERE id = @Id
            """,
            new
            {
                account.Id, account.DisplayName, account.AvatarUrl, account.Bio, account.PasswordHash,
                account.Disabled, DirectMessages = (int)account.DirectMessages, account.TokensNotBefore,
            }, tx, cancellationToken: ct)).ConfigureAwait(false) > 0, ct);
    }

    /// <inheritdoc />
    /// <remarks>ILIKE scans; fine for a directory search with a bounded result (a trigram index would serve millions).</remarks>
    public Task<IReadOnlyList<Account>> SearchAsync(string text, int limit, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (limit <= 0 || text.Length == 0) return Task.FromResult<IReadOnlyList<Account>>([]);
        var escaped = PostgresDatabase.EscapeLike(text);
        return db.ReadAsync<IReadOnlyList<Account>>(async c =>
        {
            var rows = await c.QueryAsync<AccountRow>(new CommandDefinition($"""
                SELECT {Columns} FROM accounts
                WHERE NOT disabled AND (name ILIKE @prefix ESCAPE '\' OR display_name ILIKE @infix ESCAPE '\')
                ORDER BY lower(name) = lower(@text) DESC, lower(name) LIMIT @limit
                """, new { prefix = escaped + "%", infix = "%" + escaped + "%", text, limit }, cancellationToken: ct)).ConfigureAwait(false);
            return rows.Select(r => r.ToAccount()).ToList();
        }, ct);
    }

    /// <inheritdoc />
    public Task RevokeTokenAsync(string tokenId, DateTimeOffset expiresAt, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(tokenId);
        var expires = expiresAt.ToUnixTimeMilliseconds();
        return db.WriteAsync((c, tx) => c.ExecuteAsync(new CommandDefinition("""
            INSERT INTO revoked_tokens (token_id, expires_at) VALUES (@tokenId, @expires)
            ON CONFLICT (token_id) DO UPDATE SET expires_at = GREATEST(revoked_tokens.expires_at, excluded.expires_at)
            """, new { tokenId, expires }, tx, cancellationToken: ct)), ct);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<string>> GetRevokedTokensAsync(DateTimeOffset now, CancellationToken ct = default)
    {
        var nowMs = now.ToUnixTimeMilliseconds();
        // expired rows are useless from now on, so this also prunes them
        return db.WriteAsync<IReadOnlyList<string>>(async (c, tx) =>
        {
            await c.ExecuteAsync(new CommandDefinition("DELETE FROM revoked_tokens WHERE expires_at <= @nowMs", new { nowMs }, tx, cancellationToken: ct)).ConfigureAwait(false);
            return (await c.QueryAsync<string>(new CommandDefinition(
                "SELECT token_id FROM revoked_tokens ORDER BY token_id COLLATE \"C\"", transaction: tx, cancellationToken: ct)).ConfigureAwait(false)).AsList();
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
        public bool Disabled { get; init; }
        public int DirectMessages { get; init; }
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
            Disabled = Disabled,
            DirectMessages = (DirectMessagePolicy)DirectMessages,
            TokensNotBefore = TokensNotBefore,
            CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(CreatedAt),
        };
    }
}
