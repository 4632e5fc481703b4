using System.Diagnostics;

namespace Parley.Core.Sessions;

/// <summary>Outcome of admitting one inbound frame.</summary>
public enum FrameAdmission
{
    Accepted,
    /// <summary>Over the rate: drop the frame and tell the client (error 300).</summary>
    RateLimited,
    /// <summary>Far over the rate for too long: the connection is being closed (4029).</summary>
    Flooding,
}

/// <summary>
/// Per-connection token bucket plus a flood detector counting drops in a window. Single reader (the
/// connection's receive loop), so it needs no locking.
/// </summary>
internal sealed class TokenBucket(double ratePerSecond, int burst, int floodThreshold, long floodWindowTicks, Func<long> clock)
{
    private double _tokens = burst;
    private long _last = clock();
    private long _windowStart = clock();
    private int _dropsInWindow;

    public FrameAdmission Admit() => TryTake() ? FrameAdmission.Accepted : Drop();

    /// <summary>Takes a token if one is left.</summary>
    public bool TryTake()
    {
        var now = clock();
        _tokens = Math.Min(burst, _tokens + (now - _last) * ratePerSecond / Stopwatch.Frequency);
        _last = now;
        if (_tokens < 1) return false;
        _tokens -= 1;
        return true;
    }

    /// <summary>True when the last <see cref="Drop"/> was the first of its window.</summary>
    public bool FirstDropInWindow => _dropsInWindow == 1;

    /// <summary>Counts a frame dropped for want of a token; flooding once too many drops fall in one window.</summary>
    public FrameAdmission Drop()
    {
        var now = _last;
        if (now - _windowStart > floodWindowTicks)
        {
            _windowStart = now;
            _dropsInWindow = 0;
        }
        return ++_dropsInWindow > floodThreshold ? FrameAdmission.Flooding : FrameAdmission.RateLimited;
    }
}
