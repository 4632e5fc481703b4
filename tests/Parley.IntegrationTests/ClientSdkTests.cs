using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Parley.Abstractions;
using Parley.Client;
using Parley.Core.Messaging;
using Parley.IntegrationTests.Infrastructure;

namespace Parley.IntegrationTests;

/// <summary>The C# SDK against the real server: the README's flow, and gap-free resync across a dropped connection.</summary>
public sealed class ClientSdkTests : IAsyncLifetime
{
    private ParleyTestServer _server = null!;

    public async Task InitializeAsync() => _server = await ParleyTestServer.StartAsync();
    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static async Task Eventually(Func<bool> condition, string what)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        while (!condition())
        {
            try { await Task.Delay(20, cts.Token); }
            catch (OperationCanceledException) { throw new TimeoutException(what); }
        }
    }

    [Fact]
    public async Task Readme_flow_register_login_connect_send_receive()
    {
        using var api = new ParleyApiClient(_server.BaseUri);
        await api.RegisterAsync("alice", "password1", "Alice");
        await api.RegisterAsync("bob", "password1", "Bob");
        var alice = await api.LoginAsync("alice", "password1");
        using var bobApi = new ParleyApiClient(_server.BaseUri);
        var bob = await bobApi.LoginAsync("bob", "password1");

        await using var a = new ParleyClient(_server.BaseUri, alice.Token);
        await using var b = new ParleyClient(_server.BaseUri, bob.Token);
        var received = new ConcurrentQueue<Client.ChatMessage>();
        b.MessageReceived += (_, m) => received.Enqueue(m);
        await a.ConnectAsync();
        await b.ConnectAsync();

        var receipt = await a.SendAsync("bob", "hello from C#");
        Assert.Equal(1, receipt.Seq);
        await Eventually(() => received.Count == 1, "bob receives");
        Assert.Equal("alice", received.Single().FromName);
        Assert.Equal("hello from C#", received.Single().Text);

        var friends = await bobApi.SendFriendRequestAsync("alice");
        Assert.NotNull(friends);
        var history = await api.GetMessagesAsync(receipt.Conversation);
        Assert.Equal("hello from C#", history.Messages.Single().Text);
    }

    [Fact]
    public async Task A_removal_reaches_the_other_participant_and_the_removers_other_device_as_an_event()
    {
        var alice = await _server.CreateUserAsync("alice");
        var bob = await _server.CreateUserAsync("bob");
        await using var a = new ParleyClient(_server.BaseUri, alice.Token);
        await using var a2 = new ParleyClient(_server.BaseUri, alice.Token);
        await using var b = new ParleyClient(_server.BaseUri, bob.Token);
        var seenByBob = new ConcurrentQueue<RemovalInfo>();
        var seenByOtherDevice = new ConcurrentQueue<RemovalInfo>();
        var seenByRemover = new ConcurrentQueue<RemovalInfo>();
        b.MessageRemoved += (_, r) => seenByBob.Enqueue(r);
        a2.MessageRemoved += (_, r) => seenByOtherDevice.Enqueue(r);
        a.MessageRemoved += (_, r) => seenByRemover.Enqueue(r);
        await a.ConnectAsync();
        await a2.ConnectAsync();
        await b.ConnectAsync();

        var receipt = await a.SendAsync("bob", "oops");
        await a.RemoveMessageAsync(receipt.Conversation, receipt.Seq);

        await Eventually(() => seenByBob.Count == 1 && seenByOtherDevice.Count == 1, "bob and alice's other device hear of the removal");
        var removal = seenByBob.Single();
        Assert.Equal(new RemovalInfo(receipt.Conversation, receipt.Seq, receipt.MessageId, alice.Id, "alice"), removal);
        Assert.Equal(removal, seenByOtherDevice.Single());
        Assert.Empty(seenByRemover); // the remover's own connection has the result instead
        var history = await b.GetHistoryAsync(receipt.Conversation);
        Assert.Equal("removed", history.Messages.Single().Kind);

        // Only the sender (or a group's owner) may remove: bob's attempt is refused with 201.
        var refused = await Assert.ThrowsAsync<ParleyRequestException>(() => b.RemoveMessageAsync(receipt.Conversation, receipt.Seq));
        Assert.Equal(201, refused.Code);
    }

    [Fact]
    public async Task A_friend_request_and_its_acceptance_arrive_as_notices()
    {
        var alice = await _server.CreateUserAsync("alice");
        var bob = await _server.CreateUserAsync("bob");
        using var aliceApi = new ParleyApiClient(_server.BaseUri) { AccessToken = alice.Token };
        using var bobApi = new ParleyApiClient(_server.BaseUri) { AccessToken = bob.Token };
        await using var a = new ParleyClient(_server.BaseUri, alice.Token);
        await using var b = new ParleyClient(_server.BaseUri, bob.Token);
        var seenByAlice = new ConcurrentQueue<NoticeInfo>();
        var seenByBob = new ConcurrentQueue<NoticeInfo>();
        a.NoticeReceived += (_, n) => seenByAlice.Enqueue(n);
        b.NoticeReceived += (_, n) => seenByBob.Enqueue(n);
        await a.ConnectAsync();
        await b.ConnectAsync();

        var request = await aliceApi.SendFriendRequestAsync("bob");
        await Eventually(() => seenByBob.Count == 1, "bob hears of the request");
        Assert.Equal(new NoticeInfo("friendRequest", alice.Id, "alice", request.Id, null, null), seenByBob.Single());
        await bobApi.AcceptFriendRequestAsync(request.Id);
        await Eventually(() => seenByAlice.Count == 1, "alice hears of the acceptance");
        Assert.Equal(new NoticeInfo("friendAccepted", bob.Id, "bob", request.Id, null, null), seenByAlice.Single());
    }

    [Fact]
    public async Task After_a_dropped_connection_the_app_sees_every_message_once_and_in_order()
    {
        var alice = await _server.CreateUserAsync("alice");
        var bob = await _server.CreateUserAsync("bob");
        await using var a = new ParleyClient(_server.BaseUri, alice.Token);
        await using var b = new ParleyClient(_server.BaseUri, bob.Token,
            new ParleyClientOptions { ReconnectInitialDelay = TimeSpan.FromMilliseconds(50), ReconnectMaxDelay = TimeSpan.FromMilliseconds(200) });
        var received = new ConcurrentQueue<long>();
        var reconnected = 0;
        b.MessageReceived += (_, m) => received.Enqueue(m.Seq);
        b.ConnectionStateChanged += (_, s) => { if (s.State == ConnectionState.Connected) Interlocked.Increment(ref reconnected); };
        await a.ConnectAsync();
        await b.ConnectAsync();

        for (var i = 1; i <= 10; i++) await a.SendAsync("bob", $"m{i}");
        await Eventually(() => received.Count == 10, "first ten");

        var engine = _server.Services.GetRequiredService<ChatEngine>();
        for (var round = 0; round < 3; round++)
        {
            // Messages keep flowing while bob's connection is cut: some arrive live, some by resync.
            engine.CloseUser(bob.Id, DisconnectCode.ServerShutdown);
            for (var i = 0; i < 10; i++) await a.SendAsync("bob", "during outage");
        }
        await Eventually(() => received.Count >= 40, "all forty");
        await a.SendAsync("bob", "last");
        await Eventually(() => received.Count >= 41, "the last one");
        Assert.Equal(Enumerable.Range(1, 41).Select(i => (long)i), received);
        Assert.True(reconnected >= 2);
    }

    [Fact]
    public async Task Logout_stops_the_client_without_reconnecting()
    {
        var alice = await _server.CreateUserAsync("alice");
        using var api = new ParleyApiClient(_server.BaseUri) { AccessToken = alice.Token };
        await using var client = new ParleyClient(_server.BaseUri, alice.Token);
        var states = new ConcurrentQueue<ConnectionStateChange>();
        client.ConnectionStateChanged += (_, s) => states.Enqueue(s);
        await client.ConnectAsync();
        await api.LogoutAsync();
        await Eventually(() => client.State == ConnectionState.Disconnected, "disconnected");
        Assert.Contains(states, s => s.CloseCode == 4002);
        using var oldToken = new ParleyApiClient(_server.BaseUri) { AccessToken = alice.Token };
        var error = await Assert.ThrowsAnyAsync<ParleyApiException>(() => oldToken.GetMeAsync());
        Assert.Equal(401, (int)error.StatusCode);
    }
}
