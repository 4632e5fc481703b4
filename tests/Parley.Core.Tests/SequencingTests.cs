using Microsoft.Extensions.DependencyInjection;
using Parley.Abstractions;
using Parley.Abstractions.Stores;
using Parley.Core.Messaging;
using Parley.Core.Services;
using Parley.Storage.Sqlite;

namespace Parley.Core.Tests;

public sealed class SequencingTests
{
    [Fact]
    public async Task Concurrent_senders_get_gap_free_strictly_increasing_sequence_numbers_in_their_own_order()
    {
        await using var h = await EngineHarness.StartAsync();
        var users = new[] { await h.UserAsync("alice"), await h.UserAsync("bob"), await h.UserAsync("carol"), await h.UserAsync("dave") };
        var group = await h.Get<GroupService>().CreateAsync(users[0].Id, "g", false, default);
        foreach (var u in users[1..]) await h.Get<GroupService>().JoinAsync(u.Id, group.Group.Id, default);
        var watcher = h.Connect(users[0]);

        var perSender = await Task.WhenAll(users.Select(async u =>
        {
            var seqs = new List<long>();
            for (var i = 0; i < 50; i++)
            {
                var outcome = await h.SendAsync(u, MessageTarget.ToGroup(group.Group.Id), $"{u.Name}-{i}");
                Assert.True(outcome.Succeeded, outcome.Error);
                seqs.Add(outcome.Message!.Seq);
            }
            return seqs;
        }));

        Assert.Equal(Enumerable.Range(1, 200).Select(i => (long)i), perSender.SelectMany(s => s).Order());
        Assert.All(perSender, seqs => Assert.Equal(seqs.Order(), seqs));
        // Fan-out happens in commit order, so a connection sees the conversation in sequence.
        var received = await watcher.WaitForMessagesAsync(150);
        Assert.Equal(received.Select(m => m.Seq).Order(), received.Select(m => m.Seq));
    }

    [Fact]
    public async Task Concurrent_resends_of_one_client_message_id_make_one_message()
    {
        await using var h = await EngineHarness.StartAsync();
        var alice = await h.UserAsync("alice");
        await h.UserAsync("bob");
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => h.SendAsync(alice, MessageTarget.ToUser("bob"), "once", "cmid-1")));
        Assert.Single(outcomes.Select(o => o.Message!.Id).Distinct());
        Assert.Single(outcomes, o => !o.Duplicate);
        var stored = await h.Get<IMessageStore>().GetMessagesAsync(outcomes[0].Message!.ConversationId, 0, 0, 100, false);
        Assert.Single(stored);
    }

    [Fact]
    public async Task A_failed_commit_fails_its_senders_and_leaves_no_gap()
    {
        FlakyMessageStore? flaky = null;
        await using var h = await EngineHarness.StartAsync(services: s =>
            s.AddSingleton<IMessageStore>(sp => flaky = new FlakyMessageStore(new SqliteMessageStore(sp.GetRequiredService<SqliteDatabase>()))));
        var alice = await h.UserAsync("alice");
        await h.UserAsync("bob");
        Assert.Equal(1, (await h.SendAsync(alice, MessageTarget.ToUser("bob"), "one")).Message!.Seq);

        flaky!.FailNext = 1;
        var failed = await h.SendAsync(alice, MessageTarget.ToUser("bob"), "lost", "retry-me");
        Assert.False(failed.Succeeded);
        Assert.Equal(ErrorCodes.StorageFailed, failed.ErrorCode);

        var retried = await h.SendAsync(alice, MessageTarget.ToUser("bob"), "lost", "retry-me");
        Assert.True(retried.Succeeded);
        Assert.False(retried.Duplicate);
        Assert.Equal(2, retried.Message!.Seq);
        Assert.Equal(3, (await h.SendAsync(alice, MessageTarget.ToUser("bob"), "three")).Message!.Seq);
    }

    [Fact]
    public async Task Rejections_come_back_as_codes_not_exceptions()
    {
        await using var h = await EngineHarness.StartAsync(o => o.Messaging.MaxTextChars = 10);
        var alice = await h.UserAsync("alice");
        Assert.Equal(ErrorCodes.NotFound, (await h.SendAsync(alice, MessageTarget.ToUser("ghost"), "x")).ErrorCode);
        Assert.Equal(ErrorCodes.InvalidField, (await h.SendAsync(alice, MessageTarget.ToUser("alice"), "x")).ErrorCode);
        Assert.Equal(ErrorCodes.TooLarge, (await h.SendAsync(alice, MessageTarget.ToUser("alice"), new string('x', 11))).ErrorCode);
        Assert.Equal(ErrorCodes.InvalidField, (await h.SendAsync(alice, new MessageTarget(null, null, null), "x")).ErrorCode);
        Assert.Equal(ErrorCodes.NotFound, (await h.SendAsync(alice, MessageTarget.ToGroup(42), "x")).ErrorCode);
        Assert.Equal(ErrorCodes.InvalidField, (await h.SendAsync(alice, MessageTarget.ToConversation("d:2:1"), "x")).ErrorCode);
    }
}
