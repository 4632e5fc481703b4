using System.Text;

namespace Parley.Core.Files;

/// <summary>What a content type or a file's first bytes say it is, coarsely.</summary>
public enum MediaFamily
{
    /// <summary>Nothing recognisable (plain data, or a format without a signature).</summary>
    Unknown,
    /// <summary>A raster image browsers render (PNG, JPEG, GIF, WebP, BMP, AVIF, HEIC).</summary>
    Image,
    /// <summary>An audio-only format (MP3, AAC, WAV, FLAC, M4A).</summary>
    Audio,
    /// <summary>A video-only format (QuickTime, AVI, 3GP).</summary>
    Video,
    /// <summary>A container that holds audio or video (MP4, WebM/Matroska, Ogg).</summary>
    AudioOrVideo,
    /// <summary>SVG: an image format that can carry scripts.</summary>
    Svg,
    /// <summary>HTML and other active markup.</summary>
    Markup,
    /// <summary>PDF.</summary>
    Document,
    /// <summary>ZIP (and the office formats built on it), gzip, 7z, RAR.</summary>
    Archive,
    /// <summary>Windows PE, ELF, Mach-O, scripts with a <c>#!</c> line.</summary>
    Executable,
    /// <summary>Claimed text (<c>text/*</c>, JSON, XML) with no more specific family.</summary>
    Text,
}

/// <summary>The result of sniffing: a media type (null when unknown) and its family.</summary>
/// <param name="AudioType">For <see cref="MediaFamily.AudioOrVideo"/> containers, the type to serve audio with.</param>
public readonly record struct Sniffed(string? MediaType, MediaFamily Family, string? AudioType = null)
{
    public static readonly Sniffed Unknown = new(null, MediaFamily.Unknown);
}

/// <summary>
/// Recognises formats by their magic numbers. Pure and allocation-light: it looks only at the first
/// <see cref="WindowBytes"/> bytes, which the upload path reads before anything is stored.
/// </summary>
public static class ContentSniffer
{
    /// <summary>How many leading bytes <see cref="Sniff"/> needs to see (fewer is fine for short files).</summary>
    public const int WindowBytes = 4096;

    public static Sniffed Sniff(ReadOnlySpan<byte> head)
    {
        if (head.IsEmpty) return Sniffed.Unknown;

        if (Has(head, [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A])) return new("image/png", MediaFamily.Image);
        if (Has(head, [0xFF, 0xD8, 0xFF])) return new("image/jpeg", MediaFamily.Image);
        if (head.StartsWith("GIF87a"u8) || head.StartsWith("GIF89a"u8)) return new("image/gif", MediaFamily.Image);
        if (head.Length >= 12 && head.StartsWith("RIFF"u8))
        {
            var form = head.Slice(8, 4);
            if (form.SequenceEqual("WEBP"u8)) return new("image/webp", MediaFamily.Image);
            if (form.SequenceEqual("WAVE"u8)) return new("audio/wav", MediaFamily.Audio);
            if (form.SequenceEqual("AVI "u8)) return new("video/x-msvideo", MediaFamily.Video);
            return Sniffed.Unknown;
        }
        // BMP: "BM", then the file size, then two reserved words that are zero.
        if (head.Length >= 14 && head.StartsWith("BM"u8) && head[6] == 0 && head[7] == 0 && head[8] == 0 && head[9] == 0)
            return new("image/bmp", MediaFamily.Image);

        if (head.Length >= 12 && head.Slice(4, 4).SequenceEqual("ftyp"u8)) return IsoMedia(head.Slice(8, 4));
        if (Has(head, [0x1A, 0x45, 0xDF, 0xA3]))
        {
            return head.IndexOf("webm"u8) >= 0
                ? new("video/webm", MediaFamily.AudioOrVideo, "audio/webm")
                : new("video/x-matroska", MediaFamily.AudioOrVideo, "audio/x-matroska");
        }
        if (head.StartsWith("OggS"u8))
        {
            return head.IndexOf("theora"u8) >= 0
                ? new("video/ogg", MediaFamily.AudioOrVideo, "audio/ogg")
                : new("audio/ogg", MediaFamily.AudioOrVideo, "audio/ogg");
        }
        if (head.StartsWith("fLaC"u8)) return new("audio/flac", MediaFamily.Audio);
        if (head.StartsWith("ID3"u8)) return new("audio/mpeg", MediaFamily.Audio);
        if (head.Length >= 2 && head[0] == 0xFF)
        {
            // ADTS AAC has layer bits 00; an MPEG audio frame has a non-zero layer.
            if ((head[1] & 0xF6) == 0xF0) return new("audio/aac", MediaFamily.Audio);
            if ((head[1] & 0xE0) == 0xE0 && (head[1] & 0x06) != 0) return new("audio/mpeg", MediaFamily.Audio);
        }

        if (head.StartsWith("%PDF-"u8)) return new("application/pdf", MediaFamily.Document);
        if (head.StartsWith("PK\x03\x04"u8) || head.StartsWith("PK\x05\x06"u8)) return new("application/zip", MediaFamily.Archive);
        if (Has(head, [0x1F, 0x8B])) return new("application/gzip", MediaFamily.Archive);
        if (Has(head, [(byte)'7', (byte)'z', 0xBC, 0xAF, 0x27, 0x1C])) return new("application/x-7z-compressed", MediaFamily.Archive);
        if (head.StartsWith("Rar!\x1A\x07"u8)) return new("application/vnd.rar", MediaFamily.Archive);

        if (head.StartsWith("MZ"u8)) return new("application/vnd.microsoft.portable-executable", MediaFamily.Executable);
        if (Has(head, [0x7F, (byte)'E', (byte)'L', (byte)'F'])) return new("application/x-elf", MediaFamily.Executable);
        if (Has(head, [0xFE, 0xED, 0xFA, 0xCE]) || Has(head, [0xFE, 0xED, 0xFA, 0xCF])
            || Has(head, [0xCE, 0xFA, 0xED, 0xFE]) || Has(head, [0xCF, 0xFA, 0xED, 0xFE]))
            return new("application/x-mach-binary", MediaFamily.Executable);
        if (head.StartsWith("#!"u8)) return new("text/x-shellscript", MediaFamily.Executable);

        return SniffMarkup(head);
    }

