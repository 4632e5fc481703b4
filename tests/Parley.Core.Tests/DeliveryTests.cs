using Microsoft.Extensions.DependencyInjection;
using Parley.Abstractions;
using Parley.Abstractions.Events;
using Parley.Abstractions.Model;
using Parley.Core.Messaging;
using Parley.Core.Services;
using Parley.Core.Sessions;

namespace Parley.Core.Tests;

public sealed class DeliveryTests
{
    [Fact]
    public async Task A_slow_consumer_is_closed_without_holding_up_others_and_recovers_by_sync()
    {
        await using var h = await EngineHarness.StartAsync(o => o.Connections.OutboundQueueCapacity = 16);
        var alice = await h.UserAsync("alice");
        var bob = await h.UserAsync("bob");
        var slow = h.Connect(bob);
        var fast = h.Connect(bob);
        for (var i = 0; i < 40; i++)
        {
            await h.SendAsync(alice, MessageTarget.ToUser("bob"), $"m{i}");
            fast.Drain();
        }
        // Fan-out runs after the commit: once the fast device has all 40, every delivery to bob's devices was made.
        Assert.Equal(40, (await fast.WaitForMessagesAsync(40)).Count);
        Assert.Equal(DisconnectCode.SlowConsumer, slow.Connection.CloseCode);
        Assert.False(fast.Connection.IsClosed);
        slow.Disconnect();

        var again = h.Connect(bob);
        await h.Engine.SyncAsync(again.Connection, "s", null, null, default);
        var synced = await again.WaitForAsync<SyncedEvent>();
        Assert.False(synced.More);
        Assert.Equal(Enumerable.Range(1, 40).Select(i => (long)i), again.Messages().Select(m => m.Seq));
    }

    [Fact]
    public async Task Messages_reach_every_device_but_not_the_sending_connection()
    {
        await using var h = await EngineHarness.StartAsync();
        var alice = await h.UserAsync("alice");
        var bob = await h.UserAsync("bob");
        var phone = h.Connect(alice);
        var laptop = h.Connect(alice);
        var bobs = h.Connect(bob);
        await h.SendAsync(alice, MessageTarget.ToUser("bob"), "hi", origin: phone);
        Assert.Single(await bobs.WaitForMessagesAsync(1));
        Assert.Single(await laptop.WaitForMessagesAsync(1));
        Assert.Empty(phone.Messages());
    }

    [Fact]
    public async Task Sync_resumes_after_cursors_and_defaults_to_the_delivered_cursor_with_limits()
    {
        // Fan-out runs after the ack: wait until all ten went past the offline bob, or the last may arrive live.
        var offline = new OfflineCounter(10);
        await using var h = await EngineHarness.StartAsync(services: s => s.AddSingleton<Abstractions.Hooks.ParleyHooks>(offline));
        var alice = await h.UserAsync("alice");
        var bob = await h.UserAsync("bob");
        for (var i = 0; i < 10; i++) await h.SendAsync(alice, MessageTarget.ToUser("bob"), $"m{i}");
        await offline.Reached.WaitAsync(TimeSpan.FromSeconds(10));
        var conversation = ConversationId.Direct(alice.Id, bob.Id).Value;
        var device = h.Connect(bob);
        Assert.Null(await h.Engine.AcknowledgeAsync(device.Connection, conversation, 4, default));

        await h.Engine.SyncAsync(device.Connection, "a", null, 3, default);
        var first = await device.WaitForAsync<SyncedEvent>(e => e.RequestId == "a");
        Assert.True(first.More);
        Assert.Equal([5L, 6L, 7L], device.Messages().Select(m => m.Seq));

        await h.Engine.SyncAsync(device.Connection, "b", new Dictionary<string, long> { [conversation] = 8 }, null, default);
        var second = await device.WaitForAsync<SyncedEvent>(e => e.RequestId == "b");
        Assert.False(second.More);
        Assert.Equal(10, second.Cursors[conversation]);
        Assert.Equal([5L, 6L, 7L, 9L, 10L], device.Messages().Select(m => m.Seq));
    }

