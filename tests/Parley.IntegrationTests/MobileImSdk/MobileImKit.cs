using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.DependencyInjection;
using Parley.Abstractions.Hooks;
using Parley.Client.MobileImSdk;
using Parley.IntegrationTests.Infrastructure;
using Parley.Protocol.MobileImSdk;
using Parley.Transports.MobileImSdk;

namespace Parley.IntegrationTests.MobileImSdk;

public enum Wire { Udp, Tcp, Ws }

/// <summary>Test server settings with short MobileIMSDK timers, and helpers to reach the gateway.</summary>
public static class MobileImKit
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    public static Task<ParleyTestServer> StartAsync(IDictionary<string, string?>? extra = null, ParleyHooks? hooks = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Parley:MobileImSdk:QosCheckIntervalMs"] = "200",
            ["Parley:MobileImSdk:QosResendAfterMs"] = "300",
            ["Parley:MobileImSdk:QosMaxResends"] = "1",
            ["Parley:MobileImSdk:Udp:IdleTimeoutMs"] = "8000",
            ["Parley:MobileImSdk:Tcp:IdleTimeoutMs"] = "8000",
            ["Parley:MobileImSdk:WebSocket:IdleTimeoutMs"] = "8000",
            ["Parley:Connections:RatePerSecond"] = "10000",
            ["Parley:Connections:RateBurst"] = "10000",
            ["Parley:Admins:0"] = "admin",
        };
        foreach (var (k, v) in extra ?? new Dictionary<string, string?>()) settings[k] = v;
        return ParleyTestServer.StartAsync(settings, hooks is null ? null : s => s.AddSingleton(hooks));
    }

    public static MobileImGatewayEndpoints Endpoints(this ParleyTestServer server) => server.Services.GetRequiredService<MobileImGatewayEndpoints>();

    public static async Task<IPEndPoint> UdpAsync(this ParleyTestServer server)
    {
        var endpoints = server.Endpoints();
        await endpoints.UdpReady.WaitAsync(Timeout);
        return endpoints.Udp!;
    }

    public static Uri MobileImWebSocketUri(this ParleyTestServer server) => new(server.BaseUri.ToString().Replace("http://", "ws://") + "websocket");

    /// <summary>Short client timers: QoS check 200 ms, resend after 300 ms, keep-alive 500 ms.</summary>
    public static MobileImClientOptions ClientOptions(ParleyTestServer server, Wire wire, IPEndPoint? via = null)
    {
        var endpoint = via ?? (wire == Wire.Udp ? server.Endpoints().Udp! : server.Endpoints().Tcp!);
        return new MobileImClientOptions
        {
            Transport = wire == Wire.Udp ? MobileImTransport.Udp : MobileImTransport.Tcp,
            Host = endpoint.Address.ToString(), Port = endpoint.Port,
            KeepAliveInterval = TimeSpan.FromMilliseconds(500), KeepAliveTimeout = TimeSpan.FromSeconds(4),
            ReloginInterval = TimeSpan.FromMilliseconds(300), QosCheckInterval = TimeSpan.FromMilliseconds(200),
            QosResendAfter = TimeSpan.FromMilliseconds(300), QosMaxResends = 2, TimerResolution = TimeSpan.FromMilliseconds(25),
            LoginTimeout = Timeout,
        };
    }

    public static async Task<ClientHarness> LoginAsync(ParleyTestServer server, Wire wire, TestUser user, IPEndPoint? via = null)
    {
        if (wire == Wire.Udp) await server.UdpAsync();
        var harness = new ClientHarness(new MobileImClient(ClientOptions(server, wire, via)));
        var code = await harness.Client.LoginAsync(user.Account, user.Password);
        Assert.Equal(0, code);
        await server.WaitOnlineAsync(user.Account);
        return harness;
    }

    /// <summary>The server registers a session just after writing its login response (as MobileIMSDK does): wait for it.</summary>
    public static Task WaitOnlineAsync(this ParleyTestServer server, string account)
    {
        var push = server.Services.GetRequiredService<MobileImPush>();
        return GatewayRobustnessTests.WaitUntilAsync(() => push.IsOnline(account));
    }

    public static async Task<RawPeer> RawAsync(ParleyTestServer server, Wire wire) => wire switch
    {
        Wire.Udp => RawPeer.Udp(await server.UdpAsync()),
        Wire.Tcp => await RawPeer.TcpAsync(server.Endpoints().Tcp!),
        _ => await RawPeer.WsAsync(server.MobileImWebSocketUri()),
    };

    public static string Login(string user, string token, long firstLoginTime = 0) =>
        ProtocalCodec.EncodeToString(new Protocal
        {
            Type = ProtocalType.Login, From = user, To = "0", DataContent = new PLoginInfo(user, token, null, firstLoginTime).ToJson(),
        });

    public static string Data(string from, string to, string text, string? fp, int typeu = -1) =>
        ProtocalCodec.EncodeToString(ProtocalFactory.CommonData(from, to, text, fp is not null, fp, typeu));

    public static long FirstLoginTimeOf(string loginResponse)
    {
        var packet = ProtocalCodec.Decode(Encoding.UTF8.GetBytes(loginResponse), 1 << 20).Packet!;
        Assert.True(PLoginInfoResponse.TryParse(packet.DataContent, out var response));
        return response.FirstLoginTime;
    }

    public static string LoginResponse(string to, long firstLoginTime) =>
        $"{{\"bridge\":false,\"type\":50,\"dataContent\":\"{{\\\"code\\\":0,\\\"firstLoginTime\\\":{firstLoginTime}}}\",\"from\":\"0\",\"to\":\"{to}\",\"QoS\":false,\"typeu\":-1,\"sm\":-1}}";

    /// <summary>Waits until <paramref name="condition"/> holds, re-checking whenever <paramref name="signal"/> pulses.</summary>
    public static async Task UntilAsync(Func<bool> condition, Signal signal, TimeSpan? timeout = null, string? what = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? Timeout);
        while (true)
        {
            var next = signal.Next; // taken before the check, so a pulse in between is not missed
            if (condition()) return;
            try { await next.WaitAsync(cts.Token); }
            catch (OperationCanceledException) { throw new TimeoutException($"condition not met in time: {what}"); }
        }
    }
}

