using System.Text;

namespace Parley.Core.Files;

/// <summary>Turns a client-supplied file name into one safe to store and offer on download.</summary>
public static class FileNames
{
    public const int MaxLength = 255;

    /// <summary>
    /// The last path segment, without control or bidirectional-override characters, trimmed and at most
    /// <see cref="MaxLength"/> characters (keeping the extension); a default from the kind and type when nothing is left.
    /// </summary>
    public static string Sanitize(string? name, string kind, string contentType)
    {
        var value = name ?? "";
        var slash = value.LastIndexOfAny(['/', '\\']);
        if (slash >= 0) value = value[(slash + 1)..];
        var clean = new StringBuilder(value.Length);
        foreach (var rune in value.EnumerateRunes())
        {
            if (Rune.IsControl(rune) || IsInvisibleFormatting(rune.Value) || rune.Value == '"') continue;
            clean.Append(rune.ToString());
        }
        var result = clean.ToString().Trim().Trim('.').Trim();
        if (result.Length == 0) return (kind == UploadPolicy.Avatar ? "avatar" : kind) + ExtensionFor(contentType);
        if (result.Length <= MaxLength) return result;
        var dot = result.LastIndexOf('.');
        var extension = dot > 0 && result.Length - dot <= 16 ? result[dot..] : "";
        var stem = result[..(MaxLength - extension.Length)];
        // never cut a surrogate pair in half
        if (char.IsHighSurrogate(stem[^1])) stem = stem[..^1];
        return stem + extension;
    }

    // Bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069) let "exe.jpg" display as "gpj.exe".
    private static bool IsInvisibleFormatting(int c) => c is >= 0x202A and <= 0x202E or >= 0x2066 and <= 0x2069 or 0x200E or 0x200F or 0xFEFF;

    public static string ExtensionFor(string contentType) => contentType switch
    {
        "image/png" => ".png",
        "image/jpeg" => ".jpg",
        "image/gif" => ".gif",
        "image/webp" => ".webp",
        "image/bmp" => ".bmp",
        "image/avif" => ".avif",
        "image/heic" => ".heic",
        "audio/mpeg" => ".mp3",
        "audio/aac" => ".aac",
        "audio/mp4" => ".m4a",
        "audio/ogg" => ".ogg",
        "audio/wav" => ".wav",
        "audio/flac" => ".flac",
        "audio/webm" => ".weba",
        "video/mp4" => ".mp4",
        "video/webm" => ".webm",
        "video/ogg" => ".ogv",
        "video/quicktime" => ".mov",
        "video/x-matroska" => ".mkv",
        "video/x-msvideo" => ".avi",
        "video/3gpp" => ".3gp",
        "application/pdf" => ".pdf",
        "application/zip" => ".zip",
        "text/plain" => ".txt",
        _ => "",
    };
}
