using Parley.Abstractions.Files;

namespace Parley.Abstractions.Stores;

/// <summary>
/// Upload metadata: file records, which messages refer to which file, and each user's avatar. The bytes are in an
/// <see cref="IBlobStore"/>; several records may share one blob (same content).
/// </summary>
public interface IFileStore
{
    /// <summary>Inserts a record (its id is new).</summary>
    Task CreateAsync(StoredFile file, CancellationToken ct = default);

    /// <summary>Reads a record, or null.</summary>
    Task<StoredFile?> GetAsync(string fileId, CancellationToken ct = default);

    /// <summary>
    /// Records that message <paramref name="messageId"/> in <paramref name="conversationId"/> refers to the file
    /// (idempotent). False, and nothing recorded, when the file does not exist (any more).
    /// </summary>
    Task<bool> AddReferenceAsync(string fileId, string messageId, string conversationId, CancellationToken ct = default);

    /// <summary>Forgets every reference made by one message; returns how many there were.</summary>
    Task<int> RemoveMessageReferencesAsync(string messageId, CancellationToken ct = default);

    /// <summary>Forgets every reference made from one conversation (a dissolved group); returns how many.</summary>
    Task<int> RemoveConversationReferencesAsync(string conversationId, CancellationToken ct = default);

    /// <summary>The distinct conversations with a message referring to the file, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<string>> GetReferencingConversationsAsync(string fileId, int limit, CancellationToken ct = default);

    /// <summary>The user's avatar file, or null.</summary>
    Task<StoredFile?> GetAvatarAsync(long userId, CancellationToken ct = default);

    /// <summary>Sets (a file id) or clears (null) the user's avatar. False when the file does not exist.</summary>
    Task<bool> SetAvatarAsync(long userId, string? fileId, CancellationToken ct = default);

    /// <summary>
    /// Records created before <paramref name="createdBefore"/> that no message refers to and that are nobody's
    /// avatar, oldest first, at most <paramref name="limit"/>.
    /// </summary>
    Task<IReadOnlyList<StoredFile>> GetOrphansAsync(DateTimeOffset createdBefore, int limit, CancellationToken ct = default);

    /// <summary>
    /// Deletes the record if, at that moment, it is still an orphan created before <paramref name="createdBefore"/>
    /// (checked and deleted atomically, so a reference added meanwhile keeps it). True when deleted.
    /// </summary>
    Task<bool> DeleteIfOrphanAsync(string fileId, DateTimeOffset createdBefore, CancellationToken ct = default);

    /// <summary>True while any record points at the blob <paramref name="sha256"/>.</summary>
    Task<bool> IsBlobReferencedAsync(string sha256, CancellationToken ct = default);
}
