using Microsoft.Playwright;
using Parley.BrowserTests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Parley.BrowserTests;

[Collection(BrowserCollection.Name)]
public sealed class MediaPageTests(BrowserFixture fixture)
{
    private async Task<(UserPage Kim, UserPage Leo)> PairAsync()
    {
        var kimUser = await fixture.Server.CreateUserAsync(fixture.NewAccount("kim"));
        var leoUser = await fixture.Server.CreateUserAsync(fixture.NewAccount("leo"));
        await fixture.BefriendAsync(kimUser, leoUser);
        var kim = await fixture.OpenAsync();
        var leo = await fixture.OpenAsync();
        await kim.SignInAsync(kimUser.Account, kimUser.Account.ToUpperInvariant());
        await leo.SignInAsync(leoUser.Account, leoUser.Account.ToUpperInvariant());
        await kim.Page.GetByRole(AriaRole.Searchbox, new() { Name = "Search conversations and people" }).FillAsync(leo.Account);
        await kim.Page.GetByRole(AriaRole.Button, new() { NameRegex = new(leo.DisplayName) }).ClickAsync();
        await kim.SendAsync("media coming");
        await leo.OpenConversationAsync(kim.DisplayName);
        return (kim, leo);
    }

    private static Task AttachAsync(UserPage user, string name, string type, byte[] bytes) =>
        user.Page.Locator(".composer input[type=file]").SetInputFilesAsync(new FilePayload { Name = name, MimeType = type, Buffer = bytes });

    [Fact]
    public async Task An_image_and_an_audio_clip_are_sent_and_shown_inline()
    {
        var (kim, leo) = await PairAsync();
        await using var _ = kim;
        await using var __ = leo;

        await AttachAsync(kim, "sunset.png", "image/png", TestMedia.Png(320, 200));
        var image = leo.Page.GetByRole(AriaRole.Button, new() { Name = "Image sunset.png, open full size" });
        await Expect(image).ToBeVisibleAsync();
        // the bytes really arrived (through ?access_token=), and the box was reserved at the right shape
        await Expect(image.Locator("img")).ToHaveJSPropertyAsync("naturalWidth", 320);
        Assert.Equal("320", await image.Locator("img").GetAttributeAsync("width"));
        Assert.Equal("200", await image.Locator("img").GetAttributeAsync("height"));
        await Expect(kim.Conversation(leo.DisplayName).Locator(".conv-preview")).ToHaveTextAsync("You: 📷 Photo");

        await image.ClickAsync();
        var viewer = leo.Dialog("sunset.png");
        await Expect(viewer.Locator("img")).ToHaveJSPropertyAsync("naturalHeight", 200);
        await Expect(viewer.GetByRole(AriaRole.Link, new() { Name = "Download" })).ToBeVisibleAsync();
        await leo.ScreenshotAsync("desktop-image-viewer");
        await viewer.GetByRole(AriaRole.Button, new() { Name = "Close" }).ClickAsync();

        await AttachAsync(leo, "hello.wav", "audio/wav", TestMedia.Wav(1.5));
        var audio = kim.Page.Locator("audio[aria-label='Audio hello.wav']");
        await Expect(audio).ToBeVisibleAsync();
        // the player loaded the clip's metadata: its duration is that of the file
        await kim.Page.WaitForFunctionAsync("a => a.readyState >= 1 && Math.abs(a.duration - 1.5) < 0.1", await audio.ElementHandleAsync());
        await Expect(kim.Page.Locator(".media-audio .media-caption")).ToHaveTextAsync("hello.wav · 0:01");

        await AttachAsync(kim, "notes.txt", "text/plain", "plain notes\n"u8.ToArray());
        var file = leo.Page.GetByRole(AriaRole.Link, new() { NameRegex = new("^Download notes.txt") });
        await Expect(file).ToBeVisibleAsync();
        Assert.Contains("/api/files/", await file.GetAttributeAsync("href"));

        await Expect(leo.Messages).ToHaveCountAsync(4);
        await leo.ScreenshotAsync("desktop-media");
        await leo.Page.SetViewportSizeAsync(390, 844);
        await leo.ScreenshotAsync("phone-media");
        kim.AssertNoErrors();
        leo.AssertNoErrors();
    }

    [Fact]
    public async Task A_refused_file_says_why_and_sends_nothing()
    {
        var (kim, leo) = await PairAsync();
        await using var _ = kim;
        await using var __ = leo;

        // claims to be a picture, is not
        await AttachAsync(kim, "fake.png", "image/png", "not a picture at all"u8.ToArray());
        await Expect(kim.Page.GetByRole(AriaRole.Alert)).ToContainTextAsync("“fake.png” is a type of file that cannot be sent.");

        // over the server's limit for files (set small for these tests)
        await AttachAsync(kim, "big.bin", "application/octet-stream", new byte[BrowserFixture.MaxFileBytes + 1]);
        await Expect(kim.Page.GetByRole(AriaRole.Alert)).ToContainTextAsync("“big.bin” is too large to send.");
        await kim.ScreenshotAsync("desktop-refused-file");

        await Expect(kim.Page.Locator(".uploads .upload")).ToHaveCountAsync(0);
        await Expect(kim.Messages).ToHaveCountAsync(1);
        await kim.SendAsync("still here");
        await Expect(leo.Page.Locator(".msg-list .msg-text")).ToHaveTextAsync(["media coming", "still here"]);
    }

