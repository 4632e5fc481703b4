using Microsoft.Playwright;
using Parley.BrowserTests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Parley.BrowserTests;

[Collection(BrowserCollection.Name)]
public sealed class ChatPageTests(BrowserFixture fixture)
{
    /// <summary>Alice finds Bob, asks to be friends; Bob accepts. Returns with Alice's chat with Bob open.</summary>
    private static async Task BefriendAsync(UserPage alice, UserPage bob)
    {
        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Friends" }).ClickAsync();
        var friends = alice.Dialog("Friends");
        await friends.GetByRole(AriaRole.Tab, new() { Name = "Add" }).ClickAsync();
        await friends.GetByRole(AriaRole.Searchbox, new() { Name = "Search by name or account" }).FillAsync(bob.Account);
        await friends.GetByRole(AriaRole.Button, new() { Name = $"Add {bob.DisplayName} as a friend" }).ClickAsync();
        await Expect(friends.GetByRole(AriaRole.Button, new() { Name = $"Add {bob.DisplayName} as a friend" })).ToHaveTextAsync("Requested");

        // Bob's badge shows the request once the page looks again (it does when the dialog opens)
        await bob.Page.GetByRole(AriaRole.Button, new() { NameRegex = new("^Friends") }).ClickAsync();
        var bobFriends = bob.Dialog("Friends");
        await Expect(bobFriends.GetByRole(AriaRole.Tab, new() { Name = "Requests" })).ToHaveAttributeAsync("aria-selected", "true");
        await bob.ScreenshotAsync("desktop-friend-request");
        await bobFriends.GetByRole(AriaRole.Button, new() { Name = $"Accept {alice.DisplayName}" }).ClickAsync();
        await Expect(bobFriends.GetByText("No requests waiting for you.")).ToBeVisibleAsync();
        await bobFriends.GetByRole(AriaRole.Tab, new() { Name = "Friends", Exact = true }).ClickAsync();
        await Expect(bobFriends.GetByText(alice.DisplayName)).ToBeVisibleAsync();
        await bobFriends.GetByRole(AriaRole.Button, new() { Name = "Close" }).ClickAsync();

        await friends.GetByRole(AriaRole.Tab, new() { Name = "Friends", Exact = true }).ClickAsync();
        await Expect(friends.GetByText(bob.DisplayName)).ToBeVisibleAsync();
        await friends.GetByRole(AriaRole.Button, new() { Name = "Message" }).ClickAsync();
        await Expect(alice.Page.Locator(".chat-title h2")).ToHaveTextAsync(bob.DisplayName);
    }

    [Fact]
    public async Task Two_users_befriend_and_chat_both_ways_with_receipts_and_typing()
    {
        await using var alice = await fixture.OpenAsync();
        await using var bob = await fixture.OpenAsync();
        await alice.RegisterAsync("alice", "Alice Archer");
        await bob.RegisterAsync("bob", "Bob Baker");
        await BefriendAsync(alice, bob);
        await Expect(alice.Page.Locator(".chat-sub")).ToContainTextAsync("online");

        // Alice writes; Bob's page (list only) receives and acknowledges it: Alice sees "Delivered"
        await alice.SendAsync("Hi Bob! 👋");
        var first = alice.Message("Hi Bob! 👋");
        await Expect(first).ToBeVisibleAsync();
        await Expect(bob.Conversation(alice.DisplayName).Locator(".badge")).ToHaveTextAsync("1");
        await Expect(bob.Conversation(alice.DisplayName).Locator(".conv-preview")).ToHaveTextAsync("Hi Bob! 👋");
        await Expect(first.Locator(".receipt")).ToHaveAttributeAsync("data-state", "delivered");

        // Bob opens the conversation: it is read, on both sides
        await bob.OpenConversationAsync(alice.DisplayName);
        await Expect(bob.Message("Hi Bob! 👋")).ToBeVisibleAsync();
        await Expect(bob.Conversation(alice.DisplayName).Locator(".badge")).ToHaveCountAsync(0);
        await Expect(first.Locator(".receipt")).ToHaveAttributeAsync("data-state", "read");

        // Bob types: Alice sees the notice; his multi-line answer ends it
        await bob.Composer.PressSequentiallyAsync("Hello");
        await Expect(alice.Page.Locator(".typing-line")).ToHaveTextAsync($"{bob.DisplayName} is typing…");
        await bob.Composer.PressAsync("Shift+Enter");
        await bob.Composer.PressSequentiallyAsync("how are you?");
        await bob.Composer.PressAsync("Enter");
        var reply = alice.Page.Locator(".msg.other .msg-text", new() { HasTextString = "how are you?" });
        await Expect(reply).ToHaveTextAsync("Hello\nhow are you?");
        await Expect(alice.Page.Locator(".typing-line")).ToHaveTextAsync("");
        await Expect(bob.Message("Hello\nhow are you?").Locator(".receipt")).ToHaveAttributeAsync("data-state", "read");

        // a few more both ways, in order, each once
        for (var i = 1; i <= 3; i++)
        {
            await alice.SendAsync($"ping {i}");
            await Expect(bob.Message($"ping {i}")).ToHaveCountAsync(1);
            await bob.SendAsync($"pong {i}");
            await Expect(alice.Message($"pong {i}")).ToHaveCountAsync(1);
        }
        await Expect(alice.Messages).ToHaveCountAsync(8);
        await Expect(bob.Messages).ToHaveCountAsync(8);
        Assert.Equal(await alice.Page.Locator(".msg-list .msg-text").AllInnerTextsAsync(), await bob.Page.Locator(".msg-list .msg-text").AllInnerTextsAsync());
        await Expect(alice.Page.Locator(".msg.own").Last.Locator(".receipt")).ToHaveAttributeAsync("data-state", "read");

        // read state survives a reload (it comes from the peer's cursor on the server)
        await alice.Page.ReloadAsync();
        await Expect(alice.Message("ping 3").Locator(".receipt")).ToHaveAttributeAsync("data-state", "read");
        await Expect(alice.Messages).ToHaveCountAsync(8);
        await Expect(alice.Page.Locator(".day-sep")).ToHaveTextAsync("Today");

        await alice.ScreenshotAsync("desktop-chat");
        await alice.Page.EmulateMediaAsync(new() { ColorScheme = ColorScheme.Dark });
        await alice.ScreenshotAsync("desktop-chat-dark");
        await bob.Page.SetViewportSizeAsync(390, 844);
        await bob.ScreenshotAsync("phone-chat");
        await bob.Page.GetByRole(AriaRole.Button, new() { Name = "Back to conversations" }).ClickAsync();
        await Expect(bob.Conversation(alice.DisplayName)).ToBeVisibleAsync();
        await bob.ScreenshotAsync("phone-conversations");
        alice.AssertNoErrors();
        bob.AssertNoErrors();
    }
}
