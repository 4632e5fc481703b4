using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Parley.LoadGen.Net;
using Parley.Protocol.MobileImSdk;

namespace Parley.LoadGen.Clients;

/// <summary>
/// The MobileIMSDK client behaviour shared by the three transports: login with the JWT as loginToken, QoS data
/// packets with a UUID fingerprint, an ACK (type 4) for every QoS packet received (the protocol has no cumulative
/// ack), keep-alives so the server's sense-mode timeout never fires.
/// </summary>
internal sealed class MimLogic(LoadUser user, ClientContext context, Action<byte[]> send)
{
    private static readonly long KeepAliveEvery = Stopwatch.Frequency * 3;
    private readonly TaskCompletionSource _login = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _lastSent = Stopwatch.GetTimestamp();

    public Task LoggedIn => _login.Task;

    public void Login() => Send(new Protocal
    {
        Type = ProtocalType.Login, From = user.Name, To = MobileImIds.Server,
        DataContent = new PLoginInfo(user.Name, user.Token).ToJson(),
    });

    public void SendData(string to, long seq, long timestamp) => Send(ProtocalFactory.CommonData(user.Name, to,
        MessageText.AsString(user.Index, seq, timestamp, context.TextLength), qos: true,
        // A random UUID, as the Java SDK makes (UUID.randomUUID()): the gateway forwards it to the receiver unchanged.
        fp: Guid.NewGuid().ToString()));

    public void Tick(long now)
    {
        if (now - Volatile.Read(ref _lastSent) < KeepAliveEvery) return;
        Send(new Protocal { Type = ProtocalType.KeepAlive, From = user.Name, To = MobileImIds.Server, DataContent = PKeepAlive.Json });
    }

    private void Send(Protocal packet)
    {
        Volatile.Write(ref _lastSent, Stopwatch.GetTimestamp());
        send(ProtocalCodec.Encode(packet));
    }

    public void OnPacket(ReadOnlySpan<byte> json)
    {
        var decoded = ProtocalCodec.Decode(json, 65536);
        if (decoded.Packet is not { } p)
        {
            context.Errors.Add("mobileimsdk: undecodable packet " + decoded.Error);
            return;
        }
        switch (p.Type)
        {
            case ProtocalType.CommonData:
                context.Tally.Arrived(user.Index, System.Text.Encoding.UTF8.GetBytes(p.DataContent ?? ""));
                if (p.QoS && p.Fp is not null) Send(ProtocalFactory.Ack(user.Name, p.From ?? MobileImIds.Server, p.Fp));
                break;
            case ProtocalType.Received:
                context.Tally.Ack();
                break;
            case ProtocalType.ResponseLogin:
                if (PLoginInfoResponse.TryParse(p.DataContent, out var r) && r.Code == 0) _login.TrySetResult();
                else _login.TrySetException(new InvalidOperationException("mobileimsdk login refused: " + p.DataContent));
                break;
            case ProtocalType.ResponseForError:
            case ProtocalType.Kickout:
                context.Errors.Add($"mobileimsdk type {p.Type}: {p.DataContent}");
                break;
        }
    }
}

/// <summary>MobileIMSDK over UDP: one connected datagram socket per user.</summary>
public sealed class MimUdpClient : ILoadClient
{
    private readonly ClientContext _context;
    private readonly MimLogic _logic;
    private readonly Socket _socket;
    private volatile string? _closeReason;

    public MimUdpClient(LoadUser user, ClientContext context)
    {
        User = user;
        _context = context;
        _socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        _logic = new MimLogic(user, context, packet =>
        {
            try { _socket.Send(packet); }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException) { _closeReason ??= ex.Message; }
        });
    }

    public LoadUser User { get; }
    public bool IsClosed => _closeReason is not null;
    public string? CloseReason => _closeReason;

    public async Task ConnectAsync(CancellationToken ct)
    {
        var server = _context.Endpoints.MimUdp ?? throw new InvalidOperationException("no MobileIMSDK UDP endpoint");
        _socket.Bind(new IPEndPoint(_context.Endpoints.SourceFor(User.Index) ?? IPAddress.Loopback, 0));
        _socket.Connect(server);
        _ = ReceiveLoopAsync();
        _logic.Login();
        // A lost login datagram is retried, as the SDK does.
        while (true)
        {
            var done = await Task.WhenAny(_logic.LoggedIn, Task.Delay(2000, ct));
            if (done == _logic.LoggedIn) { await done; return; }
            _logic.Login();
        }
    }

    private async Task ReceiveLoopAsync()
    {
        var buffer = new byte[4096];
        try
        {
            while (true)
            {
                var n = await _socket.ReceiveAsync(buffer, SocketFlags.None);
                _logic.OnPacket(buffer.AsSpan(0, n));
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            _closeReason ??= ex.Message;
        }
    }

    public void SendDirect(LoadUser to, long seq, long timestamp) => _logic.SendData(to.Name, seq, timestamp);
    public void SendGroup(long groupId, long seq, long timestamp) => throw new NotSupportedException("MobileIMSDK has no group messages");
    public void Tick(long now) => _logic.Tick(now);

    public Task CloseAsync()
    {
        _closeReason ??= "closed by the load generator";
        _socket.Dispose();
        return Task.CompletedTask;
    }
}

