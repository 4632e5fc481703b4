using System.Net;
using Parley.IntegrationTests.Infrastructure;
using static Parley.IntegrationTests.Files.Uploads;

namespace Parley.IntegrationTests.Files;

[Collection(FileCollection.Name)]
public sealed class AvatarTests(FileFixture fixture)
{
    private ParleyTestServer Server => fixture.Server;

    [Fact]
    public async Task An_avatar_is_set_shown_to_any_logged_in_user_replaced_and_removed()
    {
        var alice = await fixture.UserAsync("alice");
        var bob = await fixture.UserAsync("bob");
        using var ha = Server.CreateHttpClient(alice.Token);
        using var hb = Server.CreateHttpClient(bob.Token);
        using (var none = await GetAsync(hb, $"api/users/{alice.Id}/avatar")) Assert.Equal(HttpStatusCode.NotFound, none.StatusCode);

        var (status, profile) = await SendAsync(ha, HttpMethod.Put, "api/me/avatar", Multipart(Png, "image/png", "me.png"));
        Assert.Equal(HttpStatusCode.OK, status);
        var url = profile.GetProperty("avatarUrl").GetString()!;
        Assert.Matches($"^/api/users/{alice.Id}/avatar\\?v=[0-9a-f]{{12}}$", url);
        Assert.Equal(url, (await hb.GetJsonAsync($"api/users/{alice.Account}").Expect(HttpStatusCode.OK)).GetProperty("avatarUrl").GetString());

        using (var shown = await GetAsync(hb, url.TrimStart('/')))
        {
            Assert.Equal(HttpStatusCode.OK, shown.StatusCode);
            Assert.Equal(Png, await shown.Content.ReadAsByteArrayAsync());
            Assert.Equal("image/png", shown.Content.Headers.ContentType!.MediaType);
            Assert.Equal("inline", shown.Content.Headers.ContentDisposition!.DispositionType);
            Assert.Equal("nosniff", shown.Headers.GetValues("X-Content-Type-Options").Single());
        }
        using (var byName = await GetAsync(hb, $"api/users/{alice.Account}/avatar?access_token={bob.Token}", method: HttpMethod.Head))
            Assert.Equal(HttpStatusCode.OK, byName.StatusCode);
        using (var anonymous = Server.CreateHttpClient())
        using (var refused = await GetAsync(anonymous, url.TrimStart('/')))
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);

        // a raw JPEG body replaces it, and the address changes with the content
        (status, profile) = await SendAsync(ha, HttpMethod.Put, "api/me/avatar", Raw(Jpeg, "image/jpeg"));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.NotEqual(url, profile.GetProperty("avatarUrl").GetString());
        using (var replaced = await GetAsync(hb, $"api/users/{alice.Id}/avatar"))
            Assert.Equal(Jpeg, await replaced.Content.ReadAsByteArrayAsync());

        await ha.DeleteJsonAsync("api/me/avatar").Expect(HttpStatusCode.NoContent);
        Assert.False((await ha.GetJsonAsync("api/me").Expect(HttpStatusCode.OK)).TryGetProperty("avatarUrl", out _));
        using (var gone = await GetAsync(hb, $"api/users/{alice.Id}/avatar")) Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        using (var unknown = await GetAsync(hb, "api/users/nobody-here/avatar")) Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Theory]
    [InlineData("svg")]
    [InlineData("exe")]
    [InlineData("pdf")]
    public async Task Only_images_become_avatars(string what)
    {
        var alice = await fixture.UserAsync("alice");
        using var http = Server.CreateHttpClient(alice.Token);
        var (bytes, type) = what switch { "svg" => (Svg, "image/svg+xml"), "exe" => (Exe, "image/png"), _ => (Pdf, "application/pdf") };
        var (status, _) = await SendAsync(http, HttpMethod.Put, "api/me/avatar", Raw(bytes, type));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, status);
        (status, _) = await SendAsync(http, HttpMethod.Put, "api/me/avatar", Raw([.. Png, .. new byte[FileFixture.ImageLimit]], "image/png"));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.False((await http.GetJsonAsync("api/me").Expect(HttpStatusCode.OK)).TryGetProperty("avatarUrl", out _));
    }
}

/// <summary>The orphan sweeper on a real server, with a short <c>Parley:Files:OrphanAfter</c>.</summary>
public sealed class OrphanSweepTests : IAsyncLifetime
{
    private ParleyTestServer _server = null!;

    public async Task InitializeAsync() => _server = await ParleyTestServer.StartAsync(new Dictionary<string, string?>
    {
        ["Parley:Files:OrphanAfter"] = "00:00:03",
        ["Parley:Files:SweepInterval"] = "00:00:00.2",
    });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Unreferenced_uploads_go_after_the_orphan_time_and_used_ones_stay()
    {
        var alice = await _server.CreateUserAsync("alice");
        var bob = await _server.CreateUserAsync("bob");
        using var ha = _server.CreateHttpClient(alice.Token);
        string BlobPath(System.Text.Json.JsonElement dto)
        {
            var sha = dto.GetProperty("sha256").GetString()!;
            return Path.Combine(_server.DataDirectory, "files", sha[..2], sha[2..4], sha);
        }

        // Each upload is put to use right away, well within the orphan time.
        var attached = await UploadAsync(ha, "image", Png, "image/png", "kept.png");
        await ha.PostJsonAsync("api/messages", new { to = bob.Account, kind = "image", payload = new { fileId = attached.GetProperty("id").GetString() } })
            .Expect(HttpStatusCode.Created);
        var removedLater = await UploadAsync(ha, "file", Pdf, "application/pdf", "removed.pdf");
        var toRemove = await ha.PostJsonAsync("api/messages", new { to = bob.Account, kind = "file", payload = new { fileId = removedLater.GetProperty("id").GetString() } })
            .Expect(HttpStatusCode.Created);
        await ha.DeleteJsonAsync($"api/conversations/{toRemove.GetProperty("conversation").GetString()}/messages/{toRemove.GetProperty("seq").GetInt64()}")
            .Expect(HttpStatusCode.NoContent);
        await SendAsync(ha, HttpMethod.Put, "api/me/avatar", Raw(Jpeg, "image/jpeg"));
        var orphan = await UploadAsync(ha, "file", Parley.Tests.Shared.GeneratedStream.Bytes(3000, 41), null, "orphan.bin");
        Assert.True(File.Exists(BlobPath(orphan)));

        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (File.Exists(BlobPath(orphan)) || File.Exists(BlobPath(removedLater)))
        {
            Assert.True(DateTime.UtcNow < deadline, "the sweeper did not delete the orphans within 30 s");
            await Task.Delay(100);
        }
        foreach (var gone in new[] { orphan, removedLater })
        {
            using var response = await GetAsync(ha, $"api/files/{gone.GetProperty("id").GetString()}");
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }
        using (var kept = await GetAsync(ha, $"api/files/{attached.GetProperty("id").GetString()}"))
            Assert.Equal(Png, await kept.Content.ReadAsByteArrayAsync());
        using var hb = _server.CreateHttpClient(bob.Token);
        using (var avatar = await GetAsync(hb, $"api/users/{alice.Id}/avatar"))
            Assert.Equal(Jpeg, await avatar.Content.ReadAsByteArrayAsync());
        Assert.True(File.Exists(BlobPath(attached)));
    }
}
