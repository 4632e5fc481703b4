using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Parley.IntegrationTests.Infrastructure;
using Parley.Transports.WebSockets;

namespace Parley.IntegrationTests;

/// <summary>
/// WebSocket upgrades taken off the connection before Kestrel's HTTP stack (DirectWebSocketUpgrades): the handshake
/// and refusals on the wire, and everything that is not such an upgrade still answered by Kestrel.
/// </summary>
public sealed class DirectUpgradeTests : IAsyncLifetime
{
    private const string Key = "dGhlIHNhbXBsZSBub25jZQ==";
    private ParleyTestServer _server = null!;
    private TestUser _ann = null!;
    private TestUser _bob = null!;

    public async Task InitializeAsync()
    {
        _server = await ParleyTestServer.StartAsync(services: s => s.Configure<KestrelServerOptions>(k => k.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(1)));
        _ann = await _server.CreateUserAsync("ann");
        _bob = await _server.CreateUserAsync("bob");
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static string Upgrade(string query) =>
        $"GET /ws{query} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {Key}\r\nSec-WebSocket-Version: 13\r\n\r\n";

    [Fact]
    public async Task The_handshake_is_answered_on_the_wire_and_the_welcome_follows_as_a_frame()
    {
        using var tcp = await ConnectAsync();
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(Upgrade("?access_token=" + Uri.EscapeDataString(_ann.Token))));
        var head = await ReadHeadAsync(stream);

        Assert.StartsWith("HTTP/1.1 101 Switching Protocols\r\n", head);
        Assert.Contains("\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n", head);
        Assert.Contains("\r\nUpgrade: websocket\r\n", head);
        Assert.DoesNotContain("Server: Kestrel", head); // answered before Kestrel's HTTP stack
        var client = WebSocket.CreateFromStream(stream, new WebSocketCreationOptions { IsServer = false });
        var welcome = await ReceiveJsonAsync(client);
        Assert.Equal("welcome", welcome.GetProperty("type").GetString());
        Assert.Equal(_ann.Id, welcome.GetProperty("userId").GetInt64());
    }

    [Fact]
    public async Task A_bearer_header_authenticates_and_messages_flow_both_ways()
    {
        await Http.BefriendAsync(_server, _ann, _bob);
        using var tcp = await ConnectAsync();
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(Upgrade("").Replace("\r\n\r\n", $"\r\nAuthorization: Bearer {_ann.Token}\r\n\r\n")));
        Assert.StartsWith("HTTP/1.1 101 ", await ReadHeadAsync(stream));
        var ann = WebSocket.CreateFromStream(stream, new WebSocketCreationOptions { IsServer = false });
        Assert.Equal("welcome", (await ReceiveJsonAsync(ann)).GetProperty("type").GetString());
        await using var bob = await TestSocket.ConnectAsync(_server, _bob.Token);

