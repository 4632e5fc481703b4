using System.Text.Json;
using Parley.BrowserTests.Infrastructure;

namespace Parley.BrowserTests;

/// <summary>
/// The page's sync rules (web/js/store.js) driven directly in the browser with a scripted connection: duplicates
/// dropped, a gap held back and filled by a sync, acks and reads sent, receipts applied.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class StoreLogicTests(BrowserFixture fixture)
{
    private const string Harness = """
        async () => {
          const { ChatStore } = await import('/js/store.js');
          const sent = [];
          const conn = new EventTarget();
          conn.state = 'online';
          conn.getToken = () => 'token';
          conn.send = (f) => { sent.push(f); return true; };
          conn.request = (f) => { sent.push(f); return new Promise(() => {}); };
          const api = { user: async () => ({ id: 2, account: 'bob', displayName: 'Bob' }) };
          const store = new ChatStore(api, conn, { id: 1, account: 'me', displayName: 'Me' });
          const frame = (f) => conn.dispatchEvent(new CustomEvent('frame', { detail: f }));
          const msg = (seq, from = 2) => ({ type: 'message', message: { conversation: 'd:1:2', seq, from, fromName: from === 2 ? 'bob' : 'me', kind: 'text', text: 'm' + seq, ts: 1000 + seq } });
          const wait = (ms) => new Promise((r) => setTimeout(r, ms));
          const c = store.applyConversation({ conversation: 'd:1:2', lastSeq: 3, deliveredSeq: 3, readSeq: 3, unread: 0, lastMessage: msg(3).message });
          const steps = {};

          frame(msg(4));
          frame(msg(4));
          frame(msg(2));
          steps.afterDuplicates = { lastSeq: c.lastSeq, unread: c.unread };

          frame(msg(6));
          steps.afterGap = { lastSeq: c.lastSeq, unread: c.unread, syncs: sent.filter((f) => f.type === 'sync').map((f) => f.cursors) };

          frame(msg(5));
          steps.afterFill = { lastSeq: c.lastSeq, unread: c.unread, last: c.lastMessage.text };

          await wait(400);
          steps.acks = sent.filter((f) => f.type === 'ack').map((f) => f.seq);

          store.openId = c.id; store.reading = true;
          frame(msg(7));
          steps.whileReading = { unread: c.unread, reads: sent.filter((f) => f.type === 'read').map((f) => f.seq) };

          frame({ type: 'receipt', conversation: 'd:1:2', seq: 7, user: 2, userName: 'bob', status: 'delivered' });
          frame({ type: 'receipt', conversation: 'd:1:2', seq: 5, user: 2, userName: 'bob', status: 'read' });
          steps.receipts = [4, 5, 6, 7, 8].map((s) => store.receiptState(c, s));

          frame({ type: 'removed', conversation: 'd:1:2', seq: 7, messageId: 'x', by: 2, byName: 'bob' });
          steps.removed = c.lastMessage.kind;

          // a conversation never seen before starts at its first message, without asking for old history
          frame({ type: 'message', message: { conversation: 'g:9', seq: 41, from: 2, fromName: 'bob', group: 9, kind: 'text', text: 'hi', ts: 5 } });
          const g = store.convs.get('g:9');
          steps.fresh = { lastSeq: g.lastSeq, unread: g.unread, syncs: sent.filter((f) => f.type === 'sync').length };
          return JSON.stringify(steps);
        }
        """;

    [Fact]
    public async Task Duplicates_gaps_acks_reads_receipts_and_removals_follow_the_protocol()
    {
        await using var user = await fixture.OpenAsync();
        await user.GotoAsync("/login");
        var steps = JsonDocument.Parse(await user.Page.EvaluateAsync<string>(Harness)).RootElement;

        Assert.Equal(4, steps.GetProperty("afterDuplicates").GetProperty("lastSeq").GetInt32());
        Assert.Equal(1, steps.GetProperty("afterDuplicates").GetProperty("unread").GetInt32());

        var gap = steps.GetProperty("afterGap");
        Assert.Equal(4, gap.GetProperty("lastSeq").GetInt32());
        Assert.Equal(1, gap.GetProperty("unread").GetInt32());
        Assert.Equal(4, Assert.Single(gap.GetProperty("syncs").EnumerateArray()).GetProperty("d:1:2").GetInt32());

        var fill = steps.GetProperty("afterFill");
        Assert.Equal(6, fill.GetProperty("lastSeq").GetInt32());
        Assert.Equal(3, fill.GetProperty("unread").GetInt32());
        Assert.Equal("m6", fill.GetProperty("last").GetString());

        // acks are batched: one for everything received so far
        Assert.Equal([6], steps.GetProperty("acks").EnumerateArray().Select(a => a.GetInt32()));

        var reading = steps.GetProperty("whileReading");
        Assert.Equal(0, reading.GetProperty("unread").GetInt32());
        Assert.Equal([7], reading.GetProperty("reads").EnumerateArray().Select(a => a.GetInt32()));

        Assert.Equal(["read", "read", "delivered", "delivered", "sent"], steps.GetProperty("receipts").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal("removed", steps.GetProperty("removed").GetString());

        var fresh = steps.GetProperty("fresh");
        Assert.Equal(41, fresh.GetProperty("lastSeq").GetInt32());
        Assert.Equal(1, fresh.GetProperty("unread").GetInt32());
        Assert.Equal(1, fresh.GetProperty("syncs").GetInt32());
        user.AssertNoErrors();
    }
}
