using System.Net;
using Parley.Client.Realtime;

namespace Parley.Client;

public sealed partial class ParleyClient
{
    private bool _authRetryUsed;

    private async Task<Connection> OpenWithAuthRetryAsync(CancellationToken ct)
    {
        while (true)
        {
            var token = await _tokenProvider(ct).ConfigureAwait(false);
            try
            {
                var connection = await Connection.OpenAsync(BuildWebSocketUri(token), _options, ct).ConfigureAwait(false);
                _authRetryUsed = false;
                return connection;
            }
            catch (ParleyConnectionException ex) when (IsUnauthorized(ex) && !_authRetryUsed)
            {
                // Ask the token provider once more (it may refresh the token).
                _authRetryUsed = true;
                _clientTokens?.Invalidate();
                Diag("unauthorized; asking the token provider again");
            }
        }
    }

    private static bool IsUnauthorized(ParleyConnectionException ex) =>
        ex.HttpStatus == HttpStatusCode.Unauthorized || ex.CloseCode == ParleyCloseCodes.Unauthorized;

    private static bool IsTerminal(ParleyConnectionException ex) =>
        IsUnauthorized(ex) || ex.HttpStatus == HttpStatusCode.Forbidden || ex.CloseCode is { } code && ParleyCloseCodes.IsTerminal(code);

    private async Task RunAsync(Connection connection, CancellationToken stop)
    {
        int? closeCode = null;
        string? reason = null;
        try
        {
            while (true)
            {
                (closeCode, reason) = await RunConnectionAsync(connection, stop).ConfigureAwait(false);
                if (stop.IsCancellationRequested || closeCode is { } code && ParleyCloseCodes.IsTerminal(code) || !_options.AutoReconnect)
                {
                    break;
                }

                if (closeCode == ParleyCloseCodes.Unauthorized)
                {
                    if (_authRetryUsed)
                    {
                        break;
                    }

                    _authRetryUsed = true;
                }

                SetState(ConnectionState.Reconnecting, closeCode, reason);
                var next = await ReconnectAsync(closeCode, stop).ConfigureAwait(false);
                if (next is null)
                {
                    break;
                }

                connection = next;
                Activate(connection);
            }
        }
        catch (ParleyConnectionException ex)
        {
            closeCode = ex.CloseCode ?? (ex.HttpStatus == HttpStatusCode.Unauthorized ? ParleyCloseCodes.Unauthorized : closeCode);
            reason = ex.Message;
        }
        catch (OperationCanceledException)
        {
            // Stopped by DisconnectAsync.
        }
        catch (Exception ex)
        {
            Diag($"connection loop failed: {ex}");
            reason = ex.Message;
        }

        FailAllPending(new ParleyConnectionException("The client is disconnected.", closeCode), includeSends: true);
        lock (_stateLock)
        {
            _runTask = null;
            _stopCts = null;
        }

        SetState(ConnectionState.Disconnected, closeCode, reason);
    }

    /// <summary>Tries to open a new connection with back-off; null when stopped. Throws for terminal refusals.</summary>
    private async Task<Connection?> ReconnectAsync(int? closeCode, CancellationToken stop)
    {
        var attempt = 0;
        var delay = closeCode == ParleyCloseCodes.Unauthorized ? TimeSpan.Zero : NextDelay(attempt);
        if (closeCode == ParleyCloseCodes.Flooding && delay < _options.FloodingReconnectDelay)
        {
            delay = _options.FloodingReconnectDelay;
        }

        while (!stop.IsCancellationRequested)
        {
            if (delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, stop).ConfigureAwait(false);
            }

            try
            {
                return await OpenWithAuthRetryAsync(stop).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException && !(ex is ParleyConnectionException pce && IsTerminal(pce)))
            {
                // Includes failures of the token provider: keep trying with back-off.
                Diag($"reconnect attempt {attempt + 1} failed: {ex.Message}");
            }

            delay = NextDelay(++attempt);
        }

