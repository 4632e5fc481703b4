using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Parley.IntegrationTests.MobileImSdk;

/// <summary>
/// A UDP relay between clients and the server that drops a share of the datagrams in both directions, decided by a
/// seeded <see cref="Random"/> (the sequence of decisions is fixed; which datagram meets which decision depends on
/// timing). Each client address gets its own upstream socket, so the server sees one address per client.
/// </summary>
public sealed class UdpLossRelay : IAsyncDisposable
{
    private readonly Socket _front = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly IPEndPoint _server;
    private readonly Random _random;
    private readonly ConcurrentDictionary<EndPoint, Socket> _upstreams = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _dropped;
    private int _forwarded;

    public UdpLossRelay(IPEndPoint server, double dropRate, int seed)
    {
        _server = server;
        DropRate = dropRate;
        _random = new Random(seed);
        _front.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        EndPoint = (IPEndPoint)_front.LocalEndPoint!;
        _loop = Task.Run(FrontLoopAsync);
    }

    public IPEndPoint EndPoint { get; }

    /// <summary>Share of datagrams dropped (0..1); may be changed while running.</summary>
    public double DropRate { get; set; }

    public int Dropped => Volatile.Read(ref _dropped);
    public int Forwarded => Volatile.Read(ref _forwarded);

    private bool Drop()
    {
        bool drop;
        lock (_random) drop = _random.NextDouble() < DropRate;
        Interlocked.Increment(ref drop ? ref _dropped : ref _forwarded);
        return drop;
    }

    private async Task FrontLoopAsync()
    {
        var buffer = new byte[65536];
        while (!_stop.IsCancellationRequested)
        {
            SocketReceiveFromResult r;
            try { r = await _front.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), _stop.Token); }
            catch (SocketException) { continue; }
            catch (Exception) { break; }
            var client = r.RemoteEndPoint;
            var upstream = _upstreams.GetOrAdd(client, c =>
            {
                var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
                s.Connect(_server);
                _ = Task.Run(() => BackLoopAsync(s, c));
                return s;
            });
            if (Drop()) continue;
            try { await upstream.SendAsync(buffer.AsMemory(0, r.ReceivedBytes), SocketFlags.None); } catch (SocketException) { }
        }
    }

    private async Task BackLoopAsync(Socket upstream, EndPoint client)
    {
        var buffer = new byte[65536];
        while (!_stop.IsCancellationRequested)
        {
            int n;
            try { n = await upstream.ReceiveAsync(buffer, SocketFlags.None, _stop.Token); }
            catch (SocketException) { continue; }
            catch (Exception) { break; }
            if (Drop()) continue;
            try { await _front.SendToAsync(buffer.AsMemory(0, n), SocketFlags.None, client); } catch (SocketException) { }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _front.Dispose();
        foreach (var s in _upstreams.Values) s.Dispose();
        try { await _loop.WaitAsync(TimeSpan.FromSeconds(5)); } catch (Exception) { }
    }
}
