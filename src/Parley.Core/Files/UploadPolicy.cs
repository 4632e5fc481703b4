using Parley.Abstractions.Files;

namespace Parley.Core.Files;

/// <summary>The outcome of checking an upload's claimed type against its content.</summary>
public readonly record struct UploadDecision(string? ContentType, string? Error)
{
    public bool Allowed => Error is null;
}

/// <summary>
/// Which content each upload kind accepts and which type it is served with. Inline kinds (image, audio, video)
/// are served with the type the content proves, never with the client's claim; <c>file</c> keeps the claim
/// unless the content contradicts it, and is always served as an attachment.
/// </summary>
public static class UploadPolicy
{
    public const string Avatar = "avatar";

    /// <param name="kind">image, audio, video, file or avatar.</param>
    /// <param name="claimed">The client's media type, lower-case without parameters, or null.</param>
    /// <param name="sniffed">What <see cref="ContentSniffer"/> found.</param>
    public static UploadDecision Decide(string kind, string? claimed, Sniffed sniffed)
    {
        var claim = ContentSniffer.FamilyOfClaim(claimed);
        switch (kind)
        {
            case FileKinds.Image or Avatar:
                if (sniffed.Family == MediaFamily.Svg || claim == MediaFamily.Svg)
                    return Deny("SVG can carry scripts and is never served as an image: upload it with kind=file");
                if (claim is { } c && c != MediaFamily.Image) return Deny($"{claimed} is not an image type");
                if (sniffed.Family != MediaFamily.Image) return Deny(Contradiction(sniffed, claimed, "a supported image (PNG, JPEG, GIF, WebP, BMP, AVIF, HEIC)"));
                return new(sniffed.MediaType, null);

            case FileKinds.Audio:
                if (claim is { } a && a != MediaFamily.Audio) return Deny($"{claimed} is not an audio type");
                return sniffed.Family switch
                {
                    MediaFamily.Audio => new(sniffed.MediaType, null),
                    MediaFamily.AudioOrVideo => new(sniffed.AudioType, null),
                    _ => Deny(Contradiction(sniffed, claimed, "supported audio (MP3, AAC, M4A, Ogg, Opus, WAV, FLAC, WebM)")),
                };

            case FileKinds.Video:
                if (claim is { } v && v != MediaFamily.Video) return Deny($"{claimed} is not a video type");
                return sniffed.Family is MediaFamily.Video or MediaFamily.AudioOrVideo
                    ? new(sniffed.MediaType, null)
                    : Deny(Contradiction(sniffed, claimed, "a supported video (MP4, QuickTime, WebM, Matroska, Ogg, AVI, 3GP)"));

            case FileKinds.File:
                if (claim is { } f && sniffed.Family != MediaFamily.Unknown && !Compatible(f, sniffed.Family))
                    return Deny($"the content is {sniffed.MediaType}, which contradicts the claimed {claimed}");
                return new(claimed is null || claimed == "application/octet-stream" ? sniffed.MediaType ?? "application/octet-stream" : claimed, null);

            default:
                return Deny("kind must be image, audio, video or file");
        }
    }

    private static UploadDecision Deny(string error) => new(null, error);

    private static string Contradiction(Sniffed sniffed, string? claimed, string expected) =>
        sniffed.MediaType is null
            ? $"the content is not {expected}"
            : $"the content is {sniffed.MediaType}, not {(claimed is null ? expected : claimed)}";

    private static bool Compatible(MediaFamily claim, MediaFamily content) => claim switch
    {
        _ when claim == content => true,
        MediaFamily.Unknown => content is not (MediaFamily.Executable or MediaFamily.Markup or MediaFamily.Svg),
        MediaFamily.Audio or MediaFamily.Video => content == MediaFamily.AudioOrVideo,
        MediaFamily.Text => content is MediaFamily.Svg or MediaFamily.Markup,
        MediaFamily.Markup => content == MediaFamily.Svg,
        _ => false,
    };
}
