using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;

namespace Parley.IntegrationTests.Infrastructure;

/// <summary>
/// A raw native-protocol client for tests: sends JSON frames, collects every received frame, and waits for
/// conditions with a timeout (never a fixed sleep).
/// </summary>
public sealed class TestSocket : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly ClientWebSocket _socket;
    private readonly Channel<JsonElement> _frames = Channel.CreateUnbounded<JsonElement>();
    private readonly List<JsonElement> _seen = [];
    private readonly Task _receive;

    private TestSocket(ClientWebSocket socket)
    {
        _socket = socket;
        _receive = ReceiveLoopAsync();
    }

    public WebSocketCloseStatus? CloseStatus => _socket.CloseStatus;
    public string? CloseReason => _socket.CloseStatusDescription;
    public Task Completion => _receive;
    public JsonElement Welcome { get; private set; }

    public static Task<TestSocket> ConnectAsync(ParleyTestServer server, string token, bool expectWelcome = true) =>
        ConnectAsync(server.WebSocketUri, token, expectWelcome);

    /// <summary>Connects to the native endpoint at <paramref name="webSocketUri"/> (<c>ws://host/ws</c>; a server in another process, say).</summary>
    public static async Task<TestSocket> ConnectAsync(Uri webSocketUri, string token, bool expectWelcome = true)
    {
        var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri(webSocketUri + "?access_token=" + Uri.EscapeDataString(token)), CancellationToken.None)
            .WaitAsync(Timeout);
        var client = new TestSocket(socket);
        if (expectWelcome) client.Welcome = await client.NextAsync("welcome");
        return client;
    }

    public Task SendAsync(object frame) => SendRawAsync(JsonSerializer.Serialize(frame));

    public async Task SendRawAsync(string text) =>
        await _socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, CancellationToken.None).WaitAsync(Timeout);

    public async Task SendBytesAsync(byte[] bytes, WebSocketMessageType type) =>
        await _socket.SendAsync(bytes, type, true, CancellationToken.None).WaitAsync(Timeout);

    /// <summary>The next frame of a type; frames skipped on the way stay available to later waits.</summary>
    public Task<JsonElement> NextAsync(string type, Func<JsonElement, bool>? where = null, TimeSpan? timeout = null) =>
        TakeAsync(f => f.GetProperty("type").GetString() == type && (where is null || where(f)), $"'{type}' frame", timeout);

    /// <summary>Sends and waits for the reply carrying the same id (ack, result, error, pong or synced).</summary>
    public async Task<JsonElement> RequestAsync(object frame, string id)
    {
        await SendAsync(frame);
        return await TakeAsync(f => f.TryGetProperty("id", out var rid) && rid.GetString() == id, $"reply to '{id}'", null);
    }

    /// <summary>Waits for the reply carrying <paramref name="id"/> to a frame sent earlier.</summary>
    public Task<JsonElement> ReplyAsync(string id) =>
        TakeAsync(f => f.TryGetProperty("id", out var rid) && rid.ValueKind == JsonValueKind.String && rid.GetString() == id, $"reply to '{id}'", null);

    private readonly List<JsonElement> _backlog = [];

    private async Task<JsonElement> TakeAsync(Func<JsonElement, bool> match, string what, TimeSpan? timeout)
    {
        lock (_backlog)
        {
            var index = _backlog.FindIndex(f => match(f));
            if (index >= 0)
            {
                var found = _backlog[index];
                _backlog.RemoveAt(index);
                return found;
            }
        }
        using var cts = new CancellationTokenSource(timeout ?? Timeout);
        try
        {
            while (true)
            {
                var frame = await _frames.Reader.ReadAsync(cts.Token);
                if (match(frame)) return frame;
                lock (_backlog) _backlog.Add(frame);
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"no {what} within {(timeout ?? Timeout).TotalSeconds}s; seen: {string.Join(" | ", Seen.Select(f => f.GetRawText()))}");
        }
        catch (ChannelClosedException)
        {
            throw new InvalidOperationException($"socket closed ({CloseStatus} {CloseReason}) before {what}; seen: {string.Join(" | ", Seen.Select(f => f.GetRawText()))}");
        }
    }

    public async Task<JsonElement> SendMessageAsync(object target, string text, string? clientMsgId = null)
    {
        var id = Guid.NewGuid().ToString("N");
        var frame = new Dictionary<string, object?> { ["type"] = "send", ["id"] = id, ["text"] = text, ["clientMsgId"] = clientMsgId };
        foreach (var p in target.GetType().GetProperties()) frame[p.Name] = p.GetValue(target);
        return await RequestAsync(frame, id);
    }

    /// <summary>Collects message frames until <paramref name="count"/> arrived.</summary>
    public async Task<List<JsonElement>> MessagesAsync(int count)
    {
        var result = new List<JsonElement>();
        while (result.Count < count) result.Add((await NextAsync("message")).GetProperty("message"));
        return result;
    }

    public IReadOnlyList<JsonElement> Seen
    {
        get { lock (_seen) return [.. _seen]; }
    }

    /// <summary>Waits until the server closes the socket; returns the close status.</summary>
    public async Task<WebSocketCloseStatus?> ClosedAsync(TimeSpan? timeout = null)
    {
        await _receive.WaitAsync(timeout ?? Timeout);
        return _socket.CloseStatus;
    }

    private async Task ReceiveLoopAsync()
    {
        var buffer = new byte[1 << 20];
        try
        {
            while (_socket.State == WebSocketState.Open)
            {
                var length = 0;
                WebSocketReceiveResult result;
                do
                {
                    result = await _socket.ReceiveAsync(buffer.AsMemory(length).ToArraySegment(), CancellationToken.None);
                    length += result.Count;
                } while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    if (_socket.State == WebSocketState.CloseReceived)
                        await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
                    break;
                }
                var frame = JsonDocument.Parse(buffer.AsMemory(0, length)).RootElement.Clone();
                lock (_seen) _seen.Add(frame);
                await _frames.Writer.WriteAsync(frame);
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

internal static class MemoryExtensions
{
    public static ArraySegment<byte> ToArraySegment(this Memory<byte> memory) =>
        System.Runtime.InteropServices.MemoryMarshal.TryGetArray<byte>(memory, out var segment) ? segment : throw new InvalidOperationException();
}
