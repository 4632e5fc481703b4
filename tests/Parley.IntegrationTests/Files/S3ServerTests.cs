using System.Net;
using System.Security.Cryptography;
using Parley.IntegrationTests.Infrastructure;
using Parley.Tests.Shared;
using static Parley.IntegrationTests.Files.Uploads;

namespace Parley.IntegrationTests.Files;

/// <summary>The whole server with <c>Parley:Files:Provider=S3</c> against a real s3rver.</summary>
public sealed class S3ServerTests : IAsyncLifetime
{
    private S3rverProcess _s3 = null!;
    private ParleyTestServer _server = null!;

    public async Task InitializeAsync()
    {
        _s3 = await S3rverProcess.StartAsync("unused");
        _server = await ParleyTestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Parley:Files:Provider"] = "s3",
            ["Parley:Files:S3:ServiceUrl"] = _s3.ServiceUrl,
            ["Parley:Files:S3:Bucket"] = "parley-media",
            ["Parley:Files:S3:CreateBucket"] = "true",
            ["Parley:Files:S3:ForcePathStyle"] = "true",
            ["Parley:Files:S3:AccessKey"] = S3rverProcess.AccessKey,
            ["Parley:Files:S3:SecretKey"] = S3rverProcess.SecretKey,
            ["Parley:Files:S3:Prefix"] = "chat/",
            ["Parley:Files:S3:PartSizeBytes"] = (5 * 1024 * 1024).ToString(),
        });
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _s3.DisposeAsync();
    }

    [Fact]
    public async Task Uploads_downloads_and_ranges_work_on_s3()
    {
        var alice = await _server.CreateUserAsync("alice");
        var bob = await _server.CreateUserAsync("bob");
        using var ha = _server.CreateHttpClient(alice.Token);
        var image = await UploadAsync(ha, "image", Png, "image/png", "cat.png");

        // over two parts: staged on local disk, then a multipart upload to the bucket
        var big = Mp4[..16].Concat(GeneratedStream.Bytes(11 * 1024 * 1024, seed: 5)).ToArray();
        var (status, video) = await SendAsync(ha, HttpMethod.Post, "api/files?kind=video&name=long.mp4", Raw(big, "video/mp4"));
        Assert.Equal(HttpStatusCode.Created, status);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(big)), video.GetProperty("sha256").GetString());

        await ha.PostJsonAsync("api/messages", new { to = bob.Account, kind = "video", payload = new { fileId = video.GetProperty("id").GetString() } })
            .Expect(HttpStatusCode.Created);
        using var hb = _server.CreateHttpClient(bob.Token);
        using (var whole = await GetAsync(hb, $"api/files/{video.GetProperty("id").GetString()}"))
        {
            Assert.Equal(HttpStatusCode.OK, whole.StatusCode);
            Assert.Equal(big, await whole.Content.ReadAsByteArrayAsync());
        }
        var from = 5 * 1024 * 1024 - 10;
        using (var range = await GetAsync(hb, $"api/files/{video.GetProperty("id").GetString()}", r => r.Headers.TryAddWithoutValidation("Range", $"bytes={from}-{from + 99}")))
        {
            Assert.Equal(HttpStatusCode.PartialContent, range.StatusCode);
            Assert.Equal(big[from..(from + 100)], await range.Content.ReadAsByteArrayAsync());
        }
        using (var tail = await GetAsync(hb, $"api/files/{video.GetProperty("id").GetString()}", r => r.Headers.TryAddWithoutValidation("Range", "bytes=-1")))
            Assert.Equal(big[^1..], await tail.Content.ReadAsByteArrayAsync());
        using (var notBobs = await GetAsync(hb, $"api/files/{image.GetProperty("id").GetString()}"))
            Assert.Equal(HttpStatusCode.NotFound, notBobs.StatusCode);
        using (var mine = await GetAsync(ha, $"api/files/{image.GetProperty("id").GetString()}"))
            Assert.Equal(Png, await mine.Content.ReadAsByteArrayAsync());

        // nothing under the local blob directory: the bytes are in the bucket
        Assert.False(Directory.Exists(Path.Combine(_server.DataDirectory, "files")));
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(_server.DataDirectory, "s3-staging")));
    }
}
