using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using Parley.Abstractions;
using Parley.Core.Clients;
using Parley.Core.Options;

namespace Parley.Core.Sessions;

/// <summary>
/// One pass over all connections, about once a second, that keeps every per-connection deadline, so that an idle
/// connection carries no timer of its own:
/// <list type="bullet">
/// <item>a connection that sent nothing within the idle timeout is closed (its own <see cref="ClientConnection.IdleTimeout"/>,
/// e.g. twice the STOMP heart-beat interval it negotiated, or <c>Parley:Connections:IdleTimeoutMs</c>);</item>
/// <item>a write to the peer that has not ended within <c>SendTimeLimitMs</c> closes the connection as a slow consumer
/// and aborts its transport (nothing more can be written to it);</item>
/// <item>a closed connection whose transport is still up after <c>CloseGraceMs</c> (the peer did not answer the close
/// frame, or stopped reading) is aborted;</item>
/// <item>an open connection's transport is given its keep-alive tick.</item>
/// </list>
/// Deadlines apply to connections whose transport <see cref="ClientConnection.Attach">attached</see> a link; the others
/// (MobileIMSDK UDP and TCP sessions) keep their own.
/// </summary>
public sealed class ConnectionSweeper(SessionRegistry registry, ParleyOptions options, ClientKinds kinds) : BackgroundService
{
    private readonly TimeSpan _closeGrace = TimeSpan.FromMilliseconds(options.Connections.CloseGraceMs);
    private readonly TimeSpan _sendLimit = TimeSpan.FromMilliseconds(options.Connections.SendTimeLimitMs);
    // Reused by every pass (one sweeper, one pass at a time): a new list of every connection each second would be
    // garbage, on the large-object heap from about 10,000 connections.
    private readonly List<ClientConnection> _connections = [];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var idle = TimeSpan.FromMilliseconds(options.Connections.IdleTimeoutMs);
        // Often enough for the shortest timeout of any client kind, and at least once a second for the other deadlines.
        var shortest = kinds.All.Select(k => k.IdleTimeoutMs).Append(options.Connections.IdleTimeoutMs).Min();
        var period = TimeSpan.FromMilliseconds(Math.Clamp(shortest / 4, 100, 1000));
        using var timer = new PeriodicTimer(period);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken)) Sweep(idle);
        }
        catch (OperationCanceledException) { }
    }

    internal int Sweep(TimeSpan idle) => Sweep(idle, Stopwatch.GetTimestamp());

    /// <summary>One pass as of <paramref name="now"/>; returns how many connections it closed or aborted.</summary>
    internal int Sweep(TimeSpan idle, long now)
    {
        var acted = 0;
        registry.CopyAllTo(_connections);
        foreach (var connection in _connections)
        {
            if (connection.IsClosed)
            {
                if (Stopwatch.GetElapsedTime(connection.ClosedAtTicks, now) > _closeGrace && connection.AbortLink()) acted++;
                continue;
            }
            if (connection.WriteStartedTicks is var started and not 0 && Stopwatch.GetElapsedTime(started, now) > _sendLimit)
            {
                connection.Close(DisconnectCode.SlowConsumer);
                connection.AbortLink();
                acted++;
                continue;
            }
            if (Stopwatch.GetElapsedTime(connection.LastActivityTicks, now) > (connection.IdleTimeout ?? idle))
            {
                connection.Close(DisconnectCode.IdleTimeout);
                acted++;
                continue;
            }
            connection.Link?.KeepAliveTick(now);
        }
        _connections.Clear(); // holds no connection between passes
        return acted;
    }
}