/// <summary>Hooks whose MobileIMSDK login check takes <see cref="Delay"/>: a password check on a starved machine.</summary>
public class SlowLoginHooks : ParleyHooks
{
    private long _delayTicks;

    public TimeSpan Delay
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _delayTicks));
        set => Interlocked.Exchange(ref _delayTicks, value.Ticks);
    }

    public override async ValueTask<int> VerifyMobileImLoginAsync(MobileImLoginContext context, CancellationToken ct)
    {
        if (Delay > TimeSpan.Zero) await Task.Delay(Delay, ct);
        return 0;
    }
}

/// <summary>Pulses waiters whenever something happened (no polling).</summary>
public sealed class Signal
{
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Pulse() => Interlocked.Exchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    public Task Next => Volatile.Read(ref _next).Task;
}

/// <summary>A <see cref="MobileImClient"/> with everything it reports recorded.</summary>
public sealed class ClientHarness : IAsyncDisposable
{
    private readonly Lock _gate = new();
    public readonly Signal Changed = new();
    public readonly List<MobileImMessage> Data = [];
    public readonly List<string> Acked = [];
    public readonly List<Protocal> Lost = [];
    public readonly List<PKickoutInfo> Kicks = [];
    public readonly List<int> Errors = [];
    public readonly List<int> Logins = [];
    public int LinkClosures;

    public ClientHarness(MobileImClient client)
    {
        Client = client;
        client.DataReceived += m => Record(() => Data.Add(m));
        client.MessageReceived += fp => Record(() => Acked.Add(fp));
        client.MessagesLost += lost => Record(() => Lost.AddRange(lost));
        client.KickedOut += k => Record(() => Kicks.Add(k));
        client.ErrorResponse += (code, _) => Record(() => Errors.Add(code));
        client.LoginCompleted += code => Record(() => Logins.Add(code));
        client.LinkClosed += _ => Record(() => LinkClosures++);
    }

    public MobileImClient Client { get; }

    private void Record(Action action)
    {
        lock (_gate) action();
        Changed.Pulse();
    }

    public T Read<T>(Func<ClientHarness, T> read)
    {
        lock (_gate) return read(this);
    }

    public Task UntilAsync(Func<ClientHarness, bool> condition, TimeSpan? timeout = null, string? what = null) =>
        MobileImKit.UntilAsync(() => Read(condition), Changed, timeout, what);

    public async Task<MobileImMessage> MessageAsync(Func<MobileImMessage, bool> match)
    {
        MobileImMessage? found = null;
        await UntilAsync(h => (found = h.Data.FirstOrDefault(match)) is not null, what: "a matching data packet");
        return found!;
    }

    public ValueTask DisposeAsync() => Client.DisposeAsync();
}

/// <summary>A raw MobileIMSDK peer for byte-level tests: sends JSON, collects every packet received as text.</summary>
public sealed class RawPeer : IAsyncDisposable
{
    private readonly Channel<string> _received = Channel.CreateUnbounded<string>();
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Func<byte[], Task> _send;
    private readonly Func<ValueTask> _dispose;
    public readonly List<string> All = [];

    private RawPeer(Func<byte[], Task> send, Func<ValueTask> dispose)
    {
        _send = send;
        _dispose = dispose;
    }

    public WebSocketCloseStatus? WsCloseStatus { get; private set; }
    public string? WsCloseReason { get; private set; }
    public Task Closed => _closed.Task;

