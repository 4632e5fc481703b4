using System.Diagnostics;
using Parley.IntegrationTests.Infrastructure;
using Parley.IntegrationTests.MobileImSdk;
using Parley.IntegrationTests.Stomp;
using Microsoft.Extensions.DependencyInjection;
using Parley.Transports.MobileImSdk;

namespace Parley.IntegrationTests;

/// <summary>A stop with clients connected on every transport: they are told and closed, and the stop does not wait for them.</summary>
public sealed class ShutdownTests
{
    // The host's shutdown timeout is 30 s; a stop that waits for its clients takes all of it.
    private static readonly TimeSpan WellUnderTheHostTimeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Stopping_closes_clients_of_every_transport_at_once()
    {
        // Idle timeouts longer than the host's shutdown timeout: nothing but the stop itself may close these clients.
        await using var server = await MobileImKit.StartAsync(new Dictionary<string, string?>
        {
            ["Parley:MobileImSdk:WebSocket:IdleTimeoutMs"] = "120000",
            ["Parley:MobileImSdk:Tcp:IdleTimeoutMs"] = "120000",
            ["Parley:Stomp:ConnectTimeoutMs"] = "120000",
        });
        var native = await server.CreateUserAsync("stopnative");
        var stomp = await server.CreateUserAsync("stopstomp");
        var tcp = await server.CreateUserAsync("stoptcp");
        var ws = await server.CreateUserAsync("stopws");
        await using var a = await TestSocket.ConnectAsync(server, native.Token);
        var (s, _) = await RawStompClient.ConnectAsync(server, stomp.Token);
        await using var stompClient = s;
        // Not yet a connection of the engine's: it has sent no CONNECT.
        await using var stompBeforeConnect = await RawStompClient.OpenAsync(server);
        await using var tcpPeer = await MobileImKit.RawAsync(server, Wire.Tcp);
        await tcpPeer.LoginAsync(tcp.Account, tcp.Password);
        await using var wsPeer = await MobileImKit.RawAsync(server, Wire.Ws);
        await wsPeer.LoginAsync(ws.Account, ws.Password);
        await using var notLoggedIn = await MobileImKit.RawAsync(server, Wire.Ws);
        var gateway = server.Services.GetRequiredService<MobileImGateway>();
        await GatewayRobustnessTests.WaitUntilAsync(() => gateway.SessionCount == 3);

        var watch = Stopwatch.StartNew();
        await server.RestartAsync();
        Assert.True(watch.Elapsed < WellUnderTheHostTimeout, $"the stop took {watch.Elapsed}");

        Assert.Equal((System.Net.WebSockets.WebSocketCloseStatus)4011, await a.ClosedAsync());
        Assert.NotNull(await stompClient.ClosedAsync());
        var error = await stompBeforeConnect.NextAsync(Parley.Protocol.Stomp.StompCommand.Error);
        Assert.Equal("server is shutting down", error.GetHeader("message"));
        Assert.NotNull(await stompBeforeConnect.ClosedAsync());
        await tcpPeer.Closed.WaitAsync(MobileImKit.Timeout);
        await wsPeer.Closed.WaitAsync(MobileImKit.Timeout);
        await notLoggedIn.Closed.WaitAsync(MobileImKit.Timeout);
    }
}
