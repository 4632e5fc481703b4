using System.Text.Json;
using Parley.Abstractions;
using Parley.Abstractions.Events;
using Parley.Abstractions.Files;
using Parley.Abstractions.Model;
using Parley.Abstractions.Stores;
using Parley.Core.Files;
using Parley.Core.Messaging;
using Parley.Core.Services;
using Parley.Tests.Shared;

namespace Parley.Core.Tests;

/// <summary>Uploads, media messages, who may read a file, message removal and the orphan sweep, in the engine.</summary>
public sealed class MediaMessageTests
{
    private static readonly byte[] PngBytes = [.. FileRulesTests.Png, .. GeneratedStream.Bytes(500)];

    private static Task<StoredFile> UploadAsync(EngineHarness h, Account owner, string kind = "image", byte[]? bytes = null, string? type = "image/png") =>
        h.Get<FileService>().UploadAsync(owner.Id, kind, new MemoryStream(bytes ?? PngBytes), type, "cat.png", CancellationToken.None);

    private static async Task<SendOutcome> SendMediaAsync(EngineHarness h, Account from, MessageTarget to, string kind, object payload, string? text = null)
    {
        var committed = await h.Engine.SubmitAsync(from.Id, new SendRequest(to, null, kind, text, JsonSerializer.Serialize(payload)), "fake", null, CancellationToken.None);
        return await committed.WaitAsync(TimeSpan.FromSeconds(10));
    }

    private static Task<bool> CanReadAsync(EngineHarness h, Account user, StoredFile file) => h.Get<FileService>().CanReadAsync(user.Id, file, CancellationToken.None);

    [Fact]
    public async Task A_media_message_carries_the_stored_metadata_and_the_clients_dimensions()
    {
        await using var h = await EngineHarness.StartAsync();
        var alice = await h.UserAsync("alice");
        var bob = await h.UserAsync("bob");
        var file = await UploadAsync(h, alice);
        var outcome = await SendMediaAsync(h, alice, MessageTarget.ToUser("bob"), "image",
            new { fileId = file.Id, name = "lies.exe", size = 1, contentType = "text/html", width = 640, height = 480, extra = "dropped" }, "look");

        Assert.True(outcome.Succeeded, outcome.Error);
        var payload = JsonDocument.Parse(outcome.Message!.Payload!).RootElement;
        Assert.Equal(
            $$"""{"fileId":"{{file.Id}}","name":"cat.png","size":{{PngBytes.Length}},"contentType":"image/png","width":640,"height":480}""",
            outcome.Message.Payload);
        Assert.Equal("look", outcome.Message.Text);
        Assert.Equal(JsonValueKind.Object, payload.ValueKind);
    }

    [Fact]
    public async Task Participants_may_read_an_attachment_and_nobody_else()
    {
        await using var h = await EngineHarness.StartAsync();
        var alice = await h.UserAsync("alice");
        var bob = await h.UserAsync("bob");
        var carol = await h.UserAsync("carol");
        var file = await UploadAsync(h, alice);
        Assert.True(await CanReadAsync(h, alice, file));
        Assert.False(await CanReadAsync(h, bob, file));

        Assert.True((await SendMediaAsync(h, alice, MessageTarget.ToUser("bob"), "image", new { fileId = file.Id })).Succeeded);
        Assert.True(await CanReadAsync(h, bob, file));
        Assert.False(await CanReadAsync(h, carol, file));
        Assert.Null(await h.Get<FileService>().GetReadableAsync(carol.Id, file.Id, CancellationToken.None));
        Assert.Equal(file, await h.Get<FileService>().GetReadableAsync(bob.Id, file.Id, CancellationToken.None));

        // bob may pass on what he can see; carol then sees it too
        Assert.True((await SendMediaAsync(h, bob, MessageTarget.ToUser("carol"), "file", new { fileId = file.Id })).Succeeded);
        Assert.True(await CanReadAsync(h, carol, file));
    }

