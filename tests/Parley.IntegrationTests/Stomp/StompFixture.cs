using System.Net.Http.Json;
using System.Text.Json;
using Parley.IntegrationTests.Infrastructure;

namespace Parley.IntegrationTests.Stomp;

/// <summary>One server for the STOMP tests, with short heart-beats so liveness is observable in seconds.</summary>
public sealed class StompFixture : IAsyncLifetime
{
    public const int HeartbeatMs = 500;
    private int _users;

    public ParleyTestServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await ParleyTestServer.StartAsync(new Dictionary<string, string?>
    {
        ["Parley:Stomp:HeartbeatSendMs"] = HeartbeatMs.ToString(),
        ["Parley:Stomp:HeartbeatReceiveMs"] = HeartbeatMs.ToString(),
        ["Parley:Stomp:SockJsHeartbeatMs"] = "1000",
        ["Parley:Stomp:SockJsDisconnectDelayMs"] = "2000",
        ["Parley:Stomp:MaxInboundMessageBytes"] = "8192",
        // The sweeper checks every IdleTimeoutMs / 4: 1 s here.
        ["Parley:Connections:IdleTimeoutMs"] = "4000",
    });

    public async Task DisposeAsync() => await Server.DisposeAsync();

    /// <summary>A fresh user (tests share the server, so names are unique).</summary>
    public Task<TestUser> UserAsync(string prefix) => Server.CreateUserAsync($"{prefix}{Interlocked.Increment(ref _users)}");

    public async Task<long> GroupAsync(TestUser owner, params TestUser[] members)
    {
        using var http = Server.CreateHttpClient(owner.Token);
        var created = await http.PostAsJsonAsync("api/groups", new { name = "g" + Guid.NewGuid().ToString("N")[..8] });
        created.EnsureSuccessStatusCode();
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        foreach (var member in members)
        {
            using var m = Server.CreateHttpClient(member.Token);
            (await m.PostAsync($"api/groups/{id}/join", null)).EnsureSuccessStatusCode();
        }
        return id;
    }
}

[CollectionDefinition(Name)]
public sealed class StompCollection : ICollectionFixture<StompFixture>
{
    public const string Name = "stomp";
}
