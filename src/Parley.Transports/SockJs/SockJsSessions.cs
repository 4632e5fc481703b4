using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Parley.Transports.Stomp;

namespace Parley.Transports.SockJs;

/// <summary>Live SockJS HTTP sessions by id; closes the ones no client polled within the disconnect delay.</summary>
public sealed class SockJsSessions : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, SockJsSession> _sessions = new(StringComparer.Ordinal);
    private readonly TimeSpan _disconnectDelay;
    private readonly Timer _sweep;

    public SockJsSessions(IOptions<StompOptions> options)
    {
        _disconnectDelay = TimeSpan.FromMilliseconds(options.Value.SockJsDisconnectDelayMs);
        var period = TimeSpan.FromMilliseconds(Math.Clamp(options.Value.SockJsDisconnectDelayMs / 4, 50, 1000));
        _sweep = new Timer(_ => Sweep(), null, period, period);
    }

    public int Count => _sessions.Count;

    public SockJsSession? Get(string id) => _sessions.TryGetValue(id, out var s) ? s : null;

    /// <summary>The session with this id, or a new one made by <paramref name="create"/>; <paramref name="created"/> tells which.</summary>
    public SockJsSession GetOrCreate(string id, Func<string, StompSession> create, out bool created)
    {
        if (_sessions.TryGetValue(id, out var existing))
        {
            created = false;
            return existing;
        }
        var fresh = new SockJsSession(id, create(id));
        if (_sessions.TryAdd(id, fresh))
        {
            created = true;
            return fresh;
        }
        _ = fresh.Stomp.DisposeAsync();
        created = false;
        return _sessions[id];
    }

    public void Remove(SockJsSession session)
    {
        if (_sessions.TryRemove(new KeyValuePair<string, SockJsSession>(session.Id, session))) _ = session.Stomp.DisposeAsync().AsTask();
    }

    private void Sweep()
    {
        foreach (var session in _sessions.Values)
        {
            if (session.IsAbandoned(_disconnectDelay)) Remove(session);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _sweep.DisposeAsync();
        foreach (var session in _sessions.Values)
        {
            _sessions.TryRemove(session.Id, out _);
            await session.Stomp.DisposeAsync();
        }
    }
}
