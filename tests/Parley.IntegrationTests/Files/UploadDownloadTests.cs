using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using Parley.IntegrationTests.Infrastructure;
using static Parley.IntegrationTests.Files.Uploads;

namespace Parley.IntegrationTests.Files;

[Collection(FileCollection.Name)]
public sealed class UploadDownloadTests(FileFixture fixture)
{
    private ParleyTestServer Server => fixture.Server;

    public static TheoryData<string, byte[], string?, string, string, string> Kinds() => new()
    {
        // kind, bytes, claimed type, file name, stored type, disposition
        { "image", Png, "image/png", "cat.png", "image/png", "inline" },
        { "image", Jpeg, "image/png", "wrong-extension.png", "image/jpeg", "inline" },
        { "audio", Mp3, "audio/mpeg", "song.mp3", "audio/mpeg", "inline" },
        { "video", Mp4, "video/mp4", "clip.mp4", "video/mp4", "inline" },
        { "file", Pdf, "application/pdf", "report.pdf", "application/pdf", "attachment" },
        { "file", Svg, "image/svg+xml", "drawing.svg", "image/svg+xml", "attachment" },
    };

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Each_kind_uploads_by_multipart_and_downloads_with_its_headers(string kind, byte[] bytes, string? claimed, string name, string stored, string disposition)
    {
        var alice = await fixture.UserAsync("alice");
        using var http = Server.CreateHttpClient(alice.Token);
        var dto = await UploadAsync(http, kind, bytes, claimed, name);

        var id = dto.GetProperty("id").GetString()!;
        var sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
        Assert.Equal((kind, name, (long)bytes.Length, stored, sha, $"/api/files/{id}"),
            (dto.GetProperty("kind").GetString(), dto.GetProperty("name").GetString(), dto.GetProperty("size").GetInt64(),
             dto.GetProperty("contentType").GetString(), dto.GetProperty("sha256").GetString(), dto.GetProperty("url").GetString()));
        Assert.True(dto.GetProperty("createdAt").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(-5));

        using var response = await GetAsync(http, dto.GetProperty("url").GetString()!.TrimStart('/'));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(bytes, await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(stored, response.Content.Headers.ContentType!.MediaType);
        Assert.Equal(bytes.Length, response.Content.Headers.ContentLength);
        Assert.Equal($"\"{sha}\"", response.Headers.ETag!.Tag);
        Assert.False(response.Headers.ETag.IsWeak);
        Assert.Equal("bytes", response.Headers.AcceptRanges.Single());
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal(disposition, response.Content.Headers.ContentDisposition!.DispositionType);
        Assert.Equal(name, response.Content.Headers.ContentDisposition.FileNameStar);
        Assert.Equal(disposition == "attachment", response.Headers.Contains("Content-Security-Policy"));
        Assert.NotNull(response.Content.Headers.LastModified);
    }

    [Fact]
    public async Task A_raw_body_upload_takes_its_type_from_content_type_and_its_name_from_the_query()
    {
        var alice = await fixture.UserAsync("alice");
        using var http = Server.CreateHttpClient(alice.Token);
        var (status, dto) = await SendAsync(http, HttpMethod.Post, "api/files?kind=audio&name=" + Uri.EscapeDataString("voice note ☺.mp3"), Raw(Mp3, "audio/mpeg"));
        Assert.Equal(HttpStatusCode.Created, status);
        Assert.Equal(("voice note ☺.mp3", "audio/mpeg"), (dto.GetProperty("name").GetString(), dto.GetProperty("contentType").GetString()));

        var (_, unnamed) = await SendAsync(http, HttpMethod.Post, "api/files?kind=video", Raw(Mp4, null));
        Assert.Equal(("video.mp4", "video/mp4"), (unnamed.GetProperty("name").GetString(), unnamed.GetProperty("contentType").GetString()));

        using var response = await GetAsync(http, $"api/files/{dto.GetProperty("id").GetString()}");
        Assert.Equal(Mp3, await response.Content.ReadAsByteArrayAsync());
        Assert.Equal("voice note ☺.mp3", response.Content.Headers.ContentDisposition!.FileNameStar);
    }

    [Fact]
    public async Task Head_answers_the_headers_without_the_body()
    {
        var alice = await fixture.UserAsync("alice");
        using var http = Server.CreateHttpClient(alice.Token);
        var dto = await UploadAsync(http, "video", Mp4, "video/mp4", "clip.mp4");
        using var head = await GetAsync(http, $"api/files/{dto.GetProperty("id").GetString()}", method: HttpMethod.Head);
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(Mp4.Length, head.Content.Headers.ContentLength);
        Assert.Equal("video/mp4", head.Content.Headers.ContentType!.MediaType);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Byte_ranges_let_a_player_seek()
    {
        var alice = await fixture.UserAsync("alice");
        using var http = Server.CreateHttpClient(alice.Token);
        var path = $"api/files/{(await UploadAsync(http, "video", Mp4, "video/mp4", "clip.mp4")).GetProperty("id").GetString()}";
        var size = Mp4.Length;

        async Task<(HttpStatusCode, byte[], ContentRangeHeaderValue?)> Range(string range, Action<HttpRequestMessage>? more = null)
        {
            using var response = await GetAsync(http, path, r => { r.Headers.TryAddWithoutValidation("Range", range); more?.Invoke(r); });
            return (response.StatusCode, await response.Content.ReadAsByteArrayAsync(), response.Content.Headers.ContentRange);
        }

        var (status, body, contentRange) = await Range("bytes=0-99");
        Assert.Equal((HttpStatusCode.PartialContent, 0L, 99L, (long)size), (status, contentRange!.From!.Value, contentRange.To!.Value, contentRange.Length!.Value));
        Assert.Equal(Mp4[..100], body);

        (status, body, _) = await Range("bytes=10000-");
        Assert.Equal(HttpStatusCode.PartialContent, status);
        Assert.Equal(Mp4[10000..], body);

        (status, body, _) = await Range("bytes=-16");
        Assert.Equal(Mp4[^16..], body);

        (status, body, contentRange) = await Range($"bytes=100-{size + 5000}");
        Assert.Equal((HttpStatusCode.PartialContent, (long)size - 1), (status, contentRange!.To!.Value));
        Assert.Equal(Mp4[100..], body);

        (status, _, contentRange) = await Range($"bytes={size}-");
        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, status);
        Assert.Equal((long)size, contentRange!.Length);

        // Several ranges, garbage, and a range whose If-Range no longer matches: the whole file.
        foreach (var whole in new[] { "bytes=0-1,5-6", "bytes=oops", "items=0-5" })
        {
            (status, body, _) = await Range(whole);
            Assert.Equal((HttpStatusCode.OK, size), (status, body.Length));
        }
        (status, body, _) = await Range("bytes=0-9", r => r.Headers.TryAddWithoutValidation("If-Range", "\"stale\""));
        Assert.Equal((HttpStatusCode.OK, size), (status, body.Length));
        var etag = $"\"{Convert.ToHexStringLower(SHA256.HashData(Mp4))}\"";
        (status, body, _) = await Range("bytes=0-9", r => r.Headers.TryAddWithoutValidation("If-Range", etag));
        Assert.Equal((HttpStatusCode.PartialContent, 10), (status, body.Length));
    }

    [Fact]
    public async Task Conditional_requests_answer_304()
    {
        var alice = await fixture.UserAsync("alice");
        using var http = Server.CreateHttpClient(alice.Token);
        var path = $"api/files/{(await UploadAsync(http, "image", Png, "image/png", "a.png")).GetProperty("id").GetString()}";
        using var first = await GetAsync(http, path);
        var etag = first.Headers.ETag!;
        var lastModified = first.Content.Headers.LastModified!.Value;

        using var byTag = await GetAsync(http, path, r => r.Headers.IfNoneMatch.Add(etag));
        Assert.Equal(HttpStatusCode.NotModified, byTag.StatusCode);
        Assert.Empty(await byTag.Content.ReadAsByteArrayAsync());
        Assert.Equal(etag, byTag.Headers.ETag);
        using var byWeakTag = await GetAsync(http, path, r => r.Headers.TryAddWithoutValidation("If-None-Match", "\"other\", W/" + etag.Tag));
        Assert.Equal(HttpStatusCode.NotModified, byWeakTag.StatusCode);
        using var byDate = await GetAsync(http, path, r => r.Headers.IfModifiedSince = lastModified);
        Assert.Equal(HttpStatusCode.NotModified, byDate.StatusCode);

        using var changed = await GetAsync(http, path, r => r.Headers.TryAddWithoutValidation("If-None-Match", "\"something-else\""));
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        using var older = await GetAsync(http, path, r => r.Headers.IfModifiedSince = lastModified.AddHours(-1));
        Assert.Equal(HttpStatusCode.OK, older.StatusCode);
    }

    [Fact]
    public async Task A_browser_element_authenticates_with_access_token_in_the_query()
    {
        var alice = await fixture.UserAsync("alice");
        using var http = Server.CreateHttpClient(alice.Token);
        var path = $"api/files/{(await UploadAsync(http, "image", Png, "image/png", "a.png")).GetProperty("id").GetString()}";
        using var anonymous = Server.CreateHttpClient();
        using var refused = await GetAsync(anonymous, path);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        using var withQuery = await GetAsync(anonymous, path + "?access_token=" + alice.Token);
        Assert.Equal(HttpStatusCode.OK, withQuery.StatusCode);
        Assert.Equal(Png, await withQuery.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Identical_content_is_stored_once()
    {
        var alice = await fixture.UserAsync("alice");
        var bob = await fixture.UserAsync("bob");
        using var ha = Server.CreateHttpClient(alice.Token);
        using var hb = Server.CreateHttpClient(bob.Token);
        var unique = GeneratedContent(777);
        var one = await UploadAsync(ha, "file", unique, "application/octet-stream", "one.bin");
        var two = await UploadAsync(hb, "file", unique, null, "two.bin");
        Assert.NotEqual(one.GetProperty("id").GetString(), two.GetProperty("id").GetString());
        var sha = one.GetProperty("sha256").GetString()!;
        Assert.Equal(sha, two.GetProperty("sha256").GetString());
        var blobs = Directory.EnumerateFiles(Path.Combine(Server.DataDirectory, "files"), sha, SearchOption.AllDirectories).ToList();
        Assert.Single(blobs);
        Assert.Equal(unique, await File.ReadAllBytesAsync(blobs[0]));
    }

    private static byte[] GeneratedContent(ulong seed) => Parley.Tests.Shared.GeneratedStream.Bytes(9000, seed);

    public static TheoryData<string, byte[], string?, int, string> Refusals() => new()
    {
        { "image", Exe, "image/png", 415, "application/vnd.microsoft.portable-executable" },
        { "image", Svg, "image/svg+xml", 415, "SVG" },
        { "image", Svg, "image/png", 415, "SVG" },
        { "image", Png, "application/pdf", 415, "not an image type" },
        { "audio", Png, "audio/mpeg", 415, "image/png" },
        { "video", Mp3, "video/mp4", 415, "audio/mpeg" },
        { "file", Exe, "application/pdf", 415, "contradicts the claimed application/pdf" },
        { "file", Exe, "text/plain", 415, "contradicts" },
        { "file", [], "application/octet-stream", 400, "empty" },
        { "file", Pdf, "not a type", 400, "media type" },
        { "sticker", Png, "image/png", 400, "kind must be" },
        { "avatar", Png, "image/png", 400, "kind must be" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task Bad_uploads_get_problem_details_and_leave_nothing(string kind, byte[] bytes, string? claimed, int status, string detail)
    {
        var alice = await fixture.UserAsync("alice");
        using var http = Server.CreateHttpClient(alice.Token);
        var contents = new List<HttpContent>();
        if (claimed == "not a type")
        {
            contents.Add(Raw(bytes, null));
            contents[0].Headers.TryAddWithoutValidation("Content-Type", "notatype");
        }
        else
        {
            contents.Add(Raw(bytes, claimed));
            contents.Add(Multipart(bytes, claimed, "x.bin"));
        }
        foreach (var content in contents)
        {
            var (actual, body) = await SendAsync(http, HttpMethod.Post, $"api/files?kind={kind}", content);
            Assert.True((int)actual == status, $"{(int)actual}: {body}");
            Assert.Contains(detail, body.GetProperty("title").GetString());
            Assert.Equal(status, body.GetProperty("status").GetInt32());
        }
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(Server.DataDirectory, "files", "tmp")));
    }

    [Fact]
    public async Task Malformed_multipart_bodies_are_400()
    {
        var alice = await fixture.UserAsync("alice");
        using var http = Server.CreateHttpClient(alice.Token);
        var wrongField = Multipart(Png, "image/png", "a.png", field: "picture");
        var (status, body) = await SendAsync(http, HttpMethod.Post, "api/files?kind=image", wrongField);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("no part named file", body.GetProperty("title").GetString());

        foreach (var raw in new[]
        {
            "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\n\r\n\x89PNG\r\n\x1a\n... no closing boundary",
            "no boundary at all",
            "--b\r\n" + new string('x', 20_000) + "\r\n\r\n",
        })
        {
            var content = new ByteArrayContent(System.Text.Encoding.Latin1.GetBytes(raw));
            content.Headers.TryAddWithoutValidation("Content-Type", "multipart/form-data; boundary=b");
            (status, body) = await SendAsync(http, HttpMethod.Post, "api/files?kind=image", content);
            Assert.True(status == HttpStatusCode.BadRequest, $"{(int)status} {body}");
        }
        var noBoundary = new ByteArrayContent(Png);
        noBoundary.Headers.TryAddWithoutValidation("Content-Type", "multipart/form-data");
        (status, _) = await SendAsync(http, HttpMethod.Post, "api/files?kind=image", noBoundary);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(Server.DataDirectory, "files", "tmp")));
    }

    [Fact]
    public async Task Uploads_need_a_login_and_unknown_ids_are_404()
    {
        using var anonymous = Server.CreateHttpClient();
        var (status, _) = await SendAsync(anonymous, HttpMethod.Post, "api/files?kind=image", Raw(Png, "image/png"));
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        var alice = await fixture.UserAsync("alice");
        using var http = Server.CreateHttpClient(alice.Token);
        foreach (var id in new[] { "0123456789abcdef0123456789abcdef", "nope", "..%2F..%2Fetc%2Fpasswd", new string('a', 500) })
        {
            using var response = await GetAsync(http, "api/files/" + id);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }
    }

    [Fact]
    public async Task Over_the_limit_is_413_for_raw_and_multipart_bodies()
    {
        var alice = await fixture.UserAsync("alice");
        using var http = Server.CreateHttpClient(alice.Token);
        byte[] big = [.. Png, .. new byte[FileFixture.ImageLimit]];
        var (status, body) = await SendAsync(http, HttpMethod.Post, "api/files?kind=image", Raw(big, "image/png"));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.Contains($"at most {FileFixture.ImageLimit} bytes", body.GetProperty("title").GetString());
        (status, _) = await SendAsync(http, HttpMethod.Post, "api/files?kind=image", Multipart(big, "image/png", "big.png"));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);

        // exactly at the limit is fine
        (status, _) = await SendAsync(http, HttpMethod.Post, "api/files?kind=image", Raw(big[..(int)FileFixture.ImageLimit], "image/png"));
        Assert.Equal(HttpStatusCode.Created, status);
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(Server.DataDirectory, "files", "tmp")));
    }

    [Fact]
    public async Task The_upload_endpoint_is_described_in_openapi()
    {
        using var http = Server.CreateHttpClient();
        var doc = await http.GetJsonAsync("openapi/v1.json").Expect(HttpStatusCode.OK);
        var paths = doc.GetProperty("paths");
        Assert.True(paths.TryGetProperty("/api/files", out var files));
        Assert.True(files.TryGetProperty("post", out _));
        Assert.True(paths.TryGetProperty("/api/files/{id}", out _));
        Assert.True(paths.TryGetProperty("/api/me/avatar", out _));
        Assert.True(paths.TryGetProperty("/api/conversations/{conversation}/messages/{seq}", out var removal));
        Assert.True(removal.TryGetProperty("delete", out _));
        Assert.Equal(JsonValueKind.Object, paths.GetProperty("/api/users/{user}/avatar").ValueKind);
    }
}
