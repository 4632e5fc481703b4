namespace Parley.Abstractions.Files;

/// <summary>Upload kinds. The string forms ("image", "audio", "video", "file") are what clients send and see.</summary>
public static class FileKinds
{
    /// <summary>A picture (PNG, JPEG, GIF, WebP, BMP), served inline.</summary>
    public const string Image = "image";
    /// <summary>A sound clip (MP3, Ogg, WAV, FLAC, M4A, WebM audio), served inline.</summary>
    public const string Audio = "audio";
    /// <summary>A video (MP4, QuickTime, WebM/Matroska, Ogg, AVI), served inline.</summary>
    public const string Video = "video";
    /// <summary>Any other file, served as an attachment.</summary>
    public const string File = "file";

    /// <summary>True for one of the four kinds.</summary>
    public static bool IsKnown(string? kind) => kind is Image or Audio or Video or File;
}

/// <summary>An upload's metadata. The bytes live in an <see cref="IBlobStore"/> under <see cref="Sha256"/>.</summary>
public sealed record StoredFile
{
    /// <summary>Server id (32 hex characters, time-ordered), the one in <c>/api/files/{id}</c>.</summary>
    public required string Id { get; init; }
    /// <summary>The uploader's user id.</summary>
    public long OwnerId { get; init; }
    /// <summary>One of <see cref="FileKinds"/>.</summary>
    public required string Kind { get; init; }
    /// <summary>File name shown to users and offered on download (sanitised, no path).</summary>
    public required string Name { get; init; }
    /// <summary>Media type the bytes are served with (checked against the content when sniffable).</summary>
    public required string ContentType { get; init; }
    /// <summary>Length in bytes.</summary>
    public long Size { get; init; }
    /// <summary>Lower-case hex SHA-256 of the content: the blob's address.</summary>
    public required string Sha256 { get; init; }
    /// <summary>Upload time.</summary>
    public DateTimeOffset CreatedAt { get; init; }
}
