using Microsoft.Playwright;
using Parley.BrowserTests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Parley.BrowserTests;

[Collection(BrowserCollection.Name)]
public sealed class FriendPageTests(BrowserFixture fixture)
{
    [Fact]
    public async Task Requests_are_declined_cancelled_and_friends_removed_blocked_and_unblocked()
    {
        var mia = await fixture.Server.CreateUserAsync(fixture.NewAccount("mia"));
        var ned = await fixture.Server.CreateUserAsync(fixture.NewAccount("ned"));
        var oli = await fixture.Server.CreateUserAsync(fixture.NewAccount("oli"));
        await fixture.BefriendAsync(mia, oli);
        await using var page = await fixture.OpenAsync();
        await page.SignInAsync(mia.Account, mia.Account.ToUpperInvariant());
        var nedName = ned.Account.ToUpperInvariant();
        var oliName = oli.Account.ToUpperInvariant();

        // Ned asks Mia (through the API); she declines in the page
        using (var http = fixture.Server.CreateHttpClient(ned.Token))
        {
            (await http.PostAsync("api/friends/requests", System.Net.Http.Json.JsonContent.Create(new { user = mia.Account }))
                .WaitAsync(BrowserFixture.Timeout)).EnsureSuccessStatusCode();
        }
        await page.Page.GetByRole(AriaRole.Button, new() { NameRegex = new("^Friends") }).ClickAsync();
        var friends = page.Dialog("Friends");
        await Expect(friends.GetByRole(AriaRole.Tab, new() { Name = "Requests" })).ToHaveAttributeAsync("aria-selected", "true");
        await friends.GetByRole(AriaRole.Button, new() { Name = $"Decline {nedName}" }).ClickAsync();
        await Expect(friends.GetByText("No requests waiting for you.")).ToBeVisibleAsync();

        // she asks Ned herself, then thinks better of it
        await friends.GetByRole(AriaRole.Tab, new() { Name = "Add" }).ClickAsync();
        await friends.GetByRole(AriaRole.Searchbox, new() { Name = "Search by name or account" }).FillAsync(ned.Account);
        await friends.GetByRole(AriaRole.Button, new() { Name = $"Add {nedName} as a friend" }).ClickAsync();
        await friends.GetByRole(AriaRole.Tab, new() { Name = "Requests" }).ClickAsync();
        await friends.GetByRole(AriaRole.Button, new() { Name = $"Cancel request to {nedName}" }).ClickAsync();
        await Expect(friends.GetByText("No requests sent.")).ToBeVisibleAsync();

        // Oli: removed from friends
        await friends.GetByRole(AriaRole.Tab, new() { Name = "Friends", Exact = true }).ClickAsync();
        await friends.GetByRole(AriaRole.Button, new() { Name = $"Remove {oliName} from friends" }).ClickAsync();
        await page.Dialog("Please confirm").GetByRole(AriaRole.Button, new() { Name = "Remove" }).ClickAsync();
        await Expect(friends.GetByText("No friends yet.")).ToBeVisibleAsync();
        await friends.GetByRole(AriaRole.Button, new() { Name = "Close" }).ClickAsync();

        // Ned: blocked from his contact card; then a message to him is refused, and unblocking works
        await page.Page.GetByRole(AriaRole.Searchbox, new() { Name = "Search conversations and people" }).FillAsync(ned.Account);
        await page.Page.GetByRole(AriaRole.Button, new() { NameRegex = new(nedName) }).ClickAsync();
        await page.Page.GetByRole(AriaRole.Button, new() { Name = "Contact details" }).ClickAsync();
        var card = page.Dialog(nedName);
        await card.GetByRole(AriaRole.Button, new() { Name = "Block" }).ClickAsync();
        await page.Dialog("Please confirm").GetByRole(AriaRole.Button, new() { Name = "Block" }).ClickAsync();
        card = page.Dialog(nedName);
        await Expect(card.GetByText("blocked", new() { Exact = false })).ToBeVisibleAsync();
        await card.GetByRole(AriaRole.Button, new() { Name = "Close" }).ClickAsync();
        await page.SendAsync("are you there?");
        await Expect(page.Page.Locator(".msg-failed")).ToContainTextAsync("Not sent");
        await page.ScreenshotAsync("desktop-blocked-send");
        await page.Page.Locator(".msg-failed").GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync();
        await Expect(page.Messages).ToHaveCountAsync(0);

        await page.Page.GetByRole(AriaRole.Button, new() { NameRegex = new("^Friends") }).ClickAsync();
        friends = page.Dialog("Friends");
        await friends.GetByRole(AriaRole.Tab, new() { Name = "Blocked" }).ClickAsync();
        await friends.GetByRole(AriaRole.Button, new() { Name = $"Unblock {nedName}" }).ClickAsync();
        await Expect(friends.GetByText("You have not blocked anyone.")).ToBeVisibleAsync();
        await friends.GetByRole(AriaRole.Button, new() { Name = "Close" }).ClickAsync();
        await page.SendAsync("sorry about that");
        await Expect(page.Message("sorry about that").Locator(".receipt")).Not.ToHaveAttributeAsync("data-state", "sending");
        await Expect(page.Page.Locator(".msg-failed")).ToHaveCountAsync(0);
        page.AssertNoErrors();
    }
}
