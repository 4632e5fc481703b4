using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Parley.Abstractions;
using Parley.Abstractions.Hooks;
using Parley.IntegrationTests.Infrastructure;

namespace Parley.IntegrationTests;

/// <summary>
/// The deadlines the connection sweep keeps for WebSocket peers (<c>SendTimeLimitMs</c>, <c>CloseGraceMs</c>, the
/// keep-alive ping), seen from raw sockets that misbehave the way real clients do: one that stops reading, one that
/// never answers a close, one that sends nothing.
/// </summary>
public sealed class ConnectionDeadlineTests
{
    private const string Key = "dGhlIHNhbXBsZSBub25jZQ==";

    [Fact]
    public async Task A_peer_that_stops_reading_is_closed_as_a_slow_consumer_and_its_connection_aborted()
    {
        var offline = new OfflineCodes();
        await using var server = await ParleyTestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Parley:Connections:SendTimeLimitMs"] = "1000",
            // The queue never fills: what closes the reader must be the stalled write, not the queue's bound.
            ["Parley:Connections:OutboundQueueCapacity"] = "10000",
            ["Parley:Connections:MaxFrameBytes"] = "262144",
            ["Parley:Connections:RatePerSecond"] = "1000",
            ["Parley:Connections:RateBurst"] = "1000",
            ["Parley:Messaging:MaxTextChars"] = "65536",
        }, services: s => s.AddSingleton<ParleyHooks>(offline));
        var alice = await server.CreateUserAsync("alice");
        var bob = await server.CreateUserAsync("bob");
        await Http.BefriendAsync(server, alice, bob);

        // A tiny receive window that is never read: the server's writes stall once the kernel buffers are full.
        using var reader = new TcpClient { ReceiveBufferSize = 4096 };
        await reader.ConnectAsync(server.BaseUri.Host, server.BaseUri.Port).WaitAsync(TestSocket.Timeout);
        await HandshakeAsync(reader.GetStream(), bob.Token);

        await using var sender = await TestSocket.ConnectAsync(server, alice.Token);
        var text = new string('x', 60_000);
        var closed = offline.For(bob.Id);
        // About 12 MB: far more than loopback buffers hold (4 MB send buffer at most here), far less than the queue.
        for (var i = 0; i < 200 && !closed.IsCompleted; i++) await sender.SendMessageAsync(new { to = "bob" }, text);

        Assert.Equal(DisconnectCode.SlowConsumer, await closed.WaitAsync(TimeSpan.FromSeconds(30)));
        // Aborted, not waiting on the peer: the reader finds the end of the stream after what was buffered.
        await ReadToEndAsync(reader.GetStream(), TimeSpan.FromSeconds(30));
        Assert.Equal("pong", (await sender.RequestAsync(new { type = "ping", id = "still" }, "still")).GetProperty("type").GetString());
    }

    [Fact]
    public async Task A_peer_that_never_answers_the_close_frame_is_aborted_after_the_close_grace()
    {
        await using var server = await ParleyTestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Parley:Connections:IdleTimeoutMs"] = "1000",
            ["Parley:Connections:HeartbeatMs"] = "1000",
            ["Parley:Connections:CloseGraceMs"] = "500",
        });
        var alice = await server.CreateUserAsync("alice");
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(server.BaseUri.Host, server.BaseUri.Port).WaitAsync(TestSocket.Timeout);
        var stream = tcp.GetStream();
        await HandshakeAsync(stream, alice.Token);
        var client = WebSocket.CreateFromStream(stream, new WebSocketCreationOptions { IsServer = false, KeepAliveInterval = Timeout.InfiniteTimeSpan });
        var buffer = new byte[4096];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        ValueWebSocketReceiveResult result;
        do result = await client.ReceiveAsync(buffer.AsMemory(), timeout.Token); // the welcome, then the idle close
        while (result.MessageType != WebSocketMessageType.Close);
        Assert.Equal(4008, (int?)client.CloseStatus);

        // The close frame is never answered, and the client keeps its end open: only the server's abort ends it.
        await ReadToEndAsync(stream, TimeSpan.FromSeconds(15));
    }

    [Theory]
    [InlineData("/ws")]
    [InlineData("/stomp")]
    public async Task An_idle_socket_is_pinged_at_the_heart_beat_interval(string path)
    {
        await using var server = await ParleyTestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Parley:Connections:HeartbeatMs"] = "1000",
        });
        var alice = await server.CreateUserAsync("alice");
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(server.BaseUri.Host, server.BaseUri.Port).WaitAsync(TestSocket.Timeout);
        var stream = tcp.GetStream();
        var stomp = path == "/stomp";
        await HandshakeAsync(stream, alice.Token, path, stomp ? "v12.stomp" : null);
        var client = WebSocket.CreateFromStream(stream, new WebSocketCreationOptions { IsServer = false, KeepAliveInterval = Timeout.InfiniteTimeSpan });
        var buffer = new byte[4096];
        using var timeout = new CancellationTokenSource(TestSocket.Timeout);
        if (stomp)
        {
            await client.SendAsync(Encoding.UTF8.GetBytes($"CONNECT\naccept-version:1.2\nheart-beat:0,0\nAuthorization:Bearer {alice.Token}\n\n\0"),
                WebSocketMessageType.Text, true, timeout.Token);
        }
        var first = await client.ReceiveAsync(buffer.AsMemory(), timeout.Token); // the welcome, or CONNECTED
        Assert.True(first.EndOfMessage);
        Assert.StartsWith(stomp ? "CONNECTED" : "{\"type\":\"welcome\"", Encoding.UTF8.GetString(buffer, 0, first.Count));

        // Nothing else is due on either side: the next frame on the wire is the server's keep-alive ping.
        var header = new byte[2];
        await stream.ReadExactlyAsync(header, timeout.Token);
        Assert.Equal(0x89, header[0]);
    }

    [Fact]
    public async Task A_logged_in_MobileIMSDK_WebSocket_is_pinged_at_its_keep_alive_interval()
    {
        await using var server = await MobileImSdk.MobileImKit.StartAsync(new Dictionary<string, string?>
        {
            ["Parley:MobileImSdk:WebSocketKeepAliveMs"] = "1000",
        });
        var alice = await server.CreateUserAsync("alice");
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(server.BaseUri.Host, server.BaseUri.Port).WaitAsync(TestSocket.Timeout);
        var stream = tcp.GetStream();
        await HandshakeAsync(stream, alice.Token, "/websocket");
        var client = WebSocket.CreateFromStream(stream, new WebSocketCreationOptions { IsServer = false, KeepAliveInterval = Timeout.InfiniteTimeSpan });
        using var timeout = new CancellationTokenSource(TestSocket.Timeout);
        await client.SendAsync(Encoding.UTF8.GetBytes(MobileImSdk.MobileImKit.Login(alice.Account, alice.Token)), WebSocketMessageType.Text, true, timeout.Token);
        var buffer = new byte[4096];
        var response = await client.ReceiveAsync(buffer.AsMemory(), timeout.Token);
        Assert.Contains("\"type\":50", Encoding.UTF8.GetString(buffer, 0, response.Count));

        // The client sends nothing more: the next frame on the wire is the server's keep-alive ping.
        var header = new byte[2];
        await stream.ReadExactlyAsync(header, timeout.Token);
        Assert.Equal(0x89, header[0]);
    }

    private static async Task HandshakeAsync(Stream stream, string token, string path = "/ws", string? subProtocol = null)
    {
        var request = $"GET {path}?access_token={Uri.EscapeDataString(token)} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n" +
                      $"Connection: Upgrade\r\nSec-WebSocket-Key: {Key}\r\nSec-WebSocket-Version: 13\r\n" +
                      (subProtocol is null ? "" : $"Sec-WebSocket-Protocol: {subProtocol}\r\n") + "\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        Assert.StartsWith("HTTP/1.1 101 ", await RawUpgrade.ReadHeadAsync(stream));
    }

    /// <summary>Reads and drops everything until the server ends the connection (end of stream or a reset).</summary>
    private static async Task ReadToEndAsync(Stream stream, TimeSpan within)
    {
        var buffer = new byte[64 * 1024];
        using var timeout = new CancellationTokenSource(within);
        try
        {
            while (await stream.ReadAsync(buffer, timeout.Token) > 0) { }
        }
        catch (IOException) { }
    }

    private sealed class OfflineCodes : ParleyHooks
    {
        private readonly Dictionary<long, TaskCompletionSource<DisconnectCode>> _codes = [];

        public Task<DisconnectCode> For(long userId)
        {
            lock (_codes)
            {
                if (!_codes.TryGetValue(userId, out var source)) _codes[userId] = source = new(TaskCreationOptions.RunContinuationsAsynchronously);
                return source.Task;
            }
        }

        public override ValueTask OnOfflineAsync(IConnectionInfo connection, DisconnectCode code, bool lastForUser)
        {
            lock (_codes)
            {
                if (_codes.TryGetValue(connection.UserId, out var source)) source.TrySetResult(code);
            }
            return ValueTask.CompletedTask;
        }
    }
}
