using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Parley.Abstractions.Calls;
using Parley.Client;
using Parley.Core;
using Parley.IntegrationTests.Infrastructure;

namespace Parley.IntegrationTests.Clients;

/// <summary>Client → server queries on the real server through the SDK and the raw protocol.</summary>
public sealed class QueryTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private ParleyTestServer _server = null!;

    public async Task InitializeAsync() => _server = await ClientKindServer.StartAsync(services: s => s
        .AddParleyClientMethod("kiosk", "queue.next", (c, _) =>
            ValueTask.FromResult<JsonElement?>(JsonSerializer.SerializeToElement(new { ticket = "B" + c.Payload!.Value.GetProperty("desk").GetInt32(), by = c.Client!.Value.Id })))
        .AddParleyClientMethod(ClientQueryKinds.Users, "me", (c, _) => ValueTask.FromResult<JsonElement?>(JsonSerializer.SerializeToElement(c.UserId)))
        .AddParleyClientMethod(ClientQueryKinds.Any, "refuse", (_, _) => throw new ClientQueryException(1200, "closed for lunch"))
        .AddParleyClientMethod(ClientQueryKinds.Any, "crash", (_, _) => throw new InvalidOperationException("database password is hunter2"))
        // Calls back the caller before answering: queries run off the receive loop, so this cannot deadlock.
        .AddParleyClientMethod("kiosk", "register", async (sp, c, ct) =>
        {
            var calls = sp.GetRequiredService<IClientCalls>();
            var serial = await calls.CallAsync(ClientTarget.ClientOf(c.Client!.Value.Kind, c.Client.Value.Id), "device.serial", null, TimeSpan.FromSeconds(10), ct);
            return JsonSerializer.SerializeToElement("registered " + serial.EnsureSuccess()!.Value.GetString());
        }));

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Sdk_queries_reach_the_handler_of_the_kind_and_get_errors_for_the_rest()
    {
        await using var kiosk = ParleyClient.ForClientKind(_server.BaseUri, "kiosk", "desk-4", ClientKindServer.KioskSecret);
        kiosk.RegisterCallHandler("device.serial", (_, _) => Task.FromResult<JsonElement?>(JsonSerializer.SerializeToElement("SN-77")));
        await kiosk.ConnectAsync().WaitAsync(Deadline);

        var next = await kiosk.QueryAsync("queue.next", JsonSerializer.SerializeToElement(new { desk = 4 })).WaitAsync(Deadline);
        Assert.Equal(("B4", "desk-4"), (next!.Value.GetProperty("ticket").GetString(), next.Value.GetProperty("by").GetString()));
        Assert.Equal("registered SN-77", (await kiosk.QueryAsync("register").WaitAsync(Deadline))!.Value.GetString());

        var unknown = await Assert.ThrowsAsync<ParleyRequestException>(() => kiosk.QueryAsync("me").WaitAsync(Deadline));
        Assert.Equal(ParleyErrorCodes.UnknownMethod, unknown.Code);
        var refused = await Assert.ThrowsAsync<ParleyRequestException>(() => kiosk.QueryAsync("refuse").WaitAsync(Deadline));
        Assert.Equal((1200, "closed for lunch"), (refused.Code, refused.ServerMessage));
        var crashed = await Assert.ThrowsAsync<ParleyRequestException>(() => kiosk.QueryAsync("crash").WaitAsync(Deadline));
        Assert.Equal((ParleyErrorCodes.Internal, "internal error"), (crashed.Code, crashed.ServerMessage));
        Assert.Equal(ConnectionState.Connected, kiosk.State);

        var alice = await _server.CreateUserAsync("alice");
        await using var user = new ParleyClient(_server.BaseUri, alice.Token);
        await user.ConnectAsync().WaitAsync(Deadline);
        Assert.Equal(alice.Id, (await user.QueryAsync("me").WaitAsync(Deadline))!.Value.GetInt64());
        Assert.Equal(ParleyErrorCodes.UnknownMethod,
            (await Assert.ThrowsAsync<ParleyRequestException>(() => user.QueryAsync("queue.next").WaitAsync(Deadline))).Code);
    }

    [Fact]
    public async Task Raw_queries_with_bad_fields_get_errors()
    {
        await using var kiosk = await _server.ConnectClientAsync("kiosk", "k1");
        Assert.Equal(102, (await kiosk.RequestAsync(new { type = "query", id = "a" }, "a")).GetProperty("code").GetInt32());
        Assert.Equal(102, (await kiosk.RequestAsync(new { type = "query", id = "b", method = 5 }, "b")).GetProperty("code").GetInt32());
        Assert.Equal(102, (await kiosk.RequestAsync(new { type = "query", id = "c", method = "bad method" }, "c")).GetProperty("code").GetInt32());
        Assert.Equal(104, (await kiosk.RequestAsync(new { type = "query", id = "d", method = "nope" }, "d")).GetProperty("code").GetInt32());
        var ok = await kiosk.RequestAsync(new { type = "query", id = "e", method = "queue.next", payload = new { desk = 9 } }, "e");
        Assert.Equal(("result", "B9"), (ok.GetProperty("type").GetString(), ok.GetProperty("data").GetProperty("ticket").GetString()));
        var deep = "{\"type\":\"query\",\"id\":\"f\",\"method\":\"queue.next\",\"payload\":" + new string('[', 100) + new string(']', 100) + "}";
        await kiosk.SendRawAsync(deep);
        Assert.Equal(100, (await kiosk.NextAsync("error")).GetProperty("code").GetInt32());
    }
}
