using System.Net;
using System.Net.Sockets;

namespace Parley.Cluster.Tests.Infrastructure;

/// <summary>
/// A plain layer-4 load balancer on loopback, as in front of a real cluster (no sticky sessions): each new
/// connection goes to the next backend that accepts it, round robin; a connection to a dead backend simply drops,
/// and the client's reconnect lands on a live one.
/// </summary>
public sealed class TcpBalancer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Func<IReadOnlyList<IPEndPoint>> _backends;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _pipes = [];
    private readonly Task _accept;
    private int _next;

    public TcpBalancer(Func<IReadOnlyList<IPEndPoint>> backends)
    {
        _backends = backends;
        _listener.Start();
        Uri = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");
        _accept = AcceptLoopAsync();
    }

    public Uri Uri { get; }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
            catch (Exception) { return; }
            lock (_pipes)
            {
                _pipes.RemoveAll(t => t.IsCompleted);
                _pipes.Add(ServeAsync(client));
            }
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            var backends = _backends();
            for (var attempt = 0; attempt < backends.Count; attempt++)
            {
                var backend = backends[(int)((uint)Interlocked.Increment(ref _next) % backends.Count)];
                using var upstream = new TcpClient();
                try { await upstream.ConnectAsync(backend, _stop.Token); }
                catch (Exception) { continue; } // dead backend: try the next
                var a = client.GetStream();
                var b = upstream.GetStream();
                var one = a.CopyToAsync(b, _stop.Token);
                var other = b.CopyToAsync(a, _stop.Token);
                try { await Task.WhenAny(one, other); } catch (Exception) { }
                return; // either side closed: close both (the usings)
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        try { await _accept; } catch (Exception) { }
        Task[] pipes;
        lock (_pipes) pipes = [.. _pipes];
        try { await Task.WhenAll(pipes).WaitAsync(TimeSpan.FromSeconds(10)); } catch (Exception) { }
    }
}