    [Theory]
    [InlineData(null, ErrorCodes.InvalidField, "needs a payload with fileId")]
    [InlineData("[1,2]", ErrorCodes.InvalidField, "must be an object with fileId")]
    [InlineData("\"text\"", ErrorCodes.InvalidField, "must be an object with fileId")]
    [InlineData("{}", ErrorCodes.InvalidField, "payload.fileId is required")]
    [InlineData("{\"fileId\":42}", ErrorCodes.InvalidField, "payload.fileId is required")]
    [InlineData("{\"fileId\":\"../../etc/passwd\"}", ErrorCodes.NotFound, "no such file")]
    [InlineData("{\"fileId\":\"0123456789abcdef0123456789abcdef\"}", ErrorCodes.NotFound, "no such file")]
    [InlineData("{\"fileId\":\"F\",\"width\":0}", ErrorCodes.InvalidField, "payload.width")]
    [InlineData("{\"fileId\":\"F\",\"height\":\"tall\"}", ErrorCodes.InvalidField, "payload.height")]
    [InlineData("{\"fileId\":\"F\",\"width\":1.5}", ErrorCodes.InvalidField, "payload.width")]
    [InlineData("{\"fileId\":\"F\",\"durationMs\":-1}", ErrorCodes.InvalidField, "payload.durationMs")]
    public async Task Bad_media_payloads_are_refused_with_a_clear_error(string? payload, int code, string error)
    {
        await using var h = await EngineHarness.StartAsync();
        var alice = await h.UserAsync("alice");
        await h.UserAsync("bob");
        var file = await UploadAsync(h, alice);
        var committed = await h.Engine.SubmitAsync(alice.Id,
            new SendRequest(MessageTarget.ToUser("bob"), null, "image", payload is null ? "caption only" : null, payload?.Replace("\"F\"", $"\"{file.Id}\"")),
            "fake", null, CancellationToken.None);
        var outcome = await committed.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(outcome.Succeeded);
        Assert.Equal(code, outcome.ErrorCode);
        Assert.Contains(error, outcome.Error);
    }

    [Fact]
    public async Task Someone_elses_file_and_a_kind_mismatch_are_refused()
    {
        await using var h = await EngineHarness.StartAsync();
        var alice = await h.UserAsync("alice");
        var bob = await h.UserAsync("bob");
        var bobs = await UploadAsync(h, bob);
        var denied = await SendMediaAsync(h, alice, MessageTarget.ToUser("bob"), "image", new { fileId = bobs.Id });
        Assert.Equal((ErrorCodes.NotFound, "no such file"), (denied.ErrorCode, denied.Error));

        var image = await UploadAsync(h, alice);
        var mismatch = await SendMediaAsync(h, alice, MessageTarget.ToUser("bob"), "video", new { fileId = image.Id });
        Assert.Equal(ErrorCodes.InvalidField, mismatch.ErrorCode);
        Assert.Contains("uploaded as image, not video", mismatch.Error);
        Assert.True((await SendMediaAsync(h, alice, MessageTarget.ToUser("bob"), "file", new { fileId = image.Id })).Succeeded);

        var removed = await h.Engine.SubmitAsync(alice.Id, new SendRequest(MessageTarget.ToUser("bob"), null, MessageKinds.Removed, "x", null), "fake", null, default);
        Assert.Equal(ErrorCodes.InvalidField, (await removed).ErrorCode);
    }

    [Fact]
    public async Task Removing_a_message_leaves_a_tombstone_tells_the_participants_and_revokes_the_attachment()
    {
        await using var h = await EngineHarness.StartAsync();
        var alice = await h.UserAsync("alice");
        var bob = await h.UserAsync("bob");
        var bobDevice = h.Connect(bob);
        var file = await UploadAsync(h, alice);
        await h.SendAsync(alice, MessageTarget.ToUser("bob"), "before");
        var media = (await SendMediaAsync(h, alice, MessageTarget.ToUser("bob"), "image", new { fileId = file.Id }, "caption")).Message!;
        await h.SendAsync(alice, MessageTarget.ToUser("bob"), "after");
        Assert.True(await CanReadAsync(h, bob, file));

        Assert.Null(await h.Engine.RemoveMessageAsync(alice.Id, alice.Name, media.ConversationId, media.Seq, 0, default));

        var removed = await bobDevice.WaitForAsync<MessageRemovedEvent>();
        Assert.Equal((media.ConversationId, media.Seq, media.Id, alice.Id), (removed.Tombstone.ConversationId, removed.Tombstone.Seq, removed.Tombstone.Id, removed.RemovedBy));
        var history = await h.Engine.HistoryAsync(bob.Id, media.ConversationId, null, null, null, default);
        Assert.Equal([1L, 2L, 3L], history.Value!.Messages.Select(m => m.Seq));
        Assert.Equal(media with { Kind = MessageKinds.Removed, Text = null, Payload = null }, history.Value.Messages[1]);
        Assert.False(await CanReadAsync(h, bob, file));
        Assert.True(await CanReadAsync(h, alice, file)); // the uploader, until the orphan sweep

        // again: fine, and nobody is told twice
        Assert.Null(await h.Engine.RemoveMessageAsync(alice.Id, alice.Name, media.ConversationId, media.Seq, 0, default));
        Assert.Single(bobDevice.Drain().OfType<MessageRemovedEvent>());
    }

