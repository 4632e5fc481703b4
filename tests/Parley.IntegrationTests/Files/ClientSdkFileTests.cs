using System.Net;
using System.Text.Json;
using Parley.Client;
using Parley.IntegrationTests.Infrastructure;
using static Parley.IntegrationTests.Files.Uploads;

namespace Parley.IntegrationTests.Files;

/// <summary>The C# SDK's file calls against the real server.</summary>
[Collection(FileCollection.Name)]
public sealed class ClientSdkFileTests(FileFixture fixture)
{
    [Fact]
    public async Task Upload_send_download_remove_and_avatar_through_the_sdk()
    {
        var alice = await fixture.UserAsync("alice");
        var bob = await fixture.UserAsync("bob");
        using var aliceApi = new ParleyApiClient(fixture.Server.BaseUri) { AccessToken = alice.Token };
        using var bobApi = new ParleyApiClient(fixture.Server.BaseUri) { AccessToken = bob.Token };

        var file = await aliceApi.UploadFileAsync(new MemoryStream(Pdf), "file", "notes.pdf", "application/pdf");
        Assert.Equal(("file", "notes.pdf", (long)Pdf.Length, "application/pdf", $"/api/files/{file.Id}"), (file.Kind, file.Name, file.Size, file.ContentType, file.Url));

        var sent = await aliceApi.SendMessageAsync(to: bob.Account, kind: "file", payload: JsonSerializer.SerializeToElement(new { fileId = file.Id }));
        var copy = new MemoryStream();
        Assert.Equal("application/pdf", await bobApi.DownloadFileAsync(file.Id, copy));
        Assert.Equal(Pdf, copy.ToArray());

        await aliceApi.RemoveMessageAsync(sent.Conversation, sent.Seq);
        var gone = await Assert.ThrowsAsync<ParleyApiException>(() => bobApi.DownloadFileAsync(file.Id, new MemoryStream()));
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.Equal("removed", (await bobApi.GetMessagesAsync(sent.Conversation)).Messages.Single().Kind);

        var refused = await Assert.ThrowsAsync<ParleyApiException>(() => aliceApi.UploadFileAsync(new MemoryStream(Exe), "image", "x.png", "image/png"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, refused.StatusCode);

        var profile = await aliceApi.SetAvatarAsync(new MemoryStream(Png), "image/png");
        Assert.StartsWith($"/api/users/{alice.Id}/avatar?v=", profile.AvatarUrl);
        await aliceApi.RemoveAvatarAsync();
        Assert.Null((await aliceApi.GetMeAsync()).AvatarUrl);
    }
}