        return null;
    }

    private TimeSpan NextDelay(int attempt)
    {
        var initial = _options.ReconnectInitialDelay.TotalMilliseconds;
        var max = _options.ReconnectMaxDelay.TotalMilliseconds;
        var exponential = Math.Min(max, initial * Math.Pow(2, Math.Min(attempt, 30)));
        // Equal jitter: half fixed, half random.
        return TimeSpan.FromMilliseconds(exponential / 2 + Random.Shared.NextDouble() * exponential / 2);
    }

    /// <summary>Makes <paramref name="connection"/> current: state Connected, heartbeat, resends and the initial sync.</summary>
    private void Activate(Connection connection)
    {
        Welcome = connection.Welcome;
        // Registered before the first frame is read: messages for unknown conversations wait for this sync's start point.
        var syncId = BeginSync();
        _current = connection;
        SetState(ConnectionState.Connected, null, null);
        _ = HeartbeatAsync(connection);
        _ = ResendPendingAndSyncAsync(connection, syncId);
    }

    /// <summary>Runs one (already activated) connection until it ends; returns the close code (null when lost abnormally).</summary>
    private async Task<(int? Code, string? Reason)> RunConnectionAsync(Connection connection, CancellationToken stop)
    {
        try
        {
            using var reg = stop.Register(static c => ((Connection)c!).Lifetime.CancelAfter(TimeSpan.FromSeconds(2)), connection);
            while (true)
            {
                var (frame, closed) = await connection.ReadAsync(connection.Lifetime.Token).ConfigureAwait(false);
                if (closed)
                {
                    await connection.CloseAsync(connection.CloseStatus ?? ParleyCloseCodes.Normal, "", TimeSpan.FromSeconds(1)).ConfigureAwait(false);
                    return (connection.CloseStatus, connection.CloseDescription);
                }

                if (frame is not null)
                {
                    Dispatch(frame);
                }
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Diag($"connection lost: {ex.Message}");
            return (null, ex.Message);
        }
        finally
        {
            _current = null;
            _activeSyncIds.Clear();
            connection.Dispose();
            FailAllPending(new ParleyConnectionException("The connection was lost before a reply."), includeSends: false);
        }
    }

    private async Task ResendPendingAndSyncAsync(Connection connection, string syncId)
    {
        try
        {
            foreach (var pending in _pending.Values.Where(p => p.Resend).OrderBy(p => p.Order))
            {
                Diag($"resending {pending.Frame.ClientMsgId}");
                await connection.WriteAsync(pending.Frame, connection.Lifetime.Token).ConfigureAwait(false);
            }

            // A client connection without a user has no conversations.
            if (connection.Welcome.HasUser)
            {
                await SyncLoopAsync(syncId, connection.Lifetime.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex)
        {
            Diag($"initial sync failed: {ex.Message}");
        }
        finally
        {
            EndSync(syncId);
        }
    }

    private async Task HeartbeatAsync(Connection connection)
    {
        var interval = _options.HeartbeatInterval ?? TimeSpan.FromMilliseconds(connection.Welcome.HeartbeatMs > 0 ? connection.Welcome.HeartbeatMs : 25_000);
        var tick = TimeSpan.FromMilliseconds(Math.Max(10, interval.TotalMilliseconds / 4));
        var ct = connection.Lifetime.Token;
        // Wall-clock times, not tick counts: a stalled process (GC, a busy machine) must still ping before it gives
        // up on a silent connection, and a ping is never more than one tick late.
        var lastPing = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            while (!ct.IsCancellationRequested)
            {
                await Task.Delay(tick, ct).ConfigureAwait(false);
                if (System.Diagnostics.Stopwatch.GetElapsedTime(lastPing) >= interval)
                {
                    lastPing = System.Diagnostics.Stopwatch.GetTimestamp();
                    await connection.WriteAsync(new ClientFrame { Type = "ping" }, ct).ConfigureAwait(false);
                }
                else if (connection.SinceLastReceive > interval * 2)
                {
                    Diag("no frame for two heartbeat intervals; dropping the connection");
                    connection.Abort();
                    return;
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or ParleyConnectionException)
        {
            // The connection ended.
        }
    }
}
