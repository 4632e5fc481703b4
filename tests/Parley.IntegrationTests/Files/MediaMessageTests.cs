using System.Net;
using System.Text.Json;
using Parley.IntegrationTests.Infrastructure;
using Parley.IntegrationTests.Stomp;
using Parley.Protocol.Stomp;
using static Parley.IntegrationTests.Files.Uploads;

namespace Parley.IntegrationTests.Files;

/// <summary>Media messages on every transport, who may download an attachment, and message removal.</summary>
[Collection(FileCollection.Name)]
public sealed class MediaMessageTests(FileFixture fixture)
{
    private ParleyTestServer Server => fixture.Server;

    private async Task<HttpStatusCode> DownloadStatusAsync(TestUser user, string fileId)
    {
        using var http = Server.CreateHttpClient(user.Token);
        using var response = await GetAsync(http, $"api/files/{fileId}");
        return response.StatusCode;
    }

    private async Task<string> UploadAsAsync(TestUser user, string kind = "image", byte[]? bytes = null, string type = "image/png", string name = "cat.png")
    {
        using var http = Server.CreateHttpClient(user.Token);
        return (await UploadAsync(http, kind, bytes ?? Png, type, name)).GetProperty("id").GetString()!;
    }

    [Fact]
    public async Task An_image_message_over_rest_reaches_the_recipient_who_may_then_download_it_and_a_stranger_may_not()
    {
        var alice = await fixture.UserAsync("alice");
        var bob = await fixture.UserAsync("bob");
        var eve = await fixture.UserAsync("eve");
        var fileId = await UploadAsAsync(alice);
        Assert.Equal(HttpStatusCode.NotFound, await DownloadStatusAsync(bob, fileId));

        await using var bobSocket = await TestSocket.ConnectAsync(Server, bob.Token);
        using var ha = Server.CreateHttpClient(alice.Token);
        var sent = await ha.PostJsonAsync("api/messages", new
        {
            to = bob.Account, kind = "image", text = "my cat",
            payload = new { fileId, width = 800, height = 600, name = "forged.exe", size = 1 },
        }).Expect(HttpStatusCode.Created);

        var message = (await bobSocket.NextAsync("message")).GetProperty("message");
        Assert.Equal(("image", "my cat"), (message.GetProperty("kind").GetString(), message.GetProperty("text").GetString()));
        var payload = message.GetProperty("payload");
        Assert.Equal((fileId, "cat.png", (long)Png.Length, "image/png", 800, 600),
            (payload.GetProperty("fileId").GetString(), payload.GetProperty("name").GetString(), payload.GetProperty("size").GetInt64(),
             payload.GetProperty("contentType").GetString(), payload.GetProperty("width").GetInt32(), payload.GetProperty("height").GetInt32()));

        using var hb = Server.CreateHttpClient(bob.Token);
        using (var download = await GetAsync(hb, $"api/files/{fileId}"))
        {
            Assert.Equal(HttpStatusCode.OK, download.StatusCode);
            Assert.Equal(Png, await download.Content.ReadAsByteArrayAsync());
        }
        Assert.Equal(HttpStatusCode.NotFound, await DownloadStatusAsync(eve, fileId));

        // history carries the same payload
        var conversation = sent.GetProperty("conversation").GetString()!;
        var history = await hb.GetJsonAsync($"api/conversations/{conversation}/messages").Expect(HttpStatusCode.OK);
        Assert.Equal(fileId, history.GetProperty("messages")[0].GetProperty("payload").GetProperty("fileId").GetString());
    }

