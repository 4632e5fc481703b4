using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Parley.Abstractions;
using Parley.Abstractions.Hooks;
using Parley.Abstractions.Model;
using Parley.IntegrationTests.Infrastructure;

namespace Parley.IntegrationTests;

public sealed class HookTests
{
    private sealed class RecordingHooks : ParleyHooks
    {
        public readonly ConcurrentQueue<string> Events = new();

        public override ValueTask<HookDecision> VerifyLoginAsync(LoginContext context, CancellationToken ct) =>
            ValueTask.FromResult(context.Account.Name == "banned" ? HookDecision.Reject("banned by policy") : HookDecision.Allow);

        public override ValueTask<HookDecision> BeforeSendAsync(MessageDraft draft, CancellationToken ct) =>
            ValueTask.FromResult(draft.Text?.Contains("forbidden word") == true ? HookDecision.Reject("watch your language") : HookDecision.Allow);

        public override ValueTask OnOnlineAsync(IConnectionInfo connection, bool firstForUser)
        {
            Events.Enqueue($"online:{connection.UserName}:{firstForUser}");
            return ValueTask.CompletedTask;
        }

        public override ValueTask OnOfflineAsync(IConnectionInfo connection, DisconnectCode code, bool lastForUser)
        {
            Events.Enqueue($"offline:{connection.UserName}:{lastForUser}");
            return ValueTask.CompletedTask;
        }

        public override ValueTask AfterDeliveredAsync(ChatMessage message, long recipientId, int connections)
        {
            Events.Enqueue($"delivered:{message.Text}:{recipientId}:{connections}");
            return ValueTask.CompletedTask;
        }

        public override async ValueTask OnDeliveryFailedAsync(ChatMessage message, long recipientId, DeliveryFailure failure)
        {
            await Task.Yield();
            Events.Enqueue($"failed:{message.Text}:{recipientId}:{failure}");
        }
    }

    private static async Task Eventually(Func<bool> condition)
    {
        using var cts = new CancellationTokenSource(TestSocket.Timeout);
        while (!condition()) await Task.Delay(20, cts.Token);
    }

    [Fact]
    public async Task Hooks_see_logins_sends_deliveries_and_failures_and_may_refuse()
    {
        var hooks = new RecordingHooks();
        await using var server = await ParleyTestServer.StartAsync(services: s => s.AddSingleton<ParleyHooks>(hooks));
        var alice = await server.CreateUserAsync("alice");
        var bob = await server.CreateUserAsync("bob");
        var banned = await server.CreateUserAsync("banned");

        var refused = await Assert.ThrowsAnyAsync<Exception>(() => TestSocket.ConnectAsync(server, banned.Token));
        Assert.Contains("403", refused.Message);

        await using var a = await TestSocket.ConnectAsync(server, alice.Token);
        var rejected = await a.SendMessageAsync(new { to = "bob" }, "a forbidden word");
        Assert.Equal(204, rejected.GetProperty("code").GetInt32());
        Assert.Equal("watch your language", rejected.GetProperty("message").GetString());

        await a.SendMessageAsync(new { to = "bob" }, "bob is offline");
        await Eventually(() => hooks.Events.Contains($"failed:bob is offline:{bob.Id}:Offline"));

        await using (var b = await TestSocket.ConnectAsync(server, bob.Token))
        {
            await a.SendMessageAsync(new { to = "bob" }, "bob is here");
            await b.MessagesAsync(1);
            await Eventually(() => hooks.Events.Contains($"delivered:bob is here:{bob.Id}:1"));
        }
        await Eventually(() => hooks.Events.Contains("offline:bob:True"));
        Assert.Contains("online:alice:True", hooks.Events);
        Assert.DoesNotContain(hooks.Events, e => e.Contains("forbidden"));
    }
}
