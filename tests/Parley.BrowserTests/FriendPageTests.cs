using System.Net.Http.Json;
using Microsoft.Playwright;
using Parley.BrowserTests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Parley.BrowserTests;

[Collection(BrowserCollection.Name)]
public sealed class FriendPageTests(BrowserFixture fixture)
{
    [Fact]
    public async Task A_request_shows_up_while_the_page_is_open_and_its_acceptance_reaches_the_asker()
    {
        var pia = await fixture.Server.CreateUserAsync(fixture.NewAccount("pia"));
        var rex = await fixture.Server.CreateUserAsync(fixture.NewAccount("rex"));
        await using var page = await fixture.OpenAsync();
        await page.SignInAsync(pia.Account, pia.Account.ToUpperInvariant());
        var rexName = rex.Account.ToUpperInvariant();
        var friendsButton = page.Page.GetByRole(AriaRole.Button, new() { NameRegex = new("^Friends") });
        await Expect(friendsButton).ToHaveAttributeAsync("aria-label", "Friends");

        // Rex asks (through the API) while Pia's page is open: no reload, no poll, the badge counts it.
        using var rexHttp = fixture.Server.CreateHttpClient(rex.Token);
        (await rexHttp.PostAsync("api/friends/requests", System.Net.Http.Json.JsonContent.Create(new { user = pia.Account }))
            .WaitAsync(BrowserFixture.Timeout)).EnsureSuccessStatusCode();
        await Expect(friendsButton).ToHaveAttributeAsync("aria-label", "Friends, 1 new request");

        // With the list open, Rex withdraws and asks again: the list follows both.
        await friendsButton.ClickAsync();
        var friends = page.Dialog("Friends");
        var accept = friends.GetByRole(AriaRole.Button, new() { Name = $"Accept {rexName}" });
        await Expect(accept).ToBeVisibleAsync();
        var pending = await rexHttp.GetFromJsonAsync<System.Text.Json.JsonElement>("api/friends/requests").WaitAsync(BrowserFixture.Timeout);
        (await rexHttp.DeleteAsync($"api/friends/requests/{pending[0].GetProperty("id").GetInt64()}").WaitAsync(BrowserFixture.Timeout)).EnsureSuccessStatusCode();
        await Expect(friends.GetByText("No requests waiting for you.")).ToBeVisibleAsync();
        await Expect(friendsButton).ToHaveAttributeAsync("aria-label", "Friends");
        (await rexHttp.PostAsync("api/friends/requests", System.Net.Http.Json.JsonContent.Create(new { user = pia.Account }))
            .WaitAsync(BrowserFixture.Timeout)).EnsureSuccessStatusCode();
        await accept.ClickAsync();
        await friends.GetByRole(AriaRole.Tab, new() { Name = "Friends", Exact = true }).ClickAsync();
        await Expect(friends.GetByRole(AriaRole.Button, new() { Name = $"Remove {rexName} from friends" })).ToBeVisibleAsync();
        page.AssertNoErrors();
    }

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
