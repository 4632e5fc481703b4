using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Parley.BrowserTests.Infrastructure;

/// <summary>One person in one browser profile, with the steps the tests share (sign up, open a chat, send).</summary>
public sealed class UserPage(BrowserFixture fixture, IBrowserContext context, IPage page) : IAsyncDisposable
{
    private readonly List<string> _errors = [];
    private bool _watching;

    public IBrowserContext Context { get; } = context;
    public IPage Page { get; private set; } = page;
    public string Account { get; private set; } = "";
    public string DisplayName { get; private set; } = "";

    /// <summary>Uncaught script errors, failed console errors and CSP violations seen so far.</summary>
    public IReadOnlyList<string> Errors => _errors;

    private void Watch(IPage p)
    {
        p.PageError += (_, e) => _errors.Add("pageerror: " + e);
        p.Console += (_, m) =>
        {
            // a refused upload or a 404 while probing is reported by the browser itself; the page handles both
            if (m.Type == "error" && !m.Text.Contains("Failed to load resource", StringComparison.Ordinal)) _errors.Add("console: " + m.Text);
        };
    }

    public async Task GotoAsync(string path = "/")
    {
        if (!_watching) { Watch(Page); _watching = true; }
        await Page.GotoAsync(path);
    }

    /// <summary>Registers through the page and ends signed in on the conversation list.</summary>
    public async Task RegisterAsync(string name, string? displayName = null, string password = "correct horse 1")
    {
        Account = fixture.NewAccount(name);
        DisplayName = displayName ?? char.ToUpperInvariant(name[0]) + name[1..];
        await GotoAsync("/register");
        await Page.GetByLabel("Account name").FillAsync(Account);
        await Page.GetByLabel("Display name").FillAsync(DisplayName);
        await Page.GetByLabel("Password").FillAsync(password);
        await Page.GetByRole(AriaRole.Button, new() { Name = "Create account" }).ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Chats" })).ToBeVisibleAsync();
        await Expect(Page.Locator(".conn-status")).ToHaveTextAsync("Online");
    }

    /// <summary>Signs in through the page as an account made elsewhere (REST).</summary>
    public async Task SignInAsync(string account, string displayName, string password = "password123")
    {
        Account = account;
        DisplayName = displayName;
        await GotoAsync("/login");
        await Page.GetByLabel("Account").FillAsync(account);
        await Page.GetByLabel("Password").FillAsync(password);
        await Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(Page.Locator(".conn-status")).ToHaveTextAsync("Online");
    }

    /// <summary>Closes the tab and opens a new one in the same profile (same stored session).</summary>
    public async Task ReopenAsync(string path = "/")
    {
        await Page.CloseAsync();
        Page = await Context.NewPageAsync();
        Watch(Page);
        await Page.GotoAsync(path);
    }

    public ILocator Conversation(string title) => Page.Locator(".conv-item", new() { Has = Page.Locator(".conv-name", new() { HasTextString = title }) });

    public async Task OpenConversationAsync(string title)
    {
        await Conversation(title).ClickAsync();
        await Expect(Page.Locator(".chat-title h2")).ToHaveTextAsync(title);
    }

    public ILocator Composer => Page.GetByRole(AriaRole.Textbox, new() { Name = "Message" });

    /// <summary>Types a message and sends it with Enter.</summary>
    public async Task SendAsync(string text)
    {
        await Composer.FillAsync(text);
        await Composer.PressAsync("Enter");
        await Expect(Composer).ToHaveValueAsync("");
    }

    /// <summary>Bubbles in the open conversation.</summary>
    public ILocator Messages => Page.Locator(".msg-list > li.msg");

    public ILocator Message(string text) => Page.Locator(".msg-list > li.msg", new() { Has = Page.Locator(".msg-text", new() { HasTextRegex = new Regex("^" + Regex.Escape(text) + "$") }) });

    public ILocator Dialog(string title) => Page.GetByRole(AriaRole.Dialog, new() { Name = title });

    public async Task ScreenshotAsync(string name) =>
        await Page.ScreenshotAsync(new() { Path = Path.Combine(fixture.ScreenshotDirectory, name + ".png"), Animations = ScreenshotAnimations.Disabled });

    /// <summary>Fails with what the page reported if a script error or a CSP violation happened.</summary>
    public void AssertNoErrors() => Assert.True(_errors.Count == 0, string.Join("\n", _errors));

    public async ValueTask DisposeAsync() => await Context.CloseAsync();
}
