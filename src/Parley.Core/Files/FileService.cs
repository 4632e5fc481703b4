using Microsoft.Extensions.Logging;
using Parley.Abstractions;
using Parley.Abstractions.Files;
using Parley.Abstractions.Stores;
using Parley.Core.Messaging;
using Parley.Core.Options;

namespace Parley.Core.Files;

/// <summary>
/// Uploads (sniffed, size-limited, streamed into the blob store, de-duplicated by content), who may read them,
/// avatars, and the orphan sweep. Front ends hand it a stream; it never holds a whole upload in memory.
/// </summary>
public sealed partial class FileService(IBlobStore blobs, IFileStore files, ConversationAccess access, FilesOptions options, TimeProvider time,
    ILogger<FileService> logger)
{
    private const int MaxReferencingConversations = 64;
    private readonly HashGate _gate = new();

    public FilesOptions Options => options;
    public IBlobStore Blobs => blobs;

    /// <summary>The size limit of an upload kind (image, audio, video, file, avatar); 0 for an unknown kind.</summary>
    public long LimitFor(string? kind) => kind is null ? 0 : options.LimitFor(kind);

    /// <summary>
    /// Stores an upload. <paramref name="kind"/> is image, audio, video, file or avatar (stored as an image);
    /// <paramref name="claimedType"/> is the client's Content-Type. Throws <see cref="ParleyException"/>: 400 (bad
    /// kind, type syntax or an empty body), 413 (over the kind's limit: reading stops there), 415 (type not allowed
    /// for the kind, or the content contradicts the claim).
    /// </summary>
    public async Task<StoredFile> UploadAsync(long ownerId, string? kind, Stream content, string? claimedType, string? name, CancellationToken ct)
    {
        var limit = LimitFor(kind);
        if (limit == 0) throw ParleyException.Invalid("kind", "kind must be image, audio, video or file");
        var claim = NormalizeMediaType(claimedType);

        var head = new byte[ContentSniffer.WindowBytes];
        var n = await content.ReadAtMostAsync(head, ct);
        if (n == 0) throw ParleyException.Invalid("file", "the file is empty");
        if (n > limit) throw TooLarge(kind!, limit);
        var decision = UploadPolicy.Decide(kind!, claim, ContentSniffer.Sniff(head.AsSpan(0, n)));
        if (!decision.Allowed)
        {
            FileLog.Refused(logger, ownerId, kind!, claim ?? "(none)", decision.Error!);
            throw new ParleyException(ParleyErrorKind.UnsupportedMediaType, ErrorCodes.UnsupportedMediaType, decision.Error!);
        }

        IStagedBlob staged;
        try
        {
            staged = await blobs.StageAsync(new UploadStream(head.AsMemory(0, n), content, limit), ct);
        }
        catch (UploadTooLargeException)
        {
            throw TooLarge(kind!, limit);
        }
        await using (staged)
        {
            var file = new StoredFile
            {
                Id = Guid.CreateVersion7().ToString("N"),
                OwnerId = ownerId,
                Kind = kind == UploadPolicy.Avatar ? FileKinds.Image : kind!,
                Name = FileNames.Sanitize(name, kind!, decision.ContentType!),
                ContentType = decision.ContentType!,
                Size = staged.Size,
                Sha256 = staged.Sha256,
                CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(time.GetUtcNow().ToUnixTimeMilliseconds()), // what storage keeps
            };
            bool created;
            using (await _gate.LockAsync(staged.Sha256, ct))
            {
                created = await staged.CommitAsync(ct);
                await files.CreateAsync(file, ct);
            }
            FileLog.Stored(logger, file.Id, ownerId, file.Kind, file.Size, file.ContentType, created);
            return file;
        }
    }

    private static ParleyException TooLarge(string kind, long limit) =>
        new(ParleyErrorKind.TooLarge, ErrorCodes.TooLarge, $"a {kind} upload may be at most {limit} bytes");

    /// <summary>"Image/PNG; q=1" → "image/png"; null when absent; 400 when it is not a media type.</summary>
    public static string? NormalizeMediaType(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        var semicolon = value.IndexOf(';');
        var type = (semicolon >= 0 ? value[..semicolon] : value).Trim().ToLowerInvariant();
        var slash = type.IndexOf('/');
        if (type.Length > 127 || slash <= 0 || slash == type.Length - 1 || type.IndexOf('/', slash + 1) >= 0
            || !type.All(c => char.IsAsciiLetterOrDigit(c) || c is '/' or '!' or '#' or '$' or '&' or '^' or '_' or '.' or '+' or '-'))
            throw ParleyException.Invalid("contentType", "not a media type (type/subtype)");
        return type;
    }

    /// <summary>The file if it exists and the user may read it; null otherwise (unknown and forbidden look the same).</summary>
    public async Task<StoredFile?> GetReadableAsync(long userId, string? fileId, CancellationToken ct)
    {
        if (!IsFileId(fileId)) return null;
        var file = await files.GetAsync(fileId!, ct);
        return file is not null && await CanReadAsync(userId, file, ct) ? file : null;
    }

    /// <summary>
    /// The uploader, and anyone who can currently read a conversation with a message referring to the file
    /// (participants of a direct conversation, current members of a live group).
    /// </summary>
    public async Task<bool> CanReadAsync(long userId, StoredFile file, CancellationToken ct)
    {
        if (file.OwnerId == userId) return true;
        foreach (var conversation in await files.GetReferencingConversationsAsync(file.Id, MaxReferencingConversations, ct))
        {
            if ((await access.CheckReadAsync(userId, conversation, ct)).Ok) return true;
        }
        return false;
    }

    /// <summary>File ids are 32 lower-case hex characters; anything else is unknown without a lookup.</summary>
    public static bool IsFileId(string? id) => id is { Length: 32 } && id.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f');

    /// <summary>Opens the bytes of a file (a range of them), or null when the blob is missing.</summary>
    public Task<Stream?> OpenAsync(StoredFile file, long offset, long? length, CancellationToken ct) =>
        blobs.OpenReadAsync(file.Sha256, offset, length, ct);

    /// <summary>Stores an uploaded image as the user's avatar (the previous one becomes an orphan unless referenced).</summary>
    public async Task<StoredFile> SetAvatarAsync(long userId, Stream content, string? claimedType, string? name, CancellationToken ct)
    {
        var file = await UploadAsync(userId, UploadPolicy.Avatar, content, claimedType, name, ct);
        if (!await files.SetAvatarAsync(userId, file.Id, ct)) throw new InvalidOperationException("the avatar file vanished");
        return file;
    }

    public Task ClearAvatarAsync(long userId, CancellationToken ct) => files.SetAvatarAsync(userId, null, ct);

    public Task<StoredFile?> GetAvatarAsync(long userId, CancellationToken ct) => files.GetAvatarAsync(userId, ct);

    /// <summary>
    /// Deletes uploads created before <paramref name="createdBefore"/> that no message refers to and that are
    /// nobody's avatar, and each blob no record points at any more. Returns how many records went.
    /// </summary>
    public async Task<int> SweepOrphansAsync(DateTimeOffset createdBefore, CancellationToken ct)
    {
        const int Batch = 200;
        var deleted = 0;
        while (true)
        {
            var orphans = await files.GetOrphansAsync(createdBefore, Batch, ct);
            var round = 0;
            foreach (var file in orphans)
            {
                if (!await files.DeleteIfOrphanAsync(file.Id, createdBefore, ct)) continue;
                round++;
                using (await _gate.LockAsync(file.Sha256, ct))
                {
                    if (!await files.IsBlobReferencedAsync(file.Sha256, ct)) await blobs.DeleteAsync(file.Sha256, ct);
                }
            }
            deleted += round;
            if (orphans.Count < Batch || round == 0) break;
        }
        if (deleted > 0) FileLog.Swept(logger, deleted);
        return deleted;
    }
}