        await ann.SendAsync(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { type = "send", id = "s1", to = _bob.Account, text = "direct" })),
            WebSocketMessageType.Text, true, CancellationToken.None);
        var ack = await ReceiveJsonAsync(ann, "ack");
        Assert.True(ack.GetProperty("type").GetString() == "ack", ack.GetRawText());
        Assert.Equal("s1", ack.GetProperty("id").GetString());
        var message = await bob.NextAsync("message");
        Assert.Equal("direct", message.GetProperty("message").GetProperty("text").GetString());

        await bob.SendMessageAsync(new { to = _ann.Account }, "back");
        var reply = await ReceiveJsonAsync(ann, "message");
        Assert.Equal("back", reply.GetProperty("message").GetProperty("text").GetString());
    }

    [Fact]
    public async Task A_wrong_token_gets_a_problem_answer_and_the_connection_is_closed()
    {
        using var tcp = await ConnectAsync();
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(Upgrade("?access_token=not-a-token")));
        var head = await ReadHeadAsync(stream);

        Assert.StartsWith("HTTP/1.1 401 Unauthorized\r\n", head);
        Assert.Contains("\r\nContent-Type: application/problem+json\r\n", head);
        Assert.Contains("\r\nConnection: close\r\n", head);
        var length = int.Parse(head.Split("\r\n").Single(l => l.StartsWith("Content-Length: ")).Split(' ')[1]);
        var body = new byte[length];
        await stream.ReadExactlyAsync(body).AsTask().WaitAsync(TestSocket.Timeout);
        var problem = JsonDocument.Parse(body).RootElement;
        Assert.Equal(401, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("title").GetString()));
        Assert.Equal(0, await stream.ReadAsync(new byte[1]).AsTask().WaitAsync(TestSocket.Timeout));
    }

    [Fact]
    public async Task A_head_sent_one_byte_at_a_time_still_upgrades()
    {
        using var tcp = await ConnectAsync();
        tcp.NoDelay = true;
        var stream = tcp.GetStream();
        foreach (var b in Encoding.ASCII.GetBytes(Upgrade("?access_token=" + Uri.EscapeDataString(_ann.Token))))
        {
            await stream.WriteAsync(new[] { b });
            await stream.FlushAsync();
        }
        Assert.StartsWith("HTTP/1.1 101 ", await ReadHeadAsync(stream));
    }

    [Fact]
    public async Task Other_requests_on_the_connection_are_answered_by_kestrel_and_keep_alive_works()
    {
        using var tcp = await ConnectAsync();
        var stream = tcp.GetStream();
        // HEAD: an answer without a body, so the next request follows on the same connection.
        await stream.WriteAsync("HEAD /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"u8.ToArray());
        var first = await ReadHeadAsync(stream);
        Assert.StartsWith("HTTP/1.1 200 ", first);
        Assert.Contains("Server: Kestrel", first);

        // The second request on the connection is a plain upgrade: Kestrel's path serves it, and it still works.
        await stream.WriteAsync(Encoding.ASCII.GetBytes(Upgrade("?access_token=" + Uri.EscapeDataString(_ann.Token))));
        var second = await ReadHeadAsync(stream);
        Assert.StartsWith("HTTP/1.1 101 ", second);
        Assert.Contains("Server: Kestrel", second);
        var client = WebSocket.CreateFromStream(stream, new WebSocketCreationOptions { IsServer = false });
        Assert.Equal("welcome", (await ReceiveJsonAsync(client)).GetProperty("type").GetString());
    }

    [Fact]
    public async Task A_request_to_the_websocket_path_that_is_no_upgrade_gets_kestrels_answer()
    {
        using var tcp = await ConnectAsync();
        var stream = tcp.GetStream();
        await stream.WriteAsync("GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"u8.ToArray());
        var head = await ReadHeadAsync(stream);
        Assert.StartsWith("HTTP/1.1 400 ", head);
        Assert.Contains("Server: Kestrel", head);
    }

    [Fact]
    public async Task An_unfinished_head_is_dropped_after_the_header_timeout()
    {
        using var tcp = await ConnectAsync();
        var stream = tcp.GetStream();
        await stream.WriteAsync("GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: web"u8.ToArray());
        // Closed: an end of stream, or a reset for the bytes the server never read.
        try
        {
            Assert.Equal(0, await stream.ReadAsync(new byte[64]).AsTask().WaitAsync(TimeSpan.FromSeconds(15)));
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public async Task Stomp_is_taken_with_its_sub_protocol_and_a_foreign_origin_is_refused()
    {
        using var tcp = await ConnectAsync();
        var stream = tcp.GetStream();
        var offer = "Sec-WebSocket-Protocol: v10.stomp, v12.stomp\r\nOrigin: http://127.0.0.1\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(Upgrade("?access_token=" + Uri.EscapeDataString(_ann.Token)).Replace("/ws", "/stomp").Replace("\r\n\r\n", "\r\n" + offer)));
        var head = await ReadHeadAsync(stream);
        Assert.StartsWith("HTTP/1.1 101 ", head);
        Assert.Contains("\r\nSec-WebSocket-Protocol: v12.stomp\r\n", head); // the server's preference among those offered
        Assert.DoesNotContain("Server: Kestrel", head);
        var client = WebSocket.CreateFromStream(stream, new WebSocketCreationOptions { IsServer = false, SubProtocol = "v12.stomp" });
        await client.SendAsync("CONNECT\naccept-version:1.2\nhost:parley\n\n\0"u8.ToArray(), WebSocketMessageType.Text, true, CancellationToken.None);
        var buffer = new byte[4096];
        var received = await client.ReceiveAsync(buffer, CancellationToken.None).WaitAsync(TestSocket.Timeout);
        Assert.StartsWith("CONNECTED\n", Encoding.UTF8.GetString(buffer, 0, received.Count));

        using var foreign = await ConnectAsync();
        var other = foreign.GetStream();
        await other.WriteAsync(Encoding.ASCII.GetBytes(Upgrade("").Replace("/ws", "/stomp").Replace("\r\n\r\n", "\r\nOrigin: http://evil.example\r\n\r\n")));
        Assert.StartsWith("HTTP/1.1 403 ", await ReadHeadAsync(other));
    }

    [Fact]
    public async Task The_mobileimsdk_websocket_is_taken_and_the_tcp_gateway_never_sees_the_middleware()
    {
        using var tcp = await ConnectAsync();
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(Upgrade("").Replace("/ws", "/websocket")));
        var head = await ReadHeadAsync(stream);
        Assert.StartsWith("HTTP/1.1 101 ", head);
        Assert.DoesNotContain("Server: Kestrel", head);

        // The TCP gateway speaks length-prefixed MobileIMSDK frames: an upgrade sent there is bad framing, never a 101.
        var gateway = _server.Services.GetRequiredService<Parley.Transports.MobileImSdk.MobileImGatewayEndpoints>().Tcp!;
        using var raw = new TcpClient();
        await raw.ConnectAsync(gateway).WaitAsync(TestSocket.Timeout);
        var rawStream = raw.GetStream();
        await rawStream.WriteAsync(Encoding.ASCII.GetBytes(Upgrade("?access_token=" + Uri.EscapeDataString(_ann.Token))));
        var answer = new byte[64];
        var read = 0;
        try
        {
            // Through the middleware the 101 would be back in milliseconds; the gateway may close, answer or wait.
            read = await rawStream.ReadAsync(answer).AsTask().WaitAsync(TimeSpan.FromSeconds(3));
        }
        catch (Exception ex) when (ex is IOException or TimeoutException)
        {
        }
        Assert.DoesNotContain("HTTP/1.1 101", Encoding.ASCII.GetString(answer, 0, read));
    }

    [Fact]
    public async Task With_direct_upgrades_off_the_http_stack_serves_the_websocket()
    {
        await using var server = await ParleyTestServer.StartAsync(new Dictionary<string, string?> { ["Parley:Http:DirectWebSocketUpgrades"] = "false" });
        var user = await server.CreateUserAsync("carol");
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        await socket.ConnectAsync(new Uri(server.WebSocketUri + "?access_token=" + Uri.EscapeDataString(user.Token)), CancellationToken.None).WaitAsync(TestSocket.Timeout);
        Assert.Contains("Kestrel", socket.HttpResponseHeaders!["Server"].Single());
        Assert.Equal("welcome", (await ReceiveJsonAsync(socket)).GetProperty("type").GetString());
        await socket.CloseQuietlyAsync();
    }

    [Fact]
    public async Task A_client_websocket_sends_a_fragmented_message_and_gets_its_keep_alive_pings_answered()
    {
        await Http.BefriendAsync(_server, _ann, _bob);
        await using var bob = await TestSocket.ConnectAsync(_server, _bob.Token);
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        socket.Options.KeepAliveInterval = TimeSpan.FromMilliseconds(100);
        socket.Options.KeepAliveTimeout = TimeSpan.FromSeconds(1);
        await socket.ConnectAsync(new Uri(_server.WebSocketUri + "?access_token=" + Uri.EscapeDataString(_ann.Token)), CancellationToken.None)
            .WaitAsync(TestSocket.Timeout);
        Assert.False(socket.HttpResponseHeaders!.ContainsKey("Server")); // answered by the direct path, not Kestrel's HTTP stack
        var frames = Channel.CreateUnbounded<JsonElement>();
        var receiving = Task.Run(async () =>
        {
            try
            {
                while (true) await frames.Writer.WriteAsync(await ReceiveJsonAsync(socket));
            }
            finally
            {
                frames.Writer.Complete();
            }
        });
        async Task<JsonElement> NextAsync(string type)
        {
            using var timeout = new CancellationTokenSource(TestSocket.Timeout);
            while (true)
            {
                var frame = await frames.Reader.ReadAsync(timeout.Token);
                if (frame.GetProperty("type").GetString() == type) return frame;
            }
        }
        Assert.Equal(_ann.Id, (await NextAsync("welcome")).GetProperty("userId").GetInt64());

        // One message in three fragments, split inside a multi-byte character.
        var raw = new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        var json = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { type = "send", id = "frag", to = _bob.Account, text = "grüße in drei Teilen: €" }, raw));
        var euro = json.AsSpan().IndexOf("€"u8);
        byte[][] parts = [json[..10], json[10..(euro + 1)], json[(euro + 1)..]];
        for (var i = 0; i < parts.Length; i++)
            await socket.SendAsync(parts[i], WebSocketMessageType.Text, i == parts.Length - 1, CancellationToken.None).WaitAsync(TestSocket.Timeout);
        Assert.Equal("frag", (await NextAsync("ack")).GetProperty("id").GetString());
        Assert.Equal("grüße in drei Teilen: €", (await bob.NextAsync("message")).GetProperty("message").GetProperty("text").GetString());

        // Idle with a receive pending: the client pings (its heartbeat runs once a second) when nothing has come for
        // 100 ms, and aborts itself when the pong is a second late. Time has to pass here; no condition is awaited.
        await Task.Delay(TimeSpan.FromSeconds(3.5));
        await socket.SendAsync("{\"type\":\"ping\",\"id\":\"after\"}"u8.ToArray(), WebSocketMessageType.Text, true, CancellationToken.None).WaitAsync(TestSocket.Timeout);
        Assert.Equal("after", (await NextAsync("pong")).GetProperty("id").GetString());
        Assert.Equal(WebSocketState.Open, socket.State);
        await socket.CloseQuietlyAsync();
        await receiving.ContinueWith(_ => { }).WaitAsync(TestSocket.Timeout);
    }

    private async Task<TcpClient> ConnectAsync()
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync(_server.BaseUri.Host, _server.BaseUri.Port).WaitAsync(TestSocket.Timeout);
        return tcp;
    }

    private static Task<string> ReadHeadAsync(Stream stream) => RawUpgrade.ReadHeadAsync(stream);

    private static async Task<JsonElement> ReceiveJsonAsync(WebSocket socket, string? type = null)
    {
        var buffer = new byte[64 * 1024];
        using var timeout = new CancellationTokenSource(TestSocket.Timeout);
        while (true)
        {
            var length = 0;
            ValueWebSocketReceiveResult result;
            do
            {
                result = await socket.ReceiveAsync(buffer.AsMemory(length), timeout.Token);
                length += result.Count;
            } while (!result.EndOfMessage);
            var frame = JsonDocument.Parse(buffer.AsMemory(0, length)).RootElement.Clone();
            if (type is null || frame.GetProperty("type").GetString() == type || frame.GetProperty("type").GetString() == "error") return frame;
        }
    }
}