    [Fact]
    public async Task Only_the_sender_or_the_group_owner_may_remove()
    {
        await using var h = await EngineHarness.StartAsync();
        var alice = await h.UserAsync("alice");
        var bob = await h.UserAsync("bob");
        var carol = await h.UserAsync("carol");
        var direct = (await h.SendAsync(alice, MessageTarget.ToUser("bob"), "hi")).Message!;
        var denied = await h.Engine.RemoveMessageAsync(bob.Id, bob.Name, direct.ConversationId, direct.Seq, 0, default);
        Assert.Equal(ErrorCodes.Forbidden, denied!.Code);
        Assert.Equal(ErrorCodes.Forbidden, (await h.Engine.RemoveMessageAsync(carol.Id, carol.Name, direct.ConversationId, direct.Seq, 0, default))!.Code);
        Assert.Equal(ErrorCodes.NotFound, (await h.Engine.RemoveMessageAsync(alice.Id, alice.Name, direct.ConversationId, 99, 0, default))!.Code);
        Assert.Equal(ErrorCodes.InvalidField, (await h.Engine.RemoveMessageAsync(alice.Id, alice.Name, direct.ConversationId, 0, 0, default))!.Code);
        Assert.Equal(ErrorCodes.InvalidField, (await h.Engine.RemoveMessageAsync(alice.Id, alice.Name, "nonsense", 1, 0, default))!.Code);

        var groups = h.Get<GroupService>();
        var group = await groups.CreateAsync(alice.Id, "team", false, default);
        await groups.JoinAsync(bob.Id, group.Group.Id, default);
        await groups.JoinAsync(carol.Id, group.Group.Id, default);
        var byBob = (await h.SendAsync(bob, MessageTarget.ToGroup(group.Group.Id), "from bob")).Message!;
        Assert.Equal(ErrorCodes.Forbidden, (await h.Engine.RemoveMessageAsync(carol.Id, carol.Name, byBob.ConversationId, byBob.Seq, 0, default))!.Code);
        Assert.Null(await h.Engine.RemoveMessageAsync(alice.Id, alice.Name, byBob.ConversationId, byBob.Seq, 0, default));
    }

    [Fact]
    public async Task Leaving_or_dissolving_a_group_takes_away_its_attachments()
    {
        await using var h = await EngineHarness.StartAsync();
        var alice = await h.UserAsync("alice");
        var bob = await h.UserAsync("bob");
        var carol = await h.UserAsync("carol");
        var groups = h.Get<GroupService>();
        var group = await groups.CreateAsync(alice.Id, "team", false, default);
        await groups.JoinAsync(bob.Id, group.Group.Id, default);
        await groups.JoinAsync(carol.Id, group.Group.Id, default);
        var file = await UploadAsync(h, alice);
        Assert.True((await SendMediaAsync(h, alice, MessageTarget.ToGroup(group.Group.Id), "image", new { fileId = file.Id })).Succeeded);
        Assert.True(await CanReadAsync(h, bob, file));
        Assert.True(await CanReadAsync(h, carol, file));

        await groups.LeaveAsync(carol.Id, group.Group.Id, default);
        Assert.False(await CanReadAsync(h, carol, file));
        await groups.DissolveAsync(alice.Id, group.Group.Id, default);
        Assert.False(await CanReadAsync(h, bob, file));
        Assert.Empty(await h.Get<IFileStore>().GetReferencingConversationsAsync(file.Id, 10));
    }

