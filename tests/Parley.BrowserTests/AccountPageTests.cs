using Microsoft.Playwright;
using Parley.BrowserTests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Parley.BrowserTests;

[Collection(BrowserCollection.Name)]
public sealed class AccountPageTests(BrowserFixture fixture)
{
    [Fact]
    public async Task Register_stay_signed_in_across_reloads_sign_out_and_back_in()
    {
        await using var user = await fixture.OpenAsync();
        await user.GotoAsync("/");
        await Expect(user.Page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/login$"));
        await user.ScreenshotAsync("desktop-sign-in");

        await user.RegisterAsync("ann", "Ann Example");
        await Expect(user.Page.GetByText("No conversations yet.")).ToBeVisibleAsync();

        await user.Page.ReloadAsync();
        await Expect(user.Page.GetByRole(AriaRole.Heading, new() { Name = "Chats" })).ToBeVisibleAsync();
        await Expect(user.Page.Locator(".conn-status")).ToHaveTextAsync("Online");

        await user.Page.GetByRole(AriaRole.Button, new() { Name = "Profile and settings" }).ClickAsync();
        var settings = user.Dialog("Profile and settings");
        await Expect(settings.GetByText("@" + user.Account)).ToBeVisibleAsync();
        await settings.GetByRole(AriaRole.Button, new() { Name = "Sign out", Exact = true }).ClickAsync();
        await Expect(user.Page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/login$"));

        // the old token was revoked on the server, and a reload stays signed out
        await user.Page.ReloadAsync();
        await Expect(user.Page.GetByRole(AriaRole.Heading, new() { Name = "Sign in" })).ToBeVisibleAsync();

        await user.Page.GetByLabel("Account").FillAsync(user.Account);
        await user.Page.GetByLabel("Password").FillAsync("wrong password");
        await user.Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(user.Page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("Wrong account name or password.");

        await user.Page.GetByLabel("Password").FillAsync("correct horse 1");
        await user.Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(user.Page.GetByRole(AriaRole.Heading, new() { Name = "Chats" })).ToBeVisibleAsync();
        user.AssertNoErrors();
    }

    [Fact]
    public async Task Registration_shows_why_it_was_refused()
    {
        await using var first = await fixture.OpenAsync();
        await first.RegisterAsync("taken");

        await using var second = await fixture.OpenAsync();
        await second.GotoAsync("/register");
        await second.Page.GetByLabel("Account name").FillAsync(first.Account);
        await second.Page.GetByLabel("Display name").FillAsync("Someone Else");
        await second.Page.GetByLabel("Password").FillAsync("long enough 1");
        await second.Page.GetByRole(AriaRole.Button, new() { Name = "Create account" }).ClickAsync();
        await Expect(second.Page.GetByRole(AriaRole.Alert)).ToContainTextAsync("taken");
        await Expect(second.Page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/register$"));
        second.AssertNoErrors();
    }
}
