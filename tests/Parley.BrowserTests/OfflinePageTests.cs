using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Parley.BrowserTests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Parley.BrowserTests;

[Collection(BrowserCollection.Name)]
public sealed class OfflinePageTests(BrowserFixture fixture)
{
    [Fact]
    public async Task A_user_who_drops_off_gets_what_was_missed_once_and_in_order()
    {
        var frankUser = await fixture.Server.CreateUserAsync(fixture.NewAccount("frank"));
        var graceUser = await fixture.Server.CreateUserAsync(fixture.NewAccount("grace"));
        await fixture.BefriendAsync(frankUser, graceUser);
        await using var frank = await fixture.OpenAsync();
        await using var grace = await fixture.OpenAsync();
        await frank.SignInAsync(frankUser.Account, frankUser.Account.ToUpperInvariant());
        await grace.SignInAsync(graceUser.Account, graceUser.Account.ToUpperInvariant());

        await frank.Page.GetByRole(AriaRole.Searchbox, new() { Name = "Search conversations and people" }).FillAsync(grace.Account);
        await frank.Page.GetByRole(AriaRole.Button, new() { NameRegex = new(grace.DisplayName) }).ClickAsync();
        await frank.SendAsync("before 1");
        await grace.OpenConversationAsync(frank.DisplayName);
        await Expect(grace.Message("before 1")).ToBeVisibleAsync();

        // Grace's network goes away: she sees it, and writes anyway
        await grace.Context.SetOfflineAsync(true);
        await Expect(grace.Page.GetByRole(AriaRole.Status).Filter(new() { HasTextString = "Reconnecting" }).First).ToBeVisibleAsync();
        await Expect(grace.Page.Locator(".conn-status")).ToHaveTextAsync("Reconnecting…");
        await grace.SendAsync("written offline");
        await Expect(grace.Message("written offline").Locator(".receipt")).ToHaveAttributeAsync("data-state", "sending");
        await grace.ScreenshotAsync("desktop-reconnecting");

        for (var i = 1; i <= 3; i++) await frank.SendAsync($"while away {i}");
        await Expect(frank.Message("while away 3").Locator(".receipt")).ToHaveAttributeAsync("data-state", "sent");
        await Expect(grace.Message("while away 1")).ToHaveCountAsync(0);

        // back: the banner goes, the missed messages arrive once, and then the offline one is sent (once): the
        // server's order, which both sides show
        await grace.Context.SetOfflineAsync(false);
        await Expect(grace.Page.Locator(".conn-status")).ToHaveTextAsync("Online");
        await Expect(grace.Page.Locator(".banner")).ToBeHiddenAsync();
        string[] afterReturn = ["before 1", "while away 1", "while away 2", "while away 3", "written offline"];
        await Expect(grace.Page.Locator(".msg-list .msg-text")).ToHaveTextAsync(afterReturn);
        await Expect(frank.Page.Locator(".msg-list .msg-text")).ToHaveTextAsync(afterReturn);
        await Expect(frank.Message("written offline")).ToHaveCountAsync(1);
        await Expect(grace.Message("written offline").Locator(".receipt")).Not.ToHaveAttributeAsync("data-state", "sending");

        // gone altogether (tab closed): on return the list says what is new and the conversation has it all
        await grace.Page.CloseAsync();
        await frank.SendAsync("while closed 1");
        await frank.SendAsync("while closed 2");
        await Expect(frank.Message("while closed 2").Locator(".receipt")).ToHaveAttributeAsync("data-state", "sent");
        await grace.ReopenAsync();
        await Expect(grace.Conversation(frank.DisplayName).Locator(".badge")).ToHaveTextAsync("2");
        await Expect(grace.Message("while closed 2")).ToHaveCountAsync(0);
        await grace.OpenConversationAsync(frank.DisplayName);
        await Expect(grace.Page.Locator(".msg-list .msg-text")).ToHaveTextAsync(
            [.. afterReturn, "while closed 1", "while closed 2"]);
        await Expect(frank.Message("while closed 2").Locator(".receipt")).ToHaveAttributeAsync("data-state", "read");
        frank.AssertNoErrors();
        grace.AssertNoErrors();
    }
}
