using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Parley.Client.Tests;

/// <summary>A scriptable Parley server on Kestrel (127.0.0.1, random port) speaking the documented frames.</summary>
public sealed class FakeParleyServer : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly WebApplication _app;
    private readonly Channel<FakeConnection> _connections = Channel.CreateUnbounded<FakeConnection>();
    private int _connectionCount;

    private FakeParleyServer(WebApplication app) => _app = app;

    public Uri BaseUri { get; private set; } = null!;

    public int HeartbeatMs { get; set; } = 25_000;

    /// <summary>HTTP status to refuse the next upgrades with (e.g. 401), consumed one per attempt.</summary>
    public Queue<int> RejectUpgrades { get; } = new();

    /// <summary>Tokens seen on /ws, in order.</summary>
    public List<string> Tokens { get; } = [];

    public int ConnectionCount => Volatile.Read(ref _connectionCount);

    /// <summary>Edits the welcome frame before it is sent (e.g. a client connection without a user).</summary>
    public Action<JsonObject>? EditWelcome { get; set; }

    /// <summary>Default replies: sync → synced (more=false, echoing cursors), ping → pong. Set to null to reply to nothing.</summary>
    public Func<FakeConnection, JsonObject, Task>? Responder { get; set; } = DefaultResponder;

    /// <summary>Handles /api/** requests.</summary>
    public Func<HttpContext, Task> RestHandler { get; set; } = ctx => { ctx.Response.StatusCode = 404; return Task.CompletedTask; };

    public static async Task<FakeParleyServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var server = new FakeParleyServer(app);
        app.UseWebSockets();
        app.Map("/ws", server.HandleWebSocketAsync);
        app.Map("/api/{**rest}", ctx => server.RestHandler(ctx));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseUri = new Uri(address + "/");
        return server;
    }

    public async Task<FakeConnection> NextConnectionAsync() => await _connections.Reader.ReadAsync().AsTask().WaitAsync(Timeout);

    public static async Task DefaultResponder(FakeConnection connection, JsonObject frame)
    {
        switch ((string?)frame["type"])
        {
            case "sync":
                await connection.SendAsync(new JsonObject
                {
                    ["type"] = "synced",
                    ["id"] = (string?)frame["id"],
                    ["more"] = false,
                    ["cursors"] = frame["cursors"]?.DeepClone() ?? new JsonObject(),
                });
                break;
            case "ping":
                await connection.SendAsync(new JsonObject { ["type"] = "pong", ["id"] = (string?)frame["id"], ["serverTime"] = 1 });
                break;
        }
    }

    private async Task HandleWebSocketAsync(HttpContext context)
    {
        Tokens.Add(context.Request.Query["access_token"].ToString());
        lock (RejectUpgrades)
        {
            if (RejectUpgrades.TryDequeue(out var status))
            {
                context.Response.StatusCode = status;
                return;
            }
        }

        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = 400;
            return;
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        var connection = new FakeConnection(this, socket, Interlocked.Increment(ref _connectionCount));
        var welcome = new JsonObject
        {
            ["type"] = "welcome", ["userId"] = 1, ["userName"] = "alice", ["connectionId"] = connection.Number,
            ["heartbeatMs"] = HeartbeatMs, ["idleTimeoutMs"] = HeartbeatMs * 2, ["maxFrameBytes"] = 65536, ["serverTime"] = 1,
        };
        EditWelcome?.Invoke(welcome);
        await connection.SendAsync(welcome);
        _connections.Writer.TryWrite(connection);
        await connection.ReceiveLoopAsync();
    }

    public async ValueTask DisposeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        await _app.StopAsync(cts.Token);
        await _app.DisposeAsync();
    }
}

/// <summary>One accepted WebSocket; frames the client sent are queued for the test.</summary>
public sealed class FakeConnection(FakeParleyServer server, WebSocket socket, int number)
{
    private readonly Channel<JsonObject> _incoming = Channel.CreateUnbounded<JsonObject>();
    private readonly SemaphoreSlim _sendLock = new(1, 1);

    public int Number { get; } = number;

    public TaskCompletionSource<WebSocketCloseStatus?> Closed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task SendAsync(JsonObject frame) => await SendRawAsync(frame.ToJsonString());

    public async Task SendRawAsync(string json)
    {
        await _sendLock.WaitAsync();
        try
        {
            await socket.SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text, true, CancellationToken.None);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    public Task SendMessageAsync(string conversation, long seq, string text = "x", long from = 2) =>
        SendAsync(new JsonObject { ["type"] = "message", ["message"] = Message(conversation, seq, text, from) });

    public static JsonObject Message(string conversation, long seq, string text = "x", long from = 2) => new()
    {
        ["id"] = $"m-{conversation}-{seq}", ["conversation"] = conversation, ["seq"] = seq, ["from"] = from,
        ["fromName"] = "bob", ["to"] = 1, ["group"] = null, ["kind"] = "text", ["text"] = text,
        ["payload"] = null, ["clientMsgId"] = null, ["ts"] = 1763777777000 + seq,
    };

    /// <summary>Next client frame of the given type (other types are skipped; pings are always skipped unless asked for).</summary>
    public async Task<JsonObject> ReceiveAsync(string type)
    {
        using var cts = new CancellationTokenSource(FakeParleyServer.Timeout);
        while (true)
        {
            var frame = await _incoming.Reader.ReadAsync(cts.Token);
            if ((string?)frame["type"] == type)
            {
                return frame;
            }
        }
    }

    /// <summary>Next client frame that is not a heartbeat ping without id.</summary>
    public async Task<JsonObject> ReceiveAnyAsync()
    {
        using var cts = new CancellationTokenSource(FakeParleyServer.Timeout);
        while (true)
        {
            var frame = await _incoming.Reader.ReadAsync(cts.Token);
            if (!((string?)frame["type"] == "ping" && frame["id"] is null))
            {
                return frame;
            }
        }
    }

    public Task CloseAsync(int code, string reason) =>
        socket.CloseOutputAsync((WebSocketCloseStatus)code, reason, CancellationToken.None);

    public void Abort() => socket.Abort();

    internal async Task ReceiveLoopAsync()
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                using var ms = new MemoryStream();
                WebSocketReceiveResult result;
                do
                {
                    result = await socket.ReceiveAsync(buffer, CancellationToken.None);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        Closed.TrySetResult(result.CloseStatus);
                        if (socket.State == WebSocketState.CloseReceived)
                        {
                            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None);
                        }

                        return;
                    }

                    ms.Write(buffer, 0, result.Count);
                }
                while (!result.EndOfMessage);

                var frame = JsonNode.Parse(ms.ToArray())!.AsObject();
                _incoming.Writer.TryWrite(frame);
                if (server.Responder is { } responder)
                {
                    await responder(this, frame);
                }
            }
        }
        catch (Exception)
        {
            Closed.TrySetResult(null);
        }
    }
}
