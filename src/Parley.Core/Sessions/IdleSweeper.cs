using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using Parley.Abstractions;
using Parley.Core.Clients;
using Parley.Core.Options;

namespace Parley.Core.Sessions;

/// <summary>
/// Closes connections that sent nothing within the idle timeout, whatever their transport; a connection may carry its
/// own timeout (<see cref="ClientConnection.IdleTimeout"/>, e.g. twice the STOMP heart-beat interval it negotiated).
/// </summary>
public sealed class IdleSweeper(SessionRegistry registry, ParleyOptions options, ClientKinds kinds) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var idle = TimeSpan.FromMilliseconds(options.Connections.IdleTimeoutMs);
        // Often enough for the shortest timeout of any client kind too.
        var shortest = kinds.All.Select(k => k.IdleTimeoutMs).Append(options.Connections.IdleTimeoutMs).Min();
        var period = TimeSpan.FromMilliseconds(Math.Clamp(shortest / 4, 100, 5000));
        using var timer = new PeriodicTimer(period);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken)) Sweep(idle);
        }
        catch (OperationCanceledException) { }
    }

    internal int Sweep(TimeSpan idle)
    {
        var now = Stopwatch.GetTimestamp();
        var closed = 0;
        foreach (var connection in registry.All())
        {
            if (Stopwatch.GetElapsedTime(connection.LastActivityTicks, now) <= (connection.IdleTimeout ?? idle)) continue;
            connection.Close(DisconnectCode.IdleTimeout);
            closed++;
        }
        return closed;
    }
}