    [Fact]
    public async Task Bad_references_are_refused_on_rest_native_and_stomp()
    {
        var alice = await fixture.UserAsync("alice");
        var bob = await fixture.UserAsync("bob");
        var bobsFile = await UploadAsAsync(bob);
        var alicesImage = await UploadAsAsync(alice);
        using var ha = Server.CreateHttpClient(alice.Token);

        var (status, problem) = await ha.PostJsonAsync("api/messages", new { to = bob.Account, kind = "image", payload = new { fileId = bobsFile } });
        Assert.Equal((HttpStatusCode.NotFound, "no such file"), (status, problem.GetProperty("title").GetString()));
        (status, problem) = await ha.PostJsonAsync("api/messages", new { to = bob.Account, kind = "video", payload = new { fileId = alicesImage } });
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("uploaded as image, not video", problem.GetProperty("title").GetString());
        (status, problem) = await ha.PostJsonAsync("api/messages", new { to = bob.Account, kind = "image", text = "no payload" });
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("fileId", problem.GetProperty("title").GetString());

        await using var socket = await TestSocket.ConnectAsync(Server, alice.Token);
        var error = await socket.RequestAsync(new { type = "send", id = "n1", to = bob.Account, kind = "audio", payload = new { fileId = bobsFile } }, "n1");
        Assert.Equal(("error", 200, "no such file"), (error.GetProperty("type").GetString(), error.GetProperty("code").GetInt32(), error.GetProperty("message").GetString()));
        var ok = await socket.RequestAsync(new { type = "send", id = "n2", to = bob.Account, kind = "image", payload = new { fileId = alicesImage, durationMs = 5 } }, "n2");
        Assert.Equal("ack", ok.GetProperty("type").GetString());

        var (stomp, _) = await RawStompClient.ConnectAsync(Server, alice.Token);
        await using (stomp)
        {
            await stomp.SubscribeAsync("e", "/user/queue/errors");
            var body = JsonSerializer.Serialize(new { kind = "image", payload = new { fileId = bobsFile } });
            await stomp.SendAsync($"SEND\ndestination:/app/chat/{bob.Account}\ncontent-type:application/json\n\n{body}\0");
            var frame = await stomp.NextAsync(StompCommand.Message);
            var json = JsonDocument.Parse(frame.Body).RootElement;
            Assert.Equal((200, "no such file"), (json.GetProperty("code").GetInt32(), json.GetProperty("message").GetString()));
        }
    }

    [Fact]
    public async Task Group_attachments_follow_membership_leaving_and_dissolution()
    {
        var alice = await fixture.UserAsync("alice");
        var bob = await fixture.UserAsync("bob");
        var carol = await fixture.UserAsync("carol");
        var dave = await fixture.UserAsync("dave");
        var groupId = await Http.GroupAsync(Server, alice, bob, carol);
        var fileId = await UploadAsAsync(bob, "file", Pdf, "application/pdf", "minutes.pdf");
        using var hb = Server.CreateHttpClient(bob.Token);
        await hb.PostJsonAsync("api/messages", new { group = groupId, kind = "file", payload = new { fileId } }).Expect(HttpStatusCode.Created);

        Assert.Equal(HttpStatusCode.OK, await DownloadStatusAsync(alice, fileId));
        Assert.Equal(HttpStatusCode.OK, await DownloadStatusAsync(carol, fileId));
        Assert.Equal(HttpStatusCode.NotFound, await DownloadStatusAsync(dave, fileId));

        // dave joins: he can read the conversation, so its files too
        using var hd = Server.CreateHttpClient(dave.Token);
        await hd.PostJsonAsync($"api/groups/{groupId}/join").Expect(HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.OK, await DownloadStatusAsync(dave, fileId));

        using var hc = Server.CreateHttpClient(carol.Token);
        await hc.PostJsonAsync($"api/groups/{groupId}/leave").Expect(HttpStatusCode.NoContent);
        Assert.Equal(HttpStatusCode.NotFound, await DownloadStatusAsync(carol, fileId));

        using var ha = Server.CreateHttpClient(alice.Token);
        await ha.DeleteJsonAsync($"api/groups/{groupId}").Expect(HttpStatusCode.NoContent);
        Assert.Equal(HttpStatusCode.NotFound, await DownloadStatusAsync(alice, fileId));
        Assert.Equal(HttpStatusCode.NotFound, await DownloadStatusAsync(dave, fileId));
        Assert.Equal(HttpStatusCode.OK, await DownloadStatusAsync(bob, fileId)); // the uploader, until the orphan sweep
    }