    [Fact]
    public async Task The_orphan_sweep_keeps_referenced_files_and_avatars_and_deletes_a_blob_with_its_last_record()
    {
        await using var h = await EngineHarness.StartAsync();
        var alice = await h.UserAsync("alice");
        await h.UserAsync("bob");
        var service = h.Get<FileService>();
        var blobs = h.Get<IBlobStore>();
        var sent = await UploadAsync(h, alice);
        var orphan = await UploadAsync(h, alice, "file", GeneratedStream.Bytes(100, seed: 77), "application/octet-stream");
        var twinA = await UploadAsync(h, alice, "file", GeneratedStream.Bytes(100, seed: 78), null);
        var twinB = await UploadAsync(h, alice, "file", GeneratedStream.Bytes(100, seed: 78), null);
        var avatar = await service.SetAvatarAsync(alice.Id, new MemoryStream([.. FileRulesTests.Jpeg, 1, 2, 3]), "image/jpeg", null, default);
        Assert.Equal(twinA.Sha256, twinB.Sha256);
        Assert.True((await SendMediaAsync(h, alice, MessageTarget.ToUser("bob"), "image", new { fileId = sent.Id })).Succeeded);

        Assert.Equal(0, await service.SweepOrphansAsync(DateTimeOffset.UtcNow.AddHours(-1), default)); // all too young
        Assert.Equal(3, await service.SweepOrphansAsync(DateTimeOffset.UtcNow.AddSeconds(1), default));

        var store = h.Get<IFileStore>();
        Assert.NotNull(await store.GetAsync(sent.Id));
        Assert.NotNull(await store.GetAsync(avatar.Id));
        Assert.Null(await store.GetAsync(orphan.Id));
        Assert.Null(await store.GetAsync(twinA.Id));
        Assert.Null(await blobs.GetSizeAsync(orphan.Sha256));
        Assert.Null(await blobs.GetSizeAsync(twinA.Sha256));
        Assert.NotNull(await blobs.GetSizeAsync(sent.Sha256));
        Assert.NotNull(await blobs.GetSizeAsync(avatar.Sha256));
    }

    [Fact]
    public async Task A_blob_shared_by_two_records_survives_until_the_last_one_goes()
    {
        await using var h = await EngineHarness.StartAsync();
        var alice = await h.UserAsync("alice");
        await h.UserAsync("bob");
        var kept = await UploadAsync(h, alice);
        var twin = await UploadAsync(h, alice);
        Assert.Equal(kept.Sha256, twin.Sha256);
        Assert.True((await SendMediaAsync(h, alice, MessageTarget.ToUser("bob"), "image", new { fileId = kept.Id })).Succeeded);
        Assert.Equal(1, await h.Get<FileService>().SweepOrphansAsync(DateTimeOffset.UtcNow.AddSeconds(1), default));
        Assert.NotNull(await h.Get<IBlobStore>().GetSizeAsync(kept.Sha256));
        await using var read = await h.Get<FileService>().OpenAsync(kept, 0, null, default);
        Assert.NotNull(read);
    }

    [Fact]
    public async Task Uploads_are_refused_by_kind_type_and_size_and_reading_stops_at_the_limit()
    {
        await using var h = await EngineHarness.StartAsync(o => o.Files.MaxFileBytes = 100_000);
        var alice = await h.UserAsync("alice");
        var service = h.Get<FileService>();

        var huge = new GeneratedStream(1L << 40);
        var tooLarge = await Assert.ThrowsAsync<ParleyException>(() => service.UploadAsync(alice.Id, "file", huge, null, "big.bin", default));
        Assert.Equal((ParleyErrorKind.TooLarge, ErrorCodes.TooLarge), (tooLarge.Kind, tooLarge.Code));
        Assert.InRange(huge.Produced, 100_001, 100_000 + 128 * 1024); // it stopped right after the limit

        var exe = await Assert.ThrowsAsync<ParleyException>(() => UploadAsync(h, alice, "image", [.. FileRulesTests.WindowsExe, .. new byte[100]], "image/png"));
        Assert.Equal((ParleyErrorKind.UnsupportedMediaType, ErrorCodes.UnsupportedMediaType), (exe.Kind, exe.Code));
        var empty = await Assert.ThrowsAsync<ParleyException>(() => UploadAsync(h, alice, "file", [], null));
        Assert.Equal(ParleyErrorKind.Validation, empty.Kind);
        var kind = await Assert.ThrowsAsync<ParleyException>(() => UploadAsync(h, alice, "sticker"));
        Assert.Equal(ParleyErrorKind.Validation, kind.Kind);

        // nothing of the refused uploads was kept
        var root = Path.Combine(h.Get<Options.ParleyOptions>().DataDirectory, "files");
        Assert.Empty(Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories));
    }
}
