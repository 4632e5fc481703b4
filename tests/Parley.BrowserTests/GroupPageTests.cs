using Microsoft.Playwright;
using Parley.BrowserTests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Parley.BrowserTests;

[Collection(BrowserCollection.Name)]
public sealed class GroupPageTests(BrowserFixture fixture)
{
    [Fact]
    public async Task Three_people_create_join_chat_see_who_is_online_and_leave()
    {
        await using var carol = await fixture.OpenAsync();
        await using var dave = await fixture.OpenAsync();
        var erin = await fixture.OpenAsync();
        await carol.RegisterAsync("carol", "Carol Cooper");
        await dave.RegisterAsync("dave", "Dave Dune");
        await erin.RegisterAsync("erin", "Erin East");
        var groupName = "Weekend trip " + carol.Account;

        await carol.Page.GetByRole(AriaRole.Button, new() { Name = "Groups" }).ClickAsync();
        var groups = carol.Dialog("Groups");
        await groups.GetByLabel("Group name").FillAsync(groupName);
        await groups.GetByRole(AriaRole.Button, new() { Name = "Create group" }).ClickAsync();
        await Expect(carol.Page.Locator(".chat-title h2")).ToHaveTextAsync(groupName);
        await Expect(carol.Page.Locator(".chat-sub")).ToHaveTextAsync("1 member, 1 online");

        foreach (var member in new[] { dave, erin })
        {
            await member.Page.GetByRole(AriaRole.Button, new() { Name = "Groups" }).ClickAsync();
            var find = member.Dialog("Groups");
            await find.GetByRole(AriaRole.Tab, new() { Name = "Find a group" }).ClickAsync();
            await find.GetByRole(AriaRole.Searchbox, new() { Name = "Search open groups" }).FillAsync(carol.Account);
            await find.GetByRole(AriaRole.Button, new() { Name = $"Join {groupName}" }).ClickAsync();
            await Expect(member.Page.Locator(".chat-title h2")).ToHaveTextAsync(groupName);
        }

        await carol.SendAsync("Welcome, both of you!");
        await dave.SendAsync("Thanks Carol");
        await erin.SendAsync("Hi all 🙂");
        string[] expected = ["Welcome, both of you!", "Thanks Carol", "Hi all 🙂"];
        foreach (var member in new[] { carol, dave, erin })
        {
            await Expect(member.Page.Locator(".msg-list .msg-text")).ToHaveTextAsync(expected);
        }
        // others' messages carry their names; one's own do not
        await Expect(dave.Message("Welcome, both of you!").Locator(".msg-name")).ToHaveTextAsync(carol.DisplayName);
        await Expect(dave.Message("Hi all 🙂").Locator(".msg-name")).ToHaveTextAsync(erin.DisplayName);
        await Expect(dave.Message("Thanks Carol").Locator(".msg-name")).ToHaveCountAsync(0);
        await Expect(carol.Page.Locator(".chat-sub")).ToHaveTextAsync("3 members, 3 online");
        // a group message read by someone shows as read to its sender
        await Expect(carol.Message("Welcome, both of you!").Locator(".receipt")).ToHaveAttributeAsync("data-state", "read");
        await carol.ScreenshotAsync("desktop-group");

        // Erin goes away: the others see it
        await erin.DisposeAsync();
        await Expect(carol.Page.Locator(".chat-sub")).ToHaveTextAsync("3 members, 2 online");
        await carol.Page.GetByRole(AriaRole.Button, new() { Name = "Group details" }).ClickAsync();
        var details = carol.Dialog(groupName);
        var members = details.GetByRole(AriaRole.List, new() { Name = "Members" }).Locator(".person-row");
        await Expect(members).ToHaveCountAsync(3);
        await Expect(members.Filter(new() { HasTextString = erin.DisplayName }).Locator(".person-sub")).ToContainTextAsync("offline");
        await Expect(members.Filter(new() { HasTextString = dave.DisplayName }).Locator(".person-sub")).ToContainTextAsync("online");
        await carol.ScreenshotAsync("desktop-group-members");
        await details.GetByRole(AriaRole.Button, new() { Name = "Close" }).ClickAsync();

        // Dave leaves
        await dave.Page.GetByRole(AriaRole.Button, new() { Name = "Group details" }).ClickAsync();
        await dave.Dialog(groupName).GetByRole(AriaRole.Button, new() { Name = "Leave group" }).ClickAsync();
        await dave.Dialog("Please confirm").GetByRole(AriaRole.Button, new() { Name = "Leave" }).ClickAsync();
        await Expect(dave.Conversation(groupName)).ToHaveCountAsync(0);
        await Expect(dave.Page.GetByText("Pick a chat on the left")).ToBeVisibleAsync();
        await carol.SendAsync("Dave left?");
        await Expect(carol.Page.Locator(".chat-sub")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^(2 members, 1 online|3 members, 2 online)$"));

        carol.AssertNoErrors();
        dave.AssertNoErrors();
    }
}
