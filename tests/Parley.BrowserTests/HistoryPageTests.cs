using System.Net.Http.Json;
using Microsoft.Playwright;
using Parley.BrowserTests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Parley.BrowserTests;

[Collection(BrowserCollection.Name)]
public sealed class HistoryPageTests(BrowserFixture fixture)
{
    private const int Count = 1000;

    [Fact]
    public async Task A_thousand_messages_page_in_while_scrolling_up_and_new_ones_keep_the_view_at_the_end()
    {
        var henry = await fixture.Server.CreateUserAsync(fixture.NewAccount("henry"));
        var ivy = await fixture.Server.CreateUserAsync(fixture.NewAccount("ivy"));
        using (var http = fixture.Server.CreateHttpClient(henry.Token))
        {
            // one at a time keeps the conversation's order equal to the numbering
            for (var i = 1; i <= Count; i++)
            {
                var sent = await http.PostAsJsonAsync("api/messages", new { to = ivy.Account, text = $"message {i}", clientMsgId = $"h-{i}" })
                    .WaitAsync(BrowserFixture.Timeout);
                sent.EnsureSuccessStatusCode();
            }
        }

        await using var page = await fixture.OpenAsync();
        await page.SignInAsync(ivy.Account, ivy.Account.ToUpperInvariant());
        await Expect(page.Conversation(henry.Account.ToUpperInvariant()).Locator(".badge")).ToHaveTextAsync("99+");
        await page.OpenConversationAsync(henry.Account.ToUpperInvariant());
        await Expect(page.Message($"message {Count}")).ToBeInViewportAsync();
        var list = page.Page.Locator(".messages");

        // scroll to the top again and again: older pages come in above, what was on screen stays where it was
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        var anchorChecked = false;
        while (!await page.Page.GetByText("This is the beginning of the conversation.").IsVisibleAsync())
        {
            Assert.True(DateTime.UtcNow < deadline, "history did not finish loading");
            var before = await page.Messages.CountAsync();
            var top = page.Messages.First;
            var topText = await top.Locator(".msg-text").InnerTextAsync();
            await list.EvaluateAsync("el => el.scrollTop = 0");
            await Expect(page.Messages).Not.ToHaveCountAsync(before);
            if (!anchorChecked)
            {
                // the message that was at the top is still on screen (the list did not jump to the oldest)
                await Expect(page.Message(topText)).ToBeInViewportAsync();
                Assert.True(await list.EvaluateAsync<double>("el => el.scrollTop") > 0);
                anchorChecked = true;
            }
        }
        await Expect(page.Messages).ToHaveCountAsync(Count);
        var seqs = await page.Page.Locator(".msg-list > li.msg").EvaluateAllAsync<long[]>("els => els.map(e => Number(e.dataset.seq))");
        Assert.Equal(Enumerable.Range(1, Count).Select(i => (long)i), seqs);
        Assert.Equal("message 1", await page.Messages.First.Locator(".msg-text").InnerTextAsync());

        // far from the end, a new message does not move the view; a button offers to jump to it
        await list.EvaluateAsync("el => el.scrollTop = 0");
        await Expect(page.Message("message 1")).ToBeInViewportAsync();
        using (var http = fixture.Server.CreateHttpClient(henry.Token))
        {
            (await http.PostAsJsonAsync("api/messages", new { to = ivy.Account, text = "new while reading old" }).WaitAsync(BrowserFixture.Timeout)).EnsureSuccessStatusCode();
            var jump = page.Page.GetByRole(AriaRole.Button, new() { Name = "Jump to latest messages" });
            await Expect(jump).ToBeVisibleAsync();
            await Expect(page.Message("message 1")).ToBeInViewportAsync();
            await jump.ClickAsync();
            await Expect(page.Message("new while reading old")).ToBeInViewportAsync();
            await Expect(jump).ToBeHiddenAsync();

            // at the end, new messages keep the view at the end
            (await http.PostAsJsonAsync("api/messages", new { to = ivy.Account, text = "and one more" }).WaitAsync(BrowserFixture.Timeout)).EnsureSuccessStatusCode();
            await Expect(page.Message("and one more")).ToBeInViewportAsync();
        }
        await Expect(page.Messages).ToHaveCountAsync(Count + 2);
        page.AssertNoErrors();
    }
}
