using System.Collections.Concurrent;
using System.Net;
using Parley.Client;
using Parley.IntegrationTests.Infrastructure;
using Parley.TestInfrastructure;

namespace Parley.IntegrationTests;

/// <summary>The whole server on PostgreSQL (<c>Parley:Storage:Provider = postgres</c>), against a real server on loopback.</summary>
public sealed class PostgresStorageTests(PostgresDatabaseFixture pg) : IClassFixture<PostgresDatabaseFixture>
{
    private static readonly string SigningKey = Convert.ToBase64String(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());

    private static Dictionary<string, string?> Settings(string connectionString) => new()
    {
        ["Parley:Storage:Provider"] = "postgres",
        ["Parley:Storage:Postgres:ConnectionString"] = connectionString,
        // nodes of one cluster share the signing key (tokens from one are valid on the other)
        ["Parley:Auth:SigningKey"] = SigningKey,
    };

    private static async Task Eventually(Func<bool> condition, string what)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (!condition())
        {
            try { await Task.Delay(20, cts.Token); }
            catch (OperationCanceledException) { throw new TimeoutException(what); }
        }
    }

    [Fact]
    public async Task The_readme_flow_works_on_postgres_and_the_data_outlives_a_restart()
    {
        var database = await pg.Server.CreateDatabaseAsync("server");
        await using var server = await ParleyTestServer.StartAsync(Settings(database));
        using var api = new ParleyApiClient(server.BaseUri);
        await api.RegisterAsync("alice", "password1", "Alice");
        await api.RegisterAsync("bob", "password1", "Bob");
        var alice = await api.LoginAsync("alice", "password1");
        using var bobApi = new ParleyApiClient(server.BaseUri);
        var bob = await bobApi.LoginAsync("bob", "password1");

        await using (var a = new ParleyClient(server.BaseUri, alice.Token))
        await using (var b = new ParleyClient(server.BaseUri, bob.Token))
        {
            var received = new ConcurrentQueue<Client.ChatMessage>();
            b.MessageReceived += (_, m) => received.Enqueue(m);
            await a.ConnectAsync();
            await b.ConnectAsync();
            var receipt = await a.SendAsync("bob", "hello over postgres");
            Assert.Equal(1, receipt.Seq);
            await Eventually(() => received.Count == 1, "bob receives");
            Assert.Equal("hello over postgres", received.Single().Text);
        }

        using (var http = server.CreateHttpClient())
        {
            var ready = await http.GetJsonAsync("health/ready").Expect(HttpStatusCode.OK);
            Assert.StartsWith("postgres: 127.0.0.1:", ready.GetProperty("checks").GetProperty("storage").GetProperty("description").GetString());
        }

        await server.RestartAsync();
        using var again = new ParleyApiClient(server.BaseUri);
        var relogged = await again.LoginAsync("alice", "password1");
        var history = await again.GetMessagesAsync("d:1:2");
        Assert.Equal("hello over postgres", history.Messages.Single().Text);
        using var http2 = server.CreateHttpClient(relogged.Token);
        var second = await http2.PostJsonAsync("api/messages", new { to = "bob", text = "after restart" }).Expect(HttpStatusCode.Created);
        Assert.Equal(2, second.GetProperty("seq").GetInt64());
    }

    [Fact]
    public async Task Two_nodes_on_one_database_share_accounts_and_number_one_conversation_without_gaps()
    {
        var database = await pg.Server.CreateDatabaseAsync("server");
        await using var nodeA = await ParleyTestServer.StartAsync(Settings(database));
        await using var nodeB = await ParleyTestServer.StartAsync(Settings(database));
        var alice = await nodeA.CreateUserAsync("alice");
        var bob = await nodeB.CreateUserAsync("bob");
        // a token from node A works on node B (shared key, shared accounts)
        using var onA = nodeA.CreateHttpClient(alice.Token);
        using var onB = nodeB.CreateHttpClient(alice.Token);

        var sends = await Task.WhenAll(Enumerable.Range(0, 40).Select(i =>
            (i % 2 == 0 ? onA : onB).PostJsonAsync("api/messages", new { to = bob.Account, text = $"m{i}", clientMsgId = $"c{i}" }).Expect(HttpStatusCode.Created)));
        Assert.Equal(Enumerable.Range(1, 40).Select(i => (long)i), sends.Select(s => s.GetProperty("seq").GetInt64()).Order());

        // a resend through the other node is answered with the original
        var resent = await onB.PostJsonAsync("api/messages", new { to = bob.Account, text = "m0", clientMsgId = "c0" }).Expect(HttpStatusCode.Created);
        Assert.True(resent.GetProperty("duplicate").GetBoolean());
        Assert.Equal(sends[0].GetProperty("messageId").GetString(), resent.GetProperty("messageId").GetString());

        using var bobOnA = nodeA.CreateHttpClient(bob.Token);
        var history = await bobOnA.GetJsonAsync("api/conversations/d:1:2/messages?limit=100").Expect(HttpStatusCode.OK);
        Assert.Equal(40, history.GetProperty("messages").GetArrayLength());
    }

    [Fact]
    public async Task While_postgres_is_down_writes_get_503_and_readiness_fails_then_the_node_recovers_by_itself()
    {
        await using var own = await PostgresServer.StartAsync();
        await using var server = await ParleyTestServer.StartAsync(Settings(await own.CreateDatabaseAsync("outage")));
        var alice = await server.CreateUserAsync("alice");
        var bob = await server.CreateUserAsync("bob");
        using var http = server.CreateHttpClient(alice.Token);
        await using var client = new ParleyClient(server.BaseUri, alice.Token);
        await client.ConnectAsync();
        var first = await client.SendAsync("bob", "before");

        await own.StopAsync();

        var rest = await http.PostJsonAsync("api/messages", new { to = "bob", text = "during", clientMsgId = "during-1" }).Expect(HttpStatusCode.ServiceUnavailable);
        Assert.Equal(501, rest.GetProperty("code").GetInt32());
        await http.PostJsonAsync("api/groups", new { name = "g" }).Expect(HttpStatusCode.ServiceUnavailable);
        var notReady = await http.GetJsonAsync("health/ready").Expect(HttpStatusCode.ServiceUnavailable);
        Assert.Equal("Unhealthy", notReady.GetProperty("status").GetString());
        var ws = await Assert.ThrowsAsync<ParleyRequestException>(() => client.SendAsync("bob", "during ws").WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(501, ws.Code);

        await own.RestartAsync();

        // No restart of the node: the next requests simply work (stale pooled connections are replaced).
        await http.GetJsonAsync("health/ready").Expect(HttpStatusCode.OK);
        var resent = await http.PostJsonAsync("api/messages", new { to = "bob", text = "during", clientMsgId = "during-1" }).Expect(HttpStatusCode.Created);
        Assert.False(resent.GetProperty("duplicate").GetBoolean());
        var after = await client.SendAsync("bob", "after");
        using var bobHttp = server.CreateHttpClient(bob.Token);
        var history = await bobHttp.GetJsonAsync($"api/conversations/{first.Conversation}/messages?limit=10").Expect(HttpStatusCode.OK);
        Assert.Equal(["before", "during", "after"], history.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("text").GetString()));
        Assert.Equal([1L, 2, 3], history.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("seq").GetInt64()));
        Assert.Equal(3, after.Seq);
    }

    [Theory]
    [InlineData("mysql", null, "Parley:Storage:Provider must be 'sqlite' or 'postgres'")]
    [InlineData("postgres", null, "Parley:Storage:Postgres:ConnectionString is required")]
    [InlineData("postgres", "Host=127.0.0.1;Bogus=1", "Parley:Storage:Postgres:ConnectionString is not a valid")]
    public async Task Bad_storage_settings_stop_the_server_with_a_message_naming_the_setting(string provider, string? connectionString, string expected)
    {
        var settings = new Dictionary<string, string?> { ["Parley:Storage:Provider"] = provider, ["Parley:Storage:Postgres:ConnectionString"] = connectionString };
        var error = await Assert.ThrowsAnyAsync<Exception>(() => ParleyTestServer.StartAsync(settings));
        Assert.Contains(expected, error.ToString());
    }
}
