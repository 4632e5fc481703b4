using System.Diagnostics;
using Parley.Transports.Stomp;

namespace Parley.Transports.SockJs;

/// <summary>
/// A SockJS session of the HTTP transports (xhr-streaming, xhr-polling): one STOMP session that outlives the
/// requests carrying it. At most one receiving request at a time; sends are fed to STOMP one request at a time.
/// </summary>
public sealed class SockJsSession(string id, StompSession stomp)
{
    private readonly SemaphoreSlim _input = new(1, 1);
    private int _receiving;
    private long _lastSeen = Stopwatch.GetTimestamp();

    public string Id { get; } = id;
    public StompSession Stomp { get; } = stomp;

    /// <summary>The close frame was delivered to a receiver: the session is over.</summary>
    public bool Finished { get; set; }

    public bool TryAttachReceiver()
    {
        if (Interlocked.CompareExchange(ref _receiving, 1, 0) != 0) return false;
        Touch();
        return true;
    }

    public void DetachReceiver()
    {
        Touch();
        Volatile.Write(ref _receiving, 0);
    }

    public void Touch() => Volatile.Write(ref _lastSeen, Stopwatch.GetTimestamp());

    /// <summary>No receiver for longer than <paramref name="delay"/>.</summary>
    public bool IsAbandoned(TimeSpan delay) =>
        Volatile.Read(ref _receiving) == 0 && Stopwatch.GetElapsedTime(Volatile.Read(ref _lastSeen)) > delay;

    public async ValueTask FeedAsync(IReadOnlyList<string> messages, CancellationToken ct)
    {
        await _input.WaitAsync(ct);
        try
        {
            foreach (var message in messages) await Stomp.OnDataAsync(System.Text.Encoding.UTF8.GetBytes(message));
        }
        finally
        {
            _input.Release();
        }
    }
}