/// <summary>MobileIMSDK over TCP: 4-byte big-endian length, then the JSON envelope.</summary>
public sealed class MimTcpClient : RawConnection, ILoadClient
{
    private readonly ClientContext _context;
    private readonly MimLogic _logic;

    public MimTcpClient(LoadUser user, ClientContext context)
    {
        User = user;
        _context = context;
        _logic = new MimLogic(user, context, packet => Write(packet, static (w, p) =>
        {
            BinaryPrimitives.WriteUInt32BigEndian(w.GetSpan(4), (uint)p.Length);
            w.Advance(4);
            w.Write(p);
        }));
    }

    public LoadUser User { get; }

    public async Task ConnectAsync(CancellationToken ct)
    {
        var server = _context.Endpoints.MimTcp ?? throw new InvalidOperationException("no MobileIMSDK TCP endpoint");
        await ConnectSocketAsync(server, _context.Endpoints.SourceFor(User.Index), ct);
        StartReading(default);
        _logic.Login();
        await _logic.LoggedIn.WaitAsync(ct);
    }

    protected override int OnData(ReadOnlySpan<byte> data)
    {
        var consumed = 0;
        while (data.Length - consumed >= 4)
        {
            var length = (int)BinaryPrimitives.ReadUInt32BigEndian(data[consumed..]);
            if (length <= 0 || length > 1 << 20) throw new InvalidDataException("bad frame length");
            if (data.Length - consumed - 4 < length) break;
            _logic.OnPacket(data.Slice(consumed + 4, length));
            consumed += 4 + length;
        }
        return consumed;
    }

    public void SendDirect(LoadUser to, long seq, long timestamp) => _logic.SendData(to.Name, seq, timestamp);
    public void SendGroup(long groupId, long seq, long timestamp) => throw new NotSupportedException("MobileIMSDK has no group messages");
    public void Tick(long now) => _logic.Tick(now);
    public async Task CloseAsync() => await DisposeAsync();
}

/// <summary>MobileIMSDK over WebSocket: one text frame per envelope at /websocket.</summary>
public sealed class MimWsClient : WebSocketConnection, ILoadClient
{
    private readonly ClientContext _context;
    private readonly MimLogic _logic;

    public MimWsClient(LoadUser user, ClientContext context)
    {
        User = user;
        _context = context;
        _logic = new MimLogic(user, context, packet => SendText(packet, static (w, p) => w.Write(p)));
    }

    public LoadUser User { get; }

    public async Task ConnectAsync(CancellationToken ct)
    {
        await UpgradeAsync(_context.Endpoints.Http, _context.Endpoints.SourceFor(User.Index), "/websocket", null, ct);
        _logic.Login();
        await _logic.LoggedIn.WaitAsync(ct);
    }

    protected override void OnMessage(ReadOnlySpan<byte> payload, bool text) => _logic.OnPacket(payload);

    public void SendDirect(LoadUser to, long seq, long timestamp) => _logic.SendData(to.Name, seq, timestamp);
    public void SendGroup(long groupId, long seq, long timestamp) => throw new NotSupportedException("MobileIMSDK has no group messages");
    public void Tick(long now) => _logic.Tick(now);
    public Task CloseAsync() => CloseAsync(TimeSpan.FromSeconds(3));
}

public static class ClientFactory
{
    public static ILoadClient Create(WireProtocol protocol, LoadUser user, ClientContext context) => protocol switch
    {
        WireProtocol.Native => new NativeClient(user, context),
        WireProtocol.Stomp => new StompClient(user, context),
        WireProtocol.MimUdp => new MimUdpClient(user, context),
        WireProtocol.MimTcp => new MimTcpClient(user, context),
        WireProtocol.MimWs => new MimWsClient(user, context),
        WireProtocol.Hub => new HubClient(user, context),
        _ => throw new ArgumentOutOfRangeException(nameof(protocol)),
    };
}
