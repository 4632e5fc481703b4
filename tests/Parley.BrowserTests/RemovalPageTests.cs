using Microsoft.Playwright;
using Parley.BrowserTests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Parley.BrowserTests;

[Collection(BrowserCollection.Name)]
public sealed class RemovalPageTests(BrowserFixture fixture)
{
    [Fact]
    public async Task A_sender_removes_a_message_and_both_sides_see_the_tombstone()
    {
        var pia = await fixture.Server.CreateUserAsync(fixture.NewAccount("pia"));
        var quin = await fixture.Server.CreateUserAsync(fixture.NewAccount("quin"));
        await fixture.BefriendAsync(pia, quin);
        await using var sender = await fixture.OpenAsync();
        await using var reader = await fixture.OpenAsync();
        await sender.SignInAsync(pia.Account, pia.Account.ToUpperInvariant());
        await reader.SignInAsync(quin.Account, quin.Account.ToUpperInvariant());
        await sender.Page.GetByRole(AriaRole.Searchbox, new() { Name = "Search conversations and people" }).FillAsync(quin.Account);
        await sender.Page.GetByRole(AriaRole.Button, new() { NameRegex = new(reader.DisplayName) }).ClickAsync();
        await sender.SendAsync("keep this");
        await sender.SendAsync("oops, wrong chat");
        await reader.OpenConversationAsync(sender.DisplayName);
        await Expect(reader.Message("oops, wrong chat")).ToBeVisibleAsync();

        // only one's own messages offer removal
        await Expect(reader.Page.GetByRole(AriaRole.Button, new() { Name = "Remove message" })).ToHaveCountAsync(0);
        var wrong = sender.Message("oops, wrong chat");
        await wrong.HoverAsync();
        await wrong.GetByRole(AriaRole.Button, new() { Name = "Remove message" }).ClickAsync();
        await sender.Dialog("Please confirm").GetByRole(AriaRole.Button, new() { Name = "Remove" }).ClickAsync();

        foreach (var side in new[] { sender, reader })
        {
            await Expect(side.Page.Locator(".msg-list .msg-text")).ToHaveTextAsync(["keep this", "Message removed"]);
        }
        await Expect(reader.Conversation(sender.DisplayName).Locator(".conv-preview")).ToHaveTextAsync("Message removed");
        // and it stays removed after a reload (history holds the tombstone)
        await reader.Page.ReloadAsync();
        await Expect(reader.Page.Locator(".msg-list .msg-text")).ToHaveTextAsync(["keep this", "Message removed"]);
        sender.AssertNoErrors();
        reader.AssertNoErrors();
    }
}
