using System.Diagnostics;
using Parley.Abstractions;
using Parley.Core.Sessions;

namespace Parley.Core.Tests;

/// <summary>The per-connection deadlines kept by one sweep over all connections (no timer per connection).</summary>
public sealed class ConnectionSweeperTests
{
    private static readonly TimeSpan Idle = TimeSpan.FromMinutes(10);

    private static long After(TimeSpan elapsed) => Stopwatch.GetTimestamp() + (long)(elapsed.TotalSeconds * Stopwatch.Frequency);

    private static ConnectionSweeper Sweeper(EngineHarness h) =>
        new(h.Get<SessionRegistry>(), h.Get<Options.ParleyOptions>(), h.Get<Clients.ClientKinds>());

    /// <summary>A connection of a new user, with a link that records what the sweep asks of its transport.</summary>
    private static async Task<(ClientConnection Connection, RecordingLink Link)> AttachedAsync(EngineHarness h, string user)
    {
        var connection = h.Connect(await h.UserAsync(user)).Connection;
        var link = new RecordingLink();
        connection.Attach(link);
        return (connection, link);
    }

    [Fact]
    public async Task A_write_that_stalls_past_the_send_time_limit_closes_as_a_slow_consumer_and_aborts_once()
    {
        await using var h = await EngineHarness.StartAsync();
        var (connection, link) = await AttachedAsync(h, "alice");
        var sweeper = Sweeper(h);
        var limit = TimeSpan.FromMilliseconds(h.Get<Options.ParleyOptions>().Connections.SendTimeLimitMs);

        connection.BeginWrite();
        Assert.Equal(0, sweeper.Sweep(Idle, After(limit / 2)));
        Assert.Null(connection.CloseCode);

        Assert.Equal(1, sweeper.Sweep(Idle, After(limit + TimeSpan.FromSeconds(1))));
        Assert.Equal(DisconnectCode.SlowConsumer, connection.CloseCode);
        Assert.Equal(1, link.Aborts);
        // Later sweeps (past the close grace too) do not abort it again.
        sweeper.Sweep(Idle, After(TimeSpan.FromMinutes(5)));
        Assert.Equal(1, link.Aborts);
    }

    [Fact]
    public async Task A_finished_write_is_not_a_stall()
    {
        await using var h = await EngineHarness.StartAsync();
        var (connection, _) = await AttachedAsync(h, "alice");
        connection.BeginWrite();
        connection.EndWrite();
        Assert.Equal(0, Sweeper(h).Sweep(Idle, After(TimeSpan.FromMinutes(1))));
        Assert.Null(connection.CloseCode);
    }

    [Fact]
    public async Task A_closed_connection_is_aborted_once_the_close_grace_has_passed()
    {
        await using var h = await EngineHarness.StartAsync();
        var (connection, link) = await AttachedAsync(h, "alice");
        var sweeper = Sweeper(h);
        var grace = TimeSpan.FromMilliseconds(h.Get<Options.ParleyOptions>().Connections.CloseGraceMs);

        connection.Close(DisconnectCode.Normal);
        Assert.Equal(0, sweeper.Sweep(Idle, After(grace / 2)));
        Assert.Equal(0, link.Aborts);
        Assert.Equal(1, sweeper.Sweep(Idle, After(grace + TimeSpan.FromSeconds(1))));
        Assert.Equal(1, link.Aborts);
        Assert.Equal(0, sweeper.Sweep(Idle, After(grace * 3)));
        Assert.Equal(1, link.Aborts);
    }

    [Fact]
    public async Task Open_connections_get_a_keep_alive_tick_and_closed_ones_do_not()
    {
        await using var h = await EngineHarness.StartAsync();
        var (open, openLink) = await AttachedAsync(h, "alice");
        var (closed, closedLink) = await AttachedAsync(h, "bob");
        closed.Close(DisconnectCode.Normal);
        var now = After(TimeSpan.FromSeconds(1));

        Sweeper(h).Sweep(Idle, now);

        Assert.Equal([now], openLink.Ticks);
        Assert.Empty(closedLink.Ticks);
    }

    private sealed class RecordingLink : IConnectionLink
    {
        public int Aborts;
        public List<long> Ticks { get; } = [];
        public void Abort() => Aborts++;
        public void KeepAliveTick(long timestamp) => Ticks.Add(timestamp);
    }
}