    [Fact]
    public async Task Presence_reaches_friends_and_fellow_members_only()
    {
        await using var h = await EngineHarness.StartAsync();
        var alice = await h.UserAsync("alice");
        var bob = await h.UserAsync("bob");
        var carol = await h.UserAsync("carol");
        var stranger = await h.UserAsync("stranger");
        await h.Get<Abstractions.Stores.IGraphStore>().AddFriendshipAsync(alice.Id, bob.Id);
        var group = await h.Get<GroupService>().CreateAsync(carol.Id, "g", false, default);
        await h.Get<GroupService>().JoinAsync(alice.Id, group.Group.Id, default);
        var b = h.Connect(bob);
        var c = h.Connect(carol);
        var s = h.Connect(stranger);

        var a = h.Connect(alice);
        Assert.True((await b.WaitForAsync<PresenceEvent>(p => p.UserId == alice.Id)).Online);
        Assert.True((await c.WaitForAsync<PresenceEvent>(p => p.UserId == alice.Id)).Online);
        a.Disconnect();
        Assert.False((await b.WaitForAsync<PresenceEvent>(p => p.UserId == alice.Id && !p.Online)).Online);
        Assert.DoesNotContain(s.Drain(), e => e is PresenceEvent);
    }

    [Fact]
    public async Task Typing_and_read_receipts_are_forwarded_not_stored()
    {
        await using var h = await EngineHarness.StartAsync();
        var alice = await h.UserAsync("alice");
        var bob = await h.UserAsync("bob");
        var a = h.Connect(alice);
        var b = h.Connect(bob);
        Assert.Null(await h.Engine.TypingAsync(a.Connection, MessageTarget.ToUser("bob"), default));
        Assert.Equal(alice.Id, (await b.WaitForAsync<TypingEvent>()).UserId);

        var sent = await h.SendAsync(alice, MessageTarget.ToUser("bob"), "read me");
        Assert.Null(await h.Engine.MarkReadAsync(b.Connection, sent.Message!.ConversationId, sent.Message.Seq, default));
        var receipt = await a.WaitForAsync<ReceiptEvent>();
        Assert.Equal((ReceiptKind.Read, 1L, bob.Id), (receipt.Kind, receipt.Seq, receipt.UserId));
        var foreign = await h.Engine.MarkReadAsync(b.Connection, "d:98:99", 1, default);
        Assert.Equal(ErrorCodes.Forbidden, foreign!.Code);
    }

    [Fact]
    public async Task Idle_connections_are_swept()
    {
        await using var h = await EngineHarness.StartAsync();
        var alice = await h.UserAsync("alice");
        var idle = h.Connect(alice);
        var sweeper = new ConnectionSweeper(h.Get<SessionRegistry>(), h.Get<Options.ParleyOptions>(), h.Get<Clients.ClientKinds>());
        Assert.Equal(0, sweeper.Sweep(TimeSpan.FromMinutes(1)));
        Assert.Equal(1, sweeper.Sweep(TimeSpan.Zero));
        Assert.Equal(DisconnectCode.IdleTimeout, idle.Connection.CloseCode);
    }
}

/// <summary>Completes once the given number of deliveries found their recipient offline.</summary>
internal sealed class OfflineCounter(int expected) : Abstractions.Hooks.ParleyHooks
{
    private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _count;

    public Task Reached => _reached.Task;

    public override ValueTask OnDeliveryFailedAsync(ChatMessage message, long recipientId, Abstractions.Hooks.DeliveryFailure failure)
    {
        if (failure == Abstractions.Hooks.DeliveryFailure.Offline && Interlocked.Increment(ref _count) == expected) _reached.TrySetResult();
        return ValueTask.CompletedTask;
    }
}
