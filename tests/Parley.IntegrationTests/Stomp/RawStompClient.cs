using System.Buffers;
using System.Net.WebSockets;
using System.Text;
using System.Threading.Channels;
using Parley.IntegrationTests.Infrastructure;
using Parley.Protocol;
using Parley.Protocol.Stomp;

namespace Parley.IntegrationTests.Stomp;

/// <summary>A raw STOMP-over-WebSocket client for hostile and precise tests: sends any bytes, parses what comes back.</summary>
public sealed class RawStompClient : IAsyncDisposable
{
    private readonly ClientWebSocket _socket = new();
    private readonly Channel<StompFrame> _frames = Channel.CreateUnbounded<StompFrame>();
    private Task _receive = Task.CompletedTask;
    private int _heartbeats;

    public WebSocketCloseStatus? CloseStatus => _socket.CloseStatus;
    public string? SubProtocol => _socket.SubProtocol;
    public int HeartbeatsReceived => Volatile.Read(ref _heartbeats);

    public static Task<RawStompClient> OpenAsync(ParleyTestServer server, string subProtocol = "v12.stomp") => OpenAsync(server.BaseUri, subProtocol);

    /// <summary>Opens a STOMP WebSocket to the server at <paramref name="baseUri"/> (a server in another process, say).</summary>
    public static async Task<RawStompClient> OpenAsync(Uri baseUri, string subProtocol = "v12.stomp")
    {
        var client = new RawStompClient();
        client._socket.Options.AddSubProtocol(subProtocol);
        await client._socket.ConnectAsync(new Uri(baseUri.ToString().Replace("http://", "ws://") + "stomp"), CancellationToken.None)
            .WaitAsync(TestSocket.Timeout);
        client._receive = client.ReceiveLoopAsync();
        return client;
    }

    /// <summary>Opens and CONNECTs with a token; returns the CONNECTED frame.</summary>
    public static Task<(RawStompClient Client, StompFrame Connected)> ConnectAsync(ParleyTestServer server, string token, string heartBeat = "0,0") =>
        ConnectAsync(server.BaseUri, token, heartBeat);

    public static async Task<(RawStompClient Client, StompFrame Connected)> ConnectAsync(Uri baseUri, string token, string heartBeat = "0,0")
    {
        var client = await OpenAsync(baseUri);
        await client.SendAsync($"CONNECT\naccept-version:1.2\nhost:parley\nheart-beat:{heartBeat}\nAuthorization:Bearer {token}\n\n\0");
        var connected = await client.NextAsync();
        Assert.Equal(StompCommand.Connected, connected.Command);
        return (client, connected);
    }

    public Task SendAsync(string text) => SendBytesAsync(Encoding.UTF8.GetBytes(text));

    public async Task SendBytesAsync(byte[] bytes) =>
        await _socket.SendAsync(bytes, WebSocketMessageType.Text, true, CancellationToken.None).WaitAsync(TestSocket.Timeout);

    public async Task SubscribeAsync(string id, string destination)
    {
        await SendAsync($"SUBSCRIBE\nid:{id}\ndestination:{destination}\nreceipt:sub-{id}\n\n\0");
        var receipt = await NextAsync(StompCommand.Receipt);
        Assert.Equal("sub-" + id, receipt.GetHeader("receipt-id"));
    }

    /// <summary>The next frame (optionally of a command; others are skipped).</summary>
    public async Task<StompFrame> NextAsync(StompCommand? command = null, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TestSocket.Timeout);
        try
        {
            while (true)
            {
                var frame = await _frames.Reader.ReadAsync(cts.Token);
                if (command is null || frame.Command == command) return frame;
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"no {command?.ToString() ?? "frame"} within {(timeout ?? TestSocket.Timeout).TotalSeconds}s");
        }
        catch (ChannelClosedException)
        {
            throw new InvalidOperationException($"socket closed ({CloseStatus}) before a {command?.ToString() ?? "frame"}");
        }
    }

    /// <summary>Waits for the server to close; returns the close status.</summary>
    public async Task<WebSocketCloseStatus?> ClosedAsync(TimeSpan? timeout = null)
    {
        await _receive.WaitAsync(timeout ?? TestSocket.Timeout);
        return _socket.CloseStatus;
    }

    private async Task ReceiveLoopAsync()
    {
        var buffer = new byte[1 << 20];
        var pending = new List<byte>();
        try
        {
            while (_socket.State == WebSocketState.Open)
            {
                var result = await _socket.ReceiveAsync(buffer, CancellationToken.None);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    if (_socket.State == WebSocketState.CloseReceived)
                        await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
                    break;
                }
                pending.AddRange(buffer.AsSpan(0, result.Count));
                var sequence = new ReadOnlySequence<byte>(pending.ToArray());
                while (StompParser.TryParse(ref sequence, new StompLimits { MaxFrameSize = 1 << 20 }, out var parsed))
                {
                    if (parsed.Status == ParseStatus.Heartbeat) Interlocked.Increment(ref _heartbeats);
                    else await _frames.Writer.WriteAsync(parsed.Frame!);
                }
                pending = [.. sequence.ToArray()];
            }
        }
        catch (WebSocketException) { }
        finally
        {
            _frames.Writer.TryComplete();
        }
    }

    public ValueTask DisposeAsync() => _socket.CloseQuietlyAsync();
}