    [Fact]
    public async Task A_new_avatar_shows_for_its_owner_and_for_others()
    {
        var (kim, leo) = await PairAsync();
        await using var _ = kim;
        await using var __ = leo;

        await kim.Page.GetByRole(AriaRole.Button, new() { Name = "Profile and settings" }).ClickAsync();
        var settings = kim.Dialog("Profile and settings");
        await settings.Locator("input[type=file]").SetInputFilesAsync(new FilePayload { Name = "me.png", MimeType = "image/png", Buffer = TestMedia.Png(96, 96) });
        await Expect(kim.Page.GetByRole(AriaRole.Status).Filter(new() { HasTextString = "Profile photo updated." })).ToBeVisibleAsync();
        await Expect(settings.Locator(".avatar-edit img")).ToHaveJSPropertyAsync("naturalWidth", 96);
        await Expect(kim.Page.Locator(".me-btn img")).ToHaveJSPropertyAsync("naturalWidth", 96);
        await settings.GetByRole(AriaRole.Button, new() { Name = "Close" }).ClickAsync();

        // someone else sees it after their list refreshes (a reload here)
        await leo.Page.ReloadAsync();
        await Expect(leo.Conversation(kim.DisplayName).Locator(".avatar img")).ToHaveJSPropertyAsync("naturalWidth", 96);
        await leo.OpenConversationAsync(kim.DisplayName);
        await Expect(leo.Page.Locator(".chat-head .avatar img")).ToHaveJSPropertyAsync("naturalWidth", 96);
        await leo.ScreenshotAsync("desktop-avatar");

        // a file that is not a picture is refused with a message
        await kim.Page.GetByRole(AriaRole.Button, new() { Name = "Profile and settings" }).ClickAsync();
        await kim.Dialog("Profile and settings").Locator("input[type=file]")
            .SetInputFilesAsync(new FilePayload { Name = "me.txt", MimeType = "text/plain", Buffer = "hello"u8.ToArray() });
        await Expect(kim.Page.GetByRole(AriaRole.Alert)).ToContainTextAsync("not a picture");
        kim.AssertNoErrors();
        leo.AssertNoErrors();
    }

    [Fact]
    public async Task An_upload_shows_its_progress_and_can_be_cancelled()
    {
        var (kim, leo) = await PairAsync();
        await using var _ = kim;
        await using var __ = leo;
        // a slow uplink (Chromium's own throttling), so the progress is there to see
        var cdp = await kim.Context.NewCDPSessionAsync(kim.Page);
        await cdp.SendAsync("Network.enable");
        await cdp.SendAsync("Network.emulateNetworkConditions", new Dictionary<string, object>
        {
            ["offline"] = false, ["latency"] = 0, ["downloadThroughput"] = -1, ["uploadThroughput"] = 48 * 1024,
        });

        await AttachAsync(kim, "slow.bin", "application/octet-stream", new byte[200 * 1024]);
        var progress = kim.Page.GetByRole(AriaRole.Progressbar, new() { Name = "Uploading slow.bin" });
        await Expect(progress).ToBeVisibleAsync();
        await kim.Page.WaitForFunctionAsync("p => p.value > 0 && p.value < 100", await progress.ElementHandleAsync());
        await kim.ScreenshotAsync("desktop-upload-progress");
        await Expect(leo.Page.GetByRole(AriaRole.Link, new() { NameRegex = new("^Download slow.bin") })).ToBeVisibleAsync();
        await Expect(progress).ToHaveCountAsync(0);

        await AttachAsync(kim, "cancelled.bin", "application/octet-stream", new byte[200 * 1024]);
        await Expect(kim.Page.GetByRole(AriaRole.Progressbar, new() { Name = "Uploading cancelled.bin" })).ToBeVisibleAsync();
        await kim.Page.GetByRole(AriaRole.Button, new() { Name = "Cancel upload of cancelled.bin" }).ClickAsync();
        await Expect(kim.Page.Locator(".uploads .upload")).ToHaveCountAsync(0);
        await kim.SendAsync("after the cancel");
        await Expect(leo.Page.Locator(".msg-list > li.msg")).ToHaveCountAsync(3);
        await Expect(leo.Page.GetByRole(AriaRole.Link, new() { NameRegex = new("cancelled.bin") })).ToHaveCountAsync(0);
        await Expect(kim.Page.GetByRole(AriaRole.Alert)).ToHaveCountAsync(0);
        kim.AssertNoErrors();
    }
}
