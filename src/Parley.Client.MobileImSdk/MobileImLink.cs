using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Parley.Protocol.MobileImSdk;

namespace Parley.Client.MobileImSdk;

/// <summary>
/// One socket to the server; a new one is made for each (re-)login, as the Java SDK does, except that a re-login
/// attempt resends a still unanswered login on the open link (see MobileImClient.ReloginAsync).
/// </summary>
internal abstract class MobileImLink : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private int _closed;

    protected MobileImLink(Action<MobileImLink, Protocal> onPacket, Action<MobileImLink> onClosed)
    {
        OnPacket = onPacket;
        OnClosed = onClosed;
    }

    protected Action<MobileImLink, Protocal> OnPacket { get; }
    protected Action<MobileImLink> OnClosed { get; }
    protected CancellationToken Stopping => _stop.Token;
    public abstract EndPoint? LocalEndPoint { get; }
    public bool IsClosed => Volatile.Read(ref _closed) != 0;

    public static async Task<MobileImLink> ConnectAsync(MobileImClientOptions options, Action<MobileImLink, Protocal> onPacket,
        Action<MobileImLink> onClosed, CancellationToken ct)
    {
        var addresses = await Dns.GetHostAddressesAsync(options.Host, ct);
        var address = addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? addresses[0];
        var remote = new IPEndPoint(address, options.Port);
        MobileImLink link = options.Transport == MobileImTransport.Udp
            ? new UdpLink(remote, onPacket, onClosed)
            : await TcpLink.ConnectAsync(remote, options.MaxTcpBody, onPacket, onClosed, ct);
        link.Start();
        return link;
    }

    protected abstract void Start();

    public abstract ValueTask<bool> SendAsync(byte[] body);

    /// <summary>Closes the socket; <see cref="OnClosed"/> fires once unless <paramref name="quiet"/>.</summary>
    public void Close(bool quiet = false)
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0) return;
        try { _stop.Cancel(); } catch (ObjectDisposedException) { }
        CloseSocket();
        if (!quiet) OnClosed(this);
    }

    protected abstract void CloseSocket();

    public ValueTask DisposeAsync()
    {
        Close(quiet: true);
        return ValueTask.CompletedTask;
    }

    private sealed class UdpLink : MobileImLink
    {
        private readonly Socket _socket;

        public UdpLink(IPEndPoint remote, Action<MobileImLink, Protocal> onPacket, Action<MobileImLink> onClosed) : base(onPacket, onClosed)
        {
            _socket = new Socket(remote.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            _socket.Connect(remote);
        }

        public override EndPoint? LocalEndPoint => _socket.LocalEndPoint;

        protected override void Start() => _ = Task.Run(ReceiveLoopAsync);

        private async Task ReceiveLoopAsync()
        {
            var buffer = new byte[65536];
            while (!Stopping.IsCancellationRequested)
            {
                int n;
                try { n = await _socket.ReceiveAsync(buffer, SocketFlags.None, Stopping); }
                catch (SocketException) { continue; } // ICMP "port unreachable" surfaces here; UDP has no link to lose
                catch (Exception) { break; }
                var decoded = MobileImUdp.Decode(buffer.AsSpan(0, n), buffer.Length);
                if (decoded.Packet is { } packet) OnPacket(this, packet);
            }
        }

        public override async ValueTask<bool> SendAsync(byte[] body)
        {
            if (IsClosed) return false;
            try
            {
                await _socket.SendAsync(body, SocketFlags.None);
                return true;
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException) { return false; }
        }

        protected override void CloseSocket() => _socket.Dispose();
    }

    private sealed class TcpLink : MobileImLink
    {
        private readonly Socket _socket;
        private readonly NetworkStream _stream;
        private readonly int _maxBody;
        private readonly SemaphoreSlim _writeLock = new(1, 1);

        private TcpLink(Socket socket, int maxBody, Action<MobileImLink, Protocal> onPacket, Action<MobileImLink> onClosed) : base(onPacket, onClosed)
        {
            _socket = socket;
            _stream = new NetworkStream(socket, ownsSocket: true);
            _maxBody = maxBody;
        }

        public static async Task<TcpLink> ConnectAsync(IPEndPoint remote, int maxBody, Action<MobileImLink, Protocal> onPacket, Action<MobileImLink> onClosed,
            CancellationToken ct)
        {
            var socket = new Socket(remote.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(remote, ct);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
            return new TcpLink(socket, maxBody, onPacket, onClosed);
        }

        public override EndPoint? LocalEndPoint => _socket.LocalEndPoint;

        protected override void Start() => _ = Task.Run(ReceiveLoopAsync);

        private async Task ReceiveLoopAsync()
        {
            var reader = PipeReader.Create(_stream);
            try
            {
                while (!Stopping.IsCancellationRequested)
                {
                    var result = await reader.ReadAsync(Stopping);
                    var buffer = result.Buffer;
                    var bad = false;
                    while (true)
                    {
                        if (!MobileImTcpFraming.TryReadPacket(ref buffer, _maxBody, out var decoded))
                        {
                            bad = decoded.Status != Protocol.ParseStatus.NeedMore;
                            break;
                        }
                        if (decoded.Packet is { } packet) OnPacket(this, packet);
                    }
                    reader.AdvanceTo(buffer.Start, buffer.End);
                    if (bad || result.IsCompleted) break;
                }
            }
            catch (Exception)
            {
            }
            finally
            {
                Close();
            }
        }

        public override async ValueTask<bool> SendAsync(byte[] body)
        {
            if (IsClosed) return false;
            var frame = new byte[4 + body.Length];
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(frame, (uint)body.Length);
            body.CopyTo(frame, 4);
            await _writeLock.WaitAsync();
            try
            {
                await _stream.WriteAsync(frame);
                return true;
            }
            catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
            {
                Close();
                return false;
            }
            finally
            {
                _writeLock.Release();
            }
        }

        protected override void CloseSocket() => _stream.Dispose();
    }
}