    private static bool Has(ReadOnlySpan<byte> head, ReadOnlySpan<byte> signature) => head.StartsWith(signature);

    private static Sniffed IsoMedia(ReadOnlySpan<byte> brand)
    {
        if (brand.SequenceEqual("M4A "u8) || brand.SequenceEqual("M4B "u8) || brand.SequenceEqual("M4P "u8)) return new("audio/mp4", MediaFamily.Audio);
        if (brand.SequenceEqual("qt  "u8)) return new("video/quicktime", MediaFamily.Video);
        if (brand.SequenceEqual("avif"u8) || brand.SequenceEqual("avis"u8)) return new("image/avif", MediaFamily.Image);
        if (brand.SequenceEqual("heic"u8) || brand.SequenceEqual("heix"u8) || brand.SequenceEqual("mif1"u8) || brand.SequenceEqual("msf1"u8))
            return new("image/heic", MediaFamily.Image);
        if (brand.StartsWith("3g"u8)) return new("video/3gpp", MediaFamily.Video);
        return new("video/mp4", MediaFamily.AudioOrVideo, "audio/mp4");
    }

    /// <summary>SVG and HTML: text whose first tag (after a BOM, whitespace, an XML declaration, comments) gives it away.</summary>
    private static Sniffed SniffMarkup(ReadOnlySpan<byte> head)
    {
        if (Has(head, [0xEF, 0xBB, 0xBF])) head = head[3..];
        var text = head.Length > 1024 ? head[..1024] : head;
        Span<char> lower = stackalloc char[text.Length];
        var n = Encoding.Latin1.GetChars(text, lower);
        lower = lower[..n];
        for (var i = 0; i < lower.Length; i++) lower[i] = char.ToLowerInvariant(lower[i]);
        var trimmed = ((ReadOnlySpan<char>)lower).TrimStart();
        if (!trimmed.StartsWith("<")) return Sniffed.Unknown;
        if (trimmed.Contains("<svg", StringComparison.Ordinal) || trimmed.Contains("<!doctype svg", StringComparison.Ordinal))
            return new("image/svg+xml", MediaFamily.Svg);
        if (trimmed.StartsWith("<!doctype html") || trimmed.StartsWith("<html") || trimmed.StartsWith("<script") || trimmed.StartsWith("<head")
            || trimmed.StartsWith("<body") || trimmed.StartsWith("<iframe"))
            return new("text/html", MediaFamily.Markup);
        return Sniffed.Unknown;
    }

    /// <summary>The family a claimed media type (lower-case, no parameters) belongs to; null for "no claim" (absent or octet-stream).</summary>
    public static MediaFamily? FamilyOfClaim(string? mediaType)
    {
        if (string.IsNullOrEmpty(mediaType) || mediaType == "application/octet-stream") return null;
        if (mediaType == "image/svg+xml") return MediaFamily.Svg;
        if (mediaType.StartsWith("image/", StringComparison.Ordinal)) return MediaFamily.Image;
        if (mediaType.StartsWith("audio/", StringComparison.Ordinal)) return MediaFamily.Audio;
        if (mediaType.StartsWith("video/", StringComparison.Ordinal)) return MediaFamily.Video;
        if (mediaType is "text/html" or "application/xhtml+xml") return MediaFamily.Markup;
        if (mediaType == "application/pdf") return MediaFamily.Document;
        if (mediaType is "application/zip" or "application/x-zip-compressed" or "application/gzip" or "application/x-gzip" or "application/x-7z-compressed"
            or "application/vnd.rar" or "application/x-rar-compressed" or "application/java-archive" or "application/epub+zip"
            || mediaType.StartsWith("application/vnd.openxmlformats-officedocument.", StringComparison.Ordinal)
            || mediaType.StartsWith("application/vnd.oasis.opendocument.", StringComparison.Ordinal))
            return MediaFamily.Archive;
        if (mediaType is "application/vnd.microsoft.portable-executable" or "application/x-msdownload" or "application/x-msdos-program"
            or "application/x-dosexec" or "application/x-executable" or "application/x-elf" or "application/x-sharedlib" or "application/x-mach-binary"
            or "application/x-sh" or "text/x-shellscript")
            return MediaFamily.Executable;
        if (mediaType.StartsWith("text/", StringComparison.Ordinal) || mediaType is "application/json" or "application/xml") return MediaFamily.Text;
        return MediaFamily.Unknown;
    }
}
