namespace Parley.Abstractions.Model;

/// <summary>Who may open a direct conversation with a user.</summary>
public enum DirectMessagePolicy
{
    /// <summary>Anyone who is not blocked (the default).</summary>
    Anyone = 0,
    /// <summary>Only friends.</summary>
    FriendsOnly = 1,
}

/// <summary>A registered user. <see cref="Name"/> (the account name) is unique and immutable.</summary>
public sealed record Account
{
    /// <summary>Numeric user id, assigned by the store.</summary>
    public long Id { get; init; }
    /// <summary>Unique login name (lower-case, normalised by the account service).</summary>
    public required string Name { get; init; }
    /// <summary>Name shown to others.</summary>
    public required string DisplayName { get; init; }
    /// <summary>Avatar address, if any.</summary>
    public string? AvatarUrl { get; init; }
    /// <summary>Free text about the user.</summary>
    public string? Bio { get; init; }
    /// <summary>ASP.NET Core <c>PasswordHasher</c> output.</summary>
    public required string PasswordHash { get; init; }
    /// <summary>Disabled accounts cannot log in and their tokens are refused.</summary>
    public bool Disabled { get; init; }
    /// <summary>The user's own direct-message policy (the server-wide setting may be stricter).</summary>
    public DirectMessagePolicy DirectMessages { get; init; }
    /// <summary>Tokens issued before this instant (Unix milliseconds) are refused: "log out everywhere", password change, disable.</summary>
    public long TokensNotBefore { get; init; }
    /// <summary>Creation time.</summary>
    public DateTimeOffset CreatedAt { get; init; }
}
