using Parley.Core.Files;

namespace Parley.Core.Tests;

/// <summary>Magic numbers, what each upload kind accepts, and file names.</summary>
public sealed class FileRulesTests
{
    public static byte[] Png => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, (byte)'I', (byte)'H', (byte)'D', (byte)'R'];
    public static byte[] Jpeg => [0xFF, 0xD8, 0xFF, 0xE0, 0, 16, (byte)'J', (byte)'F', (byte)'I', (byte)'F', 0];
    public static byte[] WindowsExe => [(byte)'M', (byte)'Z', 0x90, 0, 3, 0, 0, 0, 4, 0, 0, 0, 0xFF, 0xFF];
    public static byte[] Mp4 => [0, 0, 0, 0x18, (byte)'f', (byte)'t', (byte)'y', (byte)'p', (byte)'i', (byte)'s', (byte)'o', (byte)'m', 0, 0, 2, 0];
    public static byte[] WebM => [0x1A, 0x45, 0xDF, 0xA3, 0x9F, 0x42, 0x86, 0x81, 0x01, 0x42, 0x82, 0x84, (byte)'w', (byte)'e', (byte)'b', (byte)'m'];

    private static byte[] Ascii(string s) => System.Text.Encoding.Latin1.GetBytes(s);

    public static TheoryData<byte[], string?, MediaFamily> Signatures() => new()
    {
        { Png, "image/png", MediaFamily.Image },
        { Jpeg, "image/jpeg", MediaFamily.Image },
        { Ascii("GIF89a\x01\x00\x01\x00"), "image/gif", MediaFamily.Image },
        { Ascii("RIFF\x10\x00\x00\x00WEBPVP8 "), "image/webp", MediaFamily.Image },
        { [(byte)'B', (byte)'M', 0x46, 0, 0, 0, 0, 0, 0, 0, 0x36, 0, 0, 0], "image/bmp", MediaFamily.Image },
        { [0, 0, 0, 0x1C, (byte)'f', (byte)'t', (byte)'y', (byte)'p', (byte)'a', (byte)'v', (byte)'i', (byte)'f'], "image/avif", MediaFamily.Image },
        { Ascii("ID3\x04\x00\x00\x00\x00\x00\x00"), "audio/mpeg", MediaFamily.Audio },
        { [0xFF, 0xFB, 0x90, 0x64], "audio/mpeg", MediaFamily.Audio },
        { [0xFF, 0xF1, 0x50, 0x80], "audio/aac", MediaFamily.Audio },
        { Ascii("RIFF\x24\x00\x00\x00WAVEfmt "), "audio/wav", MediaFamily.Audio },
        { Ascii("fLaC\x00\x00\x00\x22"), "audio/flac", MediaFamily.Audio },
        { [0, 0, 0, 0x20, (byte)'f', (byte)'t', (byte)'y', (byte)'p', (byte)'M', (byte)'4', (byte)'A', (byte)' '], "audio/mp4", MediaFamily.Audio },
        { Ascii("OggS\x00\x02\x00\x00\x00\x00\x00\x00\x00\x00OpusHead"), "audio/ogg", MediaFamily.AudioOrVideo },
        { Ascii("OggS\x00\x02\x00\x00\x00\x00\x00\x00\x00\x00\x80theora"), "video/ogg", MediaFamily.AudioOrVideo },
        { Mp4, "video/mp4", MediaFamily.AudioOrVideo },
        { WebM, "video/webm", MediaFamily.AudioOrVideo },
        { [0x1A, 0x45, 0xDF, 0xA3, 0x9F, 0x42, 0x86, 0x81, 0x01, 0x42, 0x82, 0x88, (byte)'m', (byte)'a', (byte)'t', (byte)'r'], "video/x-matroska", MediaFamily.AudioOrVideo },
        { [0, 0, 0, 0x14, (byte)'f', (byte)'t', (byte)'y', (byte)'p', (byte)'q', (byte)'t', (byte)' ', (byte)' '], "video/quicktime", MediaFamily.Video },
        { [.. Ascii("RIFF"), 0x24, 0, 0, 0, .. Ascii("AVI LIST")], "video/x-msvideo", MediaFamily.Video },
        { Ascii("%PDF-1.7\n"), "application/pdf", MediaFamily.Document },
        { Ascii("PK\x03\x04\x14\x00"), "application/zip", MediaFamily.Archive },
        { [0x1F, 0x8B, 0x08, 0], "application/gzip", MediaFamily.Archive },
        { WindowsExe, "application/vnd.microsoft.portable-executable", MediaFamily.Executable },
        { [0x7F, (byte)'E', (byte)'L', (byte)'F', 2, 1, 1], "application/x-elf", MediaFamily.Executable },
        { [0xCF, 0xFA, 0xED, 0xFE, 7, 0, 0, 1], "application/x-mach-binary", MediaFamily.Executable },
        { Ascii("#!/bin/sh\nrm -rf /\n"), "text/x-shellscript", MediaFamily.Executable },
        { Ascii("<?xml version=\"1.0\"?>\n<!-- x -->\n<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>"), "image/svg+xml", MediaFamily.Svg },
        { [0xEF, 0xBB, 0xBF, .. Ascii("  <SVG onload=alert(1)>")], "image/svg+xml", MediaFamily.Svg },
        { Ascii("<!DOCTYPE html><html><script>alert(1)</script>"), "text/html", MediaFamily.Markup },
        { Ascii("hello, plain text"), null, MediaFamily.Unknown },
        { [], null, MediaFamily.Unknown },
        { [0xFF], null, MediaFamily.Unknown },
        { Ascii("RIFF\x10\x00\x00\x00XXXX"), null, MediaFamily.Unknown },
    };

    [Theory]
    [MemberData(nameof(Signatures))]
    public void Formats_are_recognised_by_their_magic_numbers(byte[] head, string? type, MediaFamily family)
    {
        var sniffed = ContentSniffer.Sniff(head);
        Assert.Equal((type, family), (sniffed.MediaType, sniffed.Family));
    }

    [Fact]
    public void Truncated_signatures_never_throw()
    {
        foreach (var sample in Signatures())
        {
            var head = (byte[])sample[0];
            for (var n = 0; n <= head.Length; n++) _ = ContentSniffer.Sniff(head.AsSpan(0, n));
        }
        var random = new Random(42);
        var buffer = new byte[64];
        for (var i = 0; i < 10_000; i++)
        {
            random.NextBytes(buffer);
            _ = ContentSniffer.Sniff(buffer.AsSpan(0, random.Next(buffer.Length)));
        }
    }

    [Theory]
    // inline kinds: the type comes from the content, never from the claim
    [InlineData("image", "image/png", "png", "image/png")]
    [InlineData("image", null, "png", "image/png")]
    [InlineData("image", "application/octet-stream", "jpeg", "image/jpeg")]
    [InlineData("image", "image/png", "jpeg", "image/jpeg")]
    [InlineData("avatar", "image/jpeg", "jpeg", "image/jpeg")]
    [InlineData("audio", "audio/webm", "webm", "audio/webm")]
    [InlineData("audio", "audio/mp4", "mp4", "audio/mp4")]
    [InlineData("audio", null, "mp3", "audio/mpeg")]
    [InlineData("video", "video/mp4", "mp4", "video/mp4")]
    [InlineData("video", "video/mp4", "webm", "video/webm")]
    // file: the claim stands unless the content contradicts it
    [InlineData("file", "application/pdf", "pdf", "application/pdf")]
    [InlineData("file", null, "pdf", "application/pdf")]
    [InlineData("file", null, "text", "application/octet-stream")]
    [InlineData("file", "text/plain", "text", "text/plain")]
    [InlineData("file", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "zip", "application/vnd.openxmlformats-officedocument.wordprocessingml.document")]
    [InlineData("file", "application/x-msdownload", "exe", "application/x-msdownload")]
    [InlineData("file", null, "exe", "application/vnd.microsoft.portable-executable")]
    [InlineData("file", "image/svg+xml", "svg", "image/svg+xml")]
    [InlineData("file", "video/mp4", "mp4", "video/mp4")]
    public void Allowed_uploads_get_their_serving_type(string kind, string? claimed, string content, string expected)
    {
        var decision = UploadPolicy.Decide(kind, claimed, ContentSniffer.Sniff(Sample(content)));
        Assert.True(decision.Allowed, decision.Error);
        Assert.Equal(expected, decision.ContentType);
    }

    [Theory]
    [InlineData("image", "image/png", "exe", "the content is application/vnd.microsoft.portable-executable, not image/png")]
    [InlineData("image", null, "exe", "not a supported image")]
    [InlineData("image", "image/png", "text", "the content is not a supported image")]
    [InlineData("image", "image/svg+xml", "svg", "SVG can carry scripts")]
    [InlineData("image", "image/png", "svg", "SVG can carry scripts")]
    [InlineData("image", "application/pdf", "png", "application/pdf is not an image type")]
    [InlineData("avatar", "image/gif", "html", "the content is text/html, not image/gif")]
    [InlineData("audio", "audio/mpeg", "png", "the content is image/png, not audio/mpeg")]
    [InlineData("audio", "video/mp4", "mp4", "video/mp4 is not an audio type")]
    [InlineData("video", "video/mp4", "mp3", "the content is audio/mpeg, not video/mp4")]
    [InlineData("video", null, "exe", "not a supported video")]
    [InlineData("file", "application/pdf", "exe", "the content is application/vnd.microsoft.portable-executable, which contradicts the claimed application/pdf")]
    [InlineData("file", "text/plain", "elf", "contradicts the claimed text/plain")]
    [InlineData("file", "image/png", "pdf", "contradicts the claimed image/png")]
    [InlineData("file", "application/x-unknown", "exe", "contradicts the claimed application/x-unknown")]
    [InlineData("sticker", null, "png", "kind must be")]
    public void Refused_uploads_say_why(string kind, string? claimed, string content, string reason)
    {
        var decision = UploadPolicy.Decide(kind, claimed, ContentSniffer.Sniff(Sample(content)));
        Assert.False(decision.Allowed);
        Assert.Contains(reason, decision.Error);
    }

    private static byte[] Sample(string name) => name switch
    {
        "png" => Png,
        "jpeg" => Jpeg,
        "exe" => WindowsExe,
        "elf" => [0x7F, (byte)'E', (byte)'L', (byte)'F', 2, 1, 1],
        "mp4" => Mp4,
        "webm" => WebM,
        "mp3" => Ascii("ID3\x04\x00\x00"),
        "pdf" => Ascii("%PDF-1.4"),
        "zip" => Ascii("PK\x03\x04"),
        "svg" => Ascii("<svg xmlns=\"http://www.w3.org/2000/svg\"/>"),
        "html" => Ascii("<html><script>x</script>"),
        _ => Ascii("just some text"),
    };

    [Theory]
    [InlineData("photo.png", "photo.png")]
    [InlineData("C:\\Users\\me\\secret\\photo.png", "photo.png")]
    [InlineData("../../etc/passwd", "passwd")]
    [InlineData("  spaced name.pdf  ", "spaced name.pdf")]
    [InlineData("evil\u202Egnp.exe", "evilgnp.exe")]
    [InlineData("line\r\nbreak\0.txt", "linebreak.txt")]
    [InlineData("quote\".txt", "quote.txt")]
    [InlineData("日本語のファイル.pdf", "日本語のファイル.pdf")]
    [InlineData("..", "image.png")]
    [InlineData("", "image.png")]
    [InlineData(null, "image.png")]
    public void File_names_are_made_safe(string? name, string expected) =>
        Assert.Equal(expected, FileNames.Sanitize(name, "image", "image/png"));

    [Fact]
    public void Long_file_names_are_cut_keeping_the_extension_and_whole_characters()
    {
        var name = FileNames.Sanitize(new string('a', 300) + ".jpeg", "image", "image/jpeg");
        Assert.Equal(FileNames.MaxLength, name.Length);
        Assert.EndsWith("a.jpeg", name);
        var emoji = FileNames.Sanitize(string.Concat(Enumerable.Repeat("😀", 200)), "file", "application/octet-stream");
        Assert.True(emoji.Length <= FileNames.MaxLength);
        Assert.False(char.IsHighSurrogate(emoji[^1]));
        Assert.Equal("avatar.jpg", FileNames.Sanitize(null, UploadPolicy.Avatar, "image/jpeg"));
        Assert.Equal("file", FileNames.Sanitize(null, "file", "application/x-whatever"));
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData("", null)]
    [InlineData("image/PNG", "image/png")]
    [InlineData(" audio/webm;codecs=opus ", "audio/webm")]
    [InlineData("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "application/vnd.openxmlformats-officedocument.wordprocessingml.document")]
    public void Claimed_types_are_normalised(string? claimed, string? expected) => Assert.Equal(expected, FileService.NormalizeMediaType(claimed));

    [Theory]
    [InlineData("png")]
    [InlineData("image/")]
    [InlineData("/png")]
    [InlineData("image/png/x")]
    [InlineData("image/p ng")]
    [InlineData("image/<script>")]
    public void Malformed_types_are_refused(string claimed)
    {
        var error = Assert.Throws<ParleyException>(() => FileService.NormalizeMediaType(claimed));
        Assert.Equal(ParleyErrorKind.Validation, error.Kind);
    }
}