    [Fact]
    public async Task Removing_a_message_over_rest_tells_native_and_stomp_clients_and_revokes_its_file()
    {
        var alice = await fixture.UserAsync("alice");
        var bob = await fixture.UserAsync("bob");
        var fileId = await UploadAsAsync(alice, "audio", Mp3, "audio/mpeg", "note.mp3");
        using var ha = Server.CreateHttpClient(alice.Token);
        var sent = await ha.PostJsonAsync("api/messages", new { to = bob.Account, kind = "audio", payload = new { fileId, durationMs = 4200 } })
            .Expect(HttpStatusCode.Created);
        await ha.PostJsonAsync("api/messages", new { to = bob.Account, text = "after" }).Expect(HttpStatusCode.Created);
        var conversation = sent.GetProperty("conversation").GetString()!;
        var seq = sent.GetProperty("seq").GetInt64();
        Assert.Equal(HttpStatusCode.OK, await DownloadStatusAsync(bob, fileId));

        await using var native = await TestSocket.ConnectAsync(Server, bob.Token);
        var (stomp, _) = await RawStompClient.ConnectAsync(Server, bob.Token);
        await using var stompScope = stomp;
        await stomp.SubscribeAsync("r", "/user/queue/removals");

        using var hb = Server.CreateHttpClient(bob.Token);
        var (denied, problem) = await hb.DeleteJsonAsync($"api/conversations/{conversation}/messages/{seq}");
        Assert.Equal(HttpStatusCode.Forbidden, denied);
        Assert.Equal(201, problem.GetProperty("code").GetInt32());
        await ha.DeleteJsonAsync($"api/conversations/{conversation}/messages/{seq}").Expect(HttpStatusCode.NoContent);

        var removed = await native.NextAsync("removed");
        Assert.Equal((conversation, seq, sent.GetProperty("messageId").GetString(), alice.Id, alice.Account),
            (removed.GetProperty("conversation").GetString(), removed.GetProperty("seq").GetInt64(), removed.GetProperty("messageId").GetString(),
             removed.GetProperty("by").GetInt64(), removed.GetProperty("byName").GetString()));
        var frame = await stomp.NextAsync(StompCommand.Message);
        Assert.Equal("/user/queue/removals", frame.GetHeader("destination"));
        Assert.Equal(seq, JsonDocument.Parse(frame.Body).RootElement.GetProperty("seq").GetInt64());

        var history = await hb.GetJsonAsync($"api/conversations/{conversation}/messages").Expect(HttpStatusCode.OK);
        var tombstone = history.GetProperty("messages")[0];
        Assert.Equal((seq, "removed", false, false), (tombstone.GetProperty("seq").GetInt64(), tombstone.GetProperty("kind").GetString(),
            tombstone.TryGetProperty("payload", out _), tombstone.TryGetProperty("text", out _)));
        Assert.Equal(2, history.GetProperty("messages").GetArrayLength());

        // a fresh device syncs the tombstone in sequence, without a gap
        await using var fresh = await TestSocket.ConnectAsync(Server, bob.Token);
        await fresh.RequestAsync(new { type = "sync", id = "s", cursors = new Dictionary<string, long> { [conversation] = 0 } }, "s");
        var synced = fresh.Seen.Where(f => f.GetProperty("type").GetString() == "message").Select(f => f.GetProperty("message")).ToList();
        Assert.Equal([(seq, "removed"), (seq + 1, "text")], synced.Select(m => (m.GetProperty("seq").GetInt64(), m.GetProperty("kind").GetString()!)));

        Assert.Equal(HttpStatusCode.NotFound, await DownloadStatusAsync(bob, fileId));
        Assert.Equal(HttpStatusCode.OK, await DownloadStatusAsync(alice, fileId));
        await ha.DeleteJsonAsync($"api/conversations/{conversation}/messages/{seq}").Expect(HttpStatusCode.NoContent);
        await ha.DeleteJsonAsync($"api/conversations/{conversation}/messages/999").Expect(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Removal_works_over_native_and_stomp_and_a_file_still_attached_elsewhere_stays_readable()
    {
        var alice = await fixture.UserAsync("alice");
        var bob = await fixture.UserAsync("bob");
        var fileId = await UploadAsAsync(alice);
        await using var a = await TestSocket.ConnectAsync(Server, alice.Token);
        var first = await a.RequestAsync(new { type = "send", id = "1", to = bob.Account, kind = "image", payload = new { fileId } }, "1");
        var second = await a.RequestAsync(new { type = "send", id = "2", to = bob.Account, kind = "image", payload = new { fileId } }, "2");
        var conversation = first.GetProperty("conversation").GetString()!;

        var result = await a.RequestAsync(new { type = "remove", id = "r1", conversation, seq = first.GetProperty("seq").GetInt64() }, "r1");
        Assert.Equal("result", result.GetProperty("type").GetString());
        Assert.Equal(HttpStatusCode.OK, await DownloadStatusAsync(bob, fileId)); // still in the second message

        var missing = await a.RequestAsync(new { type = "remove", id = "r2", conversation, seq = 500 }, "r2");
        Assert.Equal(("error", 200), (missing.GetProperty("type").GetString(), missing.GetProperty("code").GetInt32()));
        var noSeq = await a.RequestAsync(new { type = "remove", id = "r3", conversation }, "r3");
        Assert.Equal(102, noSeq.GetProperty("code").GetInt32());

        var (stomp, _) = await RawStompClient.ConnectAsync(Server, alice.Token);
        await using (stomp)
        {
            var body = JsonSerializer.Serialize(new { conversation, seq = second.GetProperty("seq").GetInt64() });
            await stomp.SendAsync($"SEND\ndestination:/app/remove\nreceipt:rm\ncontent-type:application/json\n\n{body}\0");
            Assert.Equal("rm", (await stomp.NextAsync(StompCommand.Receipt)).GetHeader("receipt-id"));
        }
        Assert.Equal(HttpStatusCode.NotFound, await DownloadStatusAsync(bob, fileId));
        var removal = await a.NextAsync("removed", f => f.GetProperty("seq").GetInt64() == second.GetProperty("seq").GetInt64());
        Assert.Equal(conversation, removal.GetProperty("conversation").GetString());
    }

    [Fact]
    public async Task Stomp_media_sends_carry_the_checked_payload()
    {
        var alice = await fixture.UserAsync("alice");
        var bob = await fixture.UserAsync("bob");
        var fileId = await UploadAsAsync(alice, "video", Mp4, "video/mp4", "clip.mp4");
        await using var b = await TestSocket.ConnectAsync(Server, bob.Token);
        var (stomp, _) = await RawStompClient.ConnectAsync(Server, alice.Token);
        await using (stomp)
        {
            var body = JsonSerializer.Serialize(new { kind = "video", text = "watch", payload = new { fileId, width = 1920, height = 1080, durationMs = 12000 } });
            await stomp.SendAsync($"SEND\ndestination:/app/chat/{bob.Account}\nreceipt:v\ncontent-type:application/json\n\n{body}\0");
            await stomp.NextAsync(StompCommand.Receipt);
        }
        var message = (await b.NextAsync("message")).GetProperty("message");
        Assert.Equal(
            $$"""{"fileId":"{{fileId}}","name":"clip.mp4","size":{{Mp4.Length}},"contentType":"video/mp4","width":1920,"height":1080,"durationMs":12000}""",
            message.GetProperty("payload").GetRawText());
        Assert.Equal("watch", message.GetProperty("text").GetString());
    }
}