    public static RawPeer Udp(IPEndPoint server)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Connect(server);
        var cts = new CancellationTokenSource();
        var peer = new RawPeer(async b => await socket.SendAsync(b, SocketFlags.None), () =>
        {
            cts.Cancel();
            socket.Dispose();
            return ValueTask.CompletedTask;
        });
        _ = Task.Run(async () =>
        {
            var buffer = new byte[65536];
            while (!cts.IsCancellationRequested)
            {
                try { peer.Add(Encoding.UTF8.GetString(buffer, 0, await socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token))); }
                catch (SocketException) { }
                catch (Exception) { break; }
            }
        });
        return peer;
    }

    public static async Task<RawPeer> TcpAsync(IPEndPoint server)
    {
        var client = new TcpClient();
        await client.ConnectAsync(server).WaitAsync(MobileImKit.Timeout);
        var stream = client.GetStream();
        var peer = new RawPeer(async b =>
        {
            var frame = new byte[4 + b.Length];
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(frame, (uint)b.Length);
            b.CopyTo(frame, 4);
            await stream.WriteAsync(frame);
        }, () =>
        {
            client.Dispose();
            return ValueTask.CompletedTask;
        });
        peer.RawTcpStream = stream;
        _ = Task.Run(async () =>
        {
            var header = new byte[4];
            try
            {
                while (true)
                {
                    await stream.ReadExactlyAsync(header);
                    var body = new byte[System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(header)];
                    await stream.ReadExactlyAsync(body);
                    peer.Add(Encoding.UTF8.GetString(body));
                }
            }
            catch (Exception) { }
            peer._received.Writer.TryComplete();
            peer._closed.TrySetResult();
        });
        return peer;
    }

    public NetworkStream? RawTcpStream { get; private set; }

    public static async Task<RawPeer> WsAsync(Uri uri)
    {
        var socket = new ClientWebSocket();
        await socket.ConnectAsync(uri, CancellationToken.None).WaitAsync(MobileImKit.Timeout);
        RawPeer? self = null;
        var peer = new RawPeer(async b => await socket.SendAsync(b, WebSocketMessageType.Text, true, CancellationToken.None), async () =>
        {
            try
            {
                if (socket.State == WebSocketState.Open)
                    await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(3));
            }
            catch (Exception) { }
            socket.Dispose();
        });
        self = peer;
        peer.WebSocket = socket;
        _ = Task.Run(async () =>
        {
            var buffer = new byte[1 << 17];
            try
            {
                while (true)
                {
                    var length = 0;
                    WebSocketReceiveResult result;
                    do
                    {
                        result = await socket.ReceiveAsync(new ArraySegment<byte>(buffer, length, buffer.Length - length), CancellationToken.None);
                        length += result.Count;
                    } while (!result.EndOfMessage);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        self.WsCloseStatus = socket.CloseStatus;
                        self.WsCloseReason = socket.CloseStatusDescription;
                        if (socket.State == WebSocketState.CloseReceived)
                            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
                        break;
                    }
                    self.Add(Encoding.UTF8.GetString(buffer, 0, length));
                }
            }
            catch (Exception) { }
            self._received.Writer.TryComplete();
            self._closed.TrySetResult();
        });
        return peer;
    }

    public ClientWebSocket? WebSocket { get; private set; }

    private void Add(string packet)
    {
        lock (All) All.Add(packet);
        _received.Writer.TryWrite(packet);
    }

    public Task SendAsync(string json) => SendBytesAsync(Encoding.UTF8.GetBytes(json));

    public Task SendBytesAsync(byte[] bytes) => _send(bytes).WaitAsync(MobileImKit.Timeout);

    /// <summary>The next packet (as text) of <paramref name="type"/>; others are skipped (they stay in <see cref="All"/>).</summary>
    public async Task<string> NextAsync(int type, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? MobileImKit.Timeout);
        try
        {
            while (true)
            {
                var text = await _received.Reader.ReadAsync(cts.Token);
                if (TypeOf(text) == type) return text;
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"no type {type} packet; seen: {string.Join(" | ", Snapshot())}");
        }
        catch (ChannelClosedException)
        {
            throw new InvalidOperationException($"closed before a type {type} packet; seen: {string.Join(" | ", Snapshot())}");
        }
    }

    /// <summary>True when no packet of <paramref name="type"/> arrives within <paramref name="window"/> (only for asserting absence).</summary>
    public async Task<bool> NoneAsync(int type, TimeSpan window)
    {
        try
        {
            await NextAsync(type, window);
            return false;
        }
        catch (Exception ex) when (ex is TimeoutException or InvalidOperationException) { return true; }
    }

    public List<string> Snapshot()
    {
        lock (All) return [.. All];
    }

    public static int TypeOf(string json) => JsonDocument.Parse(json).RootElement.GetProperty("type").GetInt32();

    public async Task<string> LoginAsync(string user, string password, long firstLoginTime = 0)
    {
        await SendAsync(MobileImKit.Login(user, password, firstLoginTime));
        return await NextAsync(ProtocalType.ResponseLogin);
    }

    public ValueTask DisposeAsync() => _dispose();
}
