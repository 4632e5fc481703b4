using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Parley.Abstractions;
using Parley.Abstractions.Cluster;
using Parley.Abstractions.Hooks;
using Parley.Abstractions.Stores;
using Parley.Core.Cluster;
using Parley.Core.Messaging;
using Parley.Core.Services;
using Parley.Core.Sessions;
using Parley.Protocol;
using Parley.Protocol.MobileImSdk;

namespace Parley.Transports.MobileImSdk;

/// <summary>
/// The MobileIMSDK protocol over the engine, shared by the UDP, TCP and WebSocket gateways: login with duplicate-login
/// arbitration, keep-alive, echo, error 301, C2C and C2S data, and QoS both ways. Transports only frame bytes.
/// </summary>
public sealed partial class MobileImGateway : IDisposable, IAsyncDisposable
{
    public const string UdpTransport = "mobileimsdk-udp";
    public const string TcpTransport = "mobileimsdk-tcp";
    public const string WebSocketTransport = "mobileimsdk-ws";

    private readonly ChatEngine _engine;
    private readonly ParleyHooks _hooks;
    private readonly MobileImGatewayOptions _options;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<long, MobileImSession> _sessions = new();
    private readonly ConcurrentDictionary<string, MobileImSession> _online = new(StringComparer.OrdinalIgnoreCase);
    private readonly Lock _onlineLock = new();
    private readonly Timer _sweepTimer;
    private readonly Timer _qosTimer;
    private readonly CancellationTokenRegistration _stopping;

    public MobileImGateway(ChatEngine engine, ParleyHooks hooks, IOptions<MobileImGatewayOptions> options, ILogger<MobileImGateway> logger,
        ClusterBus bus, IPresence presence, AccountDirectory accounts, ClusterOptions cluster, IMessageStore messages,
        IHostApplicationLifetime? lifetime = null)
    {
        _engine = engine;
        _bus = bus;
        _presence = presence;
        _accounts = accounts;
        _requestTimeout = TimeSpan.FromMilliseconds(cluster.RequestTimeoutMs);
        RegisterClusterChannels();
        _hooks = hooks;
        _options = options.Value;
        _logger = logger;
        var minIdle = new[] { _options.Udp.IdleTimeoutMs, _options.Tcp.IdleTimeoutMs, _options.WebSocket.IdleTimeoutMs }.Where(t => t > 0).DefaultIfEmpty(10_000).Min();
        var sweep = TimeSpan.FromMilliseconds(Math.Clamp(minIdle / 5, 50, 2000));
        _sweepTimer = new Timer(_ => Sweep(), null, sweep, sweep);
        var qos = TimeSpan.FromMilliseconds(Math.Max(10, _options.QosCheckIntervalMs));
        _qosTimer = new Timer(_ => CheckQos(), null, qos, qos);
        if (!bus.IsClustered && _options.ResendWindowMs > 0)
        {
            _fingerprints = new FingerprintWindow(_options.ResendWindowMs);
            _fingerprintsLoaded = LoadFingerprintsAsync(messages);
        }
        _cursorFlush = new CursorFlush(this, _options.CursorDelayMs);
        // The web server's graceful stop waits for its connections (TCP, WebSocket), logged in or not: without this
        // a connected client held a stop for the host's whole shutdown timeout.
        _stopping = lifetime?.ApplicationStopping.Register(ShutdownAll) ?? default;
    }

    private void ShutdownAll()
    {
        foreach (var session in _sessions.Values) Shutdown(session);
    }

    internal MobileImGatewayOptions Options => _options;

    /// <summary>Number of open sessions (logged in or not).</summary>
    public int SessionCount => _sessions.Count;

    /// <summary>The session currently logged in as <paramref name="userId"/>, if any.</summary>
    public MobileImSession? OnlineSession(string userId) =>
        _online.TryGetValue(userId, out var s) && !s.IsClosing ? s : null;

    /// <summary>Registers a new transport session and starts its writer.</summary>
    public void Start(MobileImSession session)
    {
        _sessions[session.Id] = session;
        session.StartWriter();
    }

    /// <summary>The transport ended (peer closed, error, or after <see cref="MobileImSession.Close"/>): unregisters it.</summary>
    public void End(MobileImSession session)
    {
        session.Close();
        if (!_sessions.TryRemove(session.Id, out _)) return;
        Detach(session, DisconnectCode.Normal);
    }

    /// <summary>The server stops: the session's user goes offline as shut down, then the transport closes after its queued packets.</summary>
    private void Shutdown(MobileImSession session)
    {
        Detach(session, DisconnectCode.ServerShutdown);
        End(session);
    }

    /// <summary>Handles one decoded (or undecodable) packet. Never throws for bad input.</summary>
    public async ValueTask HandleAsync(MobileImSession session, ProtocalDecodeResult decoded)
    {
        if (session.IsClosing) return;
        session.Touch();
        if (!decoded.IsSuccess)
        {
            // Like the Java server: a packet that does not parse (or is too large) ends the session.
            Log.BadPacket(_logger, session.Transport, session.RemoteAddress, decoded.Error ?? decoded.Status.ToString());
            End(session);
            return;
        }
        var packet = decoded.Packet!;
        await session.Gate.WaitAsync();
        try
        {
            await DispatchAsync(session, packet);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.PacketFailed(_logger, ex, packet.Type, session.Transport, session.RemoteAddress);
        }
        finally
        {
            // The idle clock counts from when the session last had our attention, not from when its packet arrived:
            // a login that spent longer than the idle timeout in the password check left a session that looked
            // silent for all of it, and the sweep ended it just as it came online.
            session.Touch();
            session.Gate.Release();
        }
    }

    private async ValueTask DispatchAsync(MobileImSession session, Protocal packet)
    {
        if (session.Connection is { } live) live.Touch();
        switch (packet.Type)
        {
            case ProtocalType.Login:
                await LoginAsync(session, packet);
                return;
            case ProtocalType.Echo:
                Send(session, ProtocalFactory.EchoResponse(packet));
                return;
            case ProtocalType.Logout:
                End(session);
                return;
            case ProtocalType.KeepAlive or ProtocalType.CommonData or ProtocalType.Received:
                break;
            default:
                Log.UnknownType(_logger, packet.Type, session.Transport, session.RemoteAddress);
                return;
        }
        if (session.Connection is not { } connection || session.UserId is null)
        {
            Send(session, ProtocalFactory.Error(MobileImErrorCode.ResponseNoLogin, packet));
            if (session.ClosesOnError) session.Close();
            return;
        }
        switch (packet.Type)
        {
            case ProtocalType.KeepAlive:
                Send(session, ProtocalFactory.KeepAliveResponse(session.LoginUserId!));
                break;
            case ProtocalType.Received:
                OnAck(session, packet);
                break;
            case ProtocalType.CommonData:
                await OnDataAsync(session, connection, packet);
                break;
        }
    }

    private bool Send(MobileImSession session, Protocal packet) => session.Send(packet, _options.ServerTimestamp);

    private async ValueTask LoginAsync(MobileImSession session, Protocal packet)
    {
        if (packet.DataContent is null)
        {
            if (session.ClosesOnError) End(session);
            return;
        }
        if (!PLoginInfo.TryParse(packet.DataContent, out var info))
        {
            Log.BadPacket(_logger, session.Transport, session.RemoteAddress, "login info is not a JSON object");
            End(session);
            return;
        }
        if (string.IsNullOrEmpty(info.LoginUserId))
        {
            if (session.ClosesOnError) End(session);
            return;
        }

        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        if (session.UserId is not null && session.Connection is not null)
        {
            if (string.Equals(session.UserId, info.LoginUserId, StringComparison.OrdinalIgnoreCase))
            {
                // Re-login on a logged-in session: no verification, the success response again (spec §6.2).
                var again = info.FirstLoginTime > 0 ? info.FirstLoginTime : now;
                Send(session, ProtocalFactory.LoginResponse(info.LoginUserId, MobileImErrorCode.Ok, again));
                lock (_onlineLock) _online[session.UserId] = session;
                return;
            }
            Detach(session, DisconnectCode.Normal);
        }

        var auth = await _engine.AuthenticateCredentialAsync(info.LoginUserId, info.LoginToken, session.Transport, session.RemoteAddress, CancellationToken.None);
        var code = auth.Succeeded
            ? await VerifyHookAsync(new MobileImLoginContext(auth.User!.Account, info.LoginUserId, info.Extra, session.Transport, session.RemoteAddress))
            : MobileImLoginCodes.From(auth.Failure);
        if (code != MobileImErrorCode.Ok)
        {
            Send(session, ProtocalFactory.LoginRefused(code));
            if (session.ClosesOnError) session.Close();
            return;
        }
        // The session may have ended while its credentials were checked (its transport failed, the server stops):
        // nothing is registered for it yet, and nothing must be.
        if (session.IsClosing) return;

        var firstLoginTime = info.FirstLoginTime > 0 ? info.FirstLoginTime : now;
        // The response goes out before the session is registered, as the Java server does.
        Send(session, ProtocalFactory.LoginResponse(info.LoginUserId, MobileImErrorCode.Ok, firstLoginTime));
        var account = auth.User!.Account;
        MobileImSession? replaced = null;
        var kickReplaced = false;
        lock (_onlineLock)
        {
            // End takes this lock to unregister: seen open here, a later End finds the session registered.
            if (session.IsClosing) return;
            if (_online.TryGetValue(account.Name, out var existing) && existing != session && !existing.IsClosing)
            {
                if (info.FirstLoginTime > 0 && info.FirstLoginTime < existing.FirstLoginTime)
                {
                    // A stale client that was already replaced: it is the one kicked (spec §6.3).
                    Send(session, ProtocalFactory.Kickout(info.LoginUserId, MobileImKickoutCode.DuplicateLogin));
                    if (session.ClosesOnError) session.Close();
                    return;
                }
                replaced = existing;
                kickReplaced = info.FirstLoginTime != existing.FirstLoginTime;
            }
            _online[account.Name] = session;
            session.UserId = account.Name;
            session.LoginUserId = info.LoginUserId;
            session.FirstLoginTime = firstLoginTime;
        }
        if (replaced is not null)
        {
            if (kickReplaced) Send(replaced, ProtocalFactory.Kickout(replaced.LoginUserId ?? account.Name, MobileImKickoutCode.DuplicateLogin));
            Detach(replaced, DisconnectCode.Replaced);
            if (!kickReplaced || replaced.ClosesOnError) replaced.Close();
        }

        AnnounceLogin(account.Id, account.Name, firstLoginTime);
        var connection = await _engine.OpenAsync(auth.User, session.Transport, session.RemoteAddress);
        if (session.Link is { } link) connection.Attach(link);
        session.Connection = connection;
        if (session.IsClosing)
        {
            // Ended while the engine opened the connection: that End found no connection to close, so this closes it.
            Detach(session, DisconnectCode.Normal);
            return;
        }
        ResetCursor(connection.UserId);
        _ = PumpAsync(session, connection);
        if (_options.ReplayOnLogin)
        {
            // The replay starts at the stored cursor: what this user already acknowledged must be in it.
            await _cursorFlush.FlushUserAsync(connection.UserId);
            try { await _engine.SyncAsync(connection, null, null, null, connection.Closing); }
            catch (OperationCanceledException) { }
        }
    }

    private async ValueTask<int> VerifyHookAsync(MobileImLoginContext context)
    {
        try
        {
            return await _hooks.VerifyMobileImLoginAsync(context, CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.HookFailed(_logger, ex, nameof(ParleyHooks.VerifyMobileImLoginAsync));
            return MobileImLoginCodes.RefusedByHook;
        }
    }

    /// <summary>Unbinds a session from its user and the engine; the transport stays as it is.</summary>
    private void Detach(MobileImSession session, DisconnectCode code)
    {
        var connection = Interlocked.Exchange(ref session.Connection, null);
        lock (_onlineLock)
        {
            if (session.UserId is { } user) _online.TryRemove(new KeyValuePair<string, MobileImSession>(user, session));
            session.UserId = null;
        }
        if (connection is null) return;
        connection.Close(code);
        _engine.Closed(connection);
        _ = _cursorFlush.FlushUserAsync(connection.UserId);
    }

    /// <summary>Drains the engine's queue for a logged-in session; ends when the engine or the gateway closes it.</summary>
    private async Task PumpAsync(MobileImSession session, ClientConnection connection)
    {
        try
        {
            while (await connection.WaitToDequeueAsync())
            {
                while (connection.TryDequeue(out var ev)) await OnEngineEventAsync(session, connection, ev);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.PacketFailed(_logger, ex, -1, session.Transport, session.RemoteAddress);
        }
        // Still bound: the engine closed it (administrator kick, logout elsewhere, slow consumer, shutdown).
        if (Interlocked.CompareExchange(ref session.Connection, null, connection) != connection) return;
        var code = connection.CloseCode ?? DisconnectCode.Normal;
        var loginId = session.LoginUserId;
        lock (_onlineLock)
        {
            if (session.UserId is { } user) _online.TryRemove(new KeyValuePair<string, MobileImSession>(user, session));
            session.UserId = null;
        }
        _engine.Closed(connection);
        _ = _cursorFlush.FlushUserAsync(connection.UserId);
        if (code is DisconnectCode.Kicked or DisconnectCode.LoggedOut or DisconnectCode.AccountDisabled && loginId is not null)
            Send(session, ProtocalFactory.Kickout(loginId!, MobileImKickoutCode.KickedByAdmin, code.ToReason()));
        if (session.ClosesOnError || code is DisconnectCode.ServerShutdown or DisconnectCode.IdleTimeout) End(session);
    }

    private void Sweep()
    {
        var now = Stopwatch.GetTimestamp();
        foreach (var session in _sessions.Values)
        {
            var idle = session.Options.IdleTimeoutMs;
            // A packet of its own is being handled (the gate is held): waiting on us is not silence.
            var busy = session.Gate.CurrentCount == 0;
            if (idle > 0 && !busy && Stopwatch.GetElapsedTime(session.LastActivityTicks, now).TotalMilliseconds > idle)
            {
                Log.IdleClosed(_logger, session.Transport, session.RemoteAddress, session.UserId);
                Detach(session, DisconnectCode.IdleTimeout);
                End(session);
            }
            else
            {
                // This gateway's sense-mode timeout rules, not the engine's generic idle sweep (which may be shorter
                // than a 60S/120S mode): keep the engine connection fresh while the session is alive here.
                session.Connection?.Touch();
            }
        }
        SweepDuplicates();
    }

    public void Dispose()
    {
        StopTimers();
        _ = _cursorFlush.FlushAllAsync();
    }

    /// <summary>
    /// Moves the cursors still gathered and waits (5 s at most) until they are written: the message store, which this
    /// gateway depends on, is disposed after it, and a store that writes over the network would close under them.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        StopTimers();
        try { await _cursorFlush.FlushAllAsync().WaitAsync(TimeSpan.FromSeconds(5)); }
        catch (TimeoutException) { }
    }

    private void StopTimers()
    {
        _stopping.Dispose();
        _sweepTimer.Dispose();
        _qosTimer.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(3012, LogLevel.Warning, "MobileIMSDK: the fps stored before this start could not be read; fps are stored as they are")]
        public static partial void FingerprintsUnavailable(ILogger logger, Exception exception);

        [LoggerMessage(3000, LogLevel.Debug, "MobileIMSDK {Transport} {Remote}: bad packet ({Error}), session closed")]
        public static partial void BadPacket(ILogger logger, string transport, string? remote, string error);

        [LoggerMessage(3001, LogLevel.Error, "MobileIMSDK type {Type} from {Transport} {Remote} failed")]
        public static partial void PacketFailed(ILogger logger, Exception exception, int type, string transport, string? remote);

        [LoggerMessage(3002, LogLevel.Debug, "MobileIMSDK type {Type} from {Transport} {Remote} ignored")]
        public static partial void UnknownType(ILogger logger, int type, string transport, string? remote);

        [LoggerMessage(3003, LogLevel.Debug, "MobileIMSDK {Transport} {Remote} ({User}) idle, closed")]
        public static partial void IdleClosed(ILogger logger, string transport, string? remote, string? user);

        [LoggerMessage(3004, LogLevel.Error, "Hook {Hook} failed")]
        public static partial void HookFailed(ILogger logger, Exception exception, string hook);

        [LoggerMessage(3005, LogLevel.Debug, "MobileIMSDK C2C from {User} to {To} not accepted: {Code} {Error}")]
        public static partial void SendRefused(ILogger logger, string user, string? to, int code, string? error);

        [LoggerMessage(3006, LogLevel.Debug, "MobileIMSDK packet for {User} ({Bytes} bytes) exceeds the transport's outbound limit")]
        public static partial void TooLargeForClient(ILogger logger, string user, int bytes);
    }
}

/// <summary>Login response codes the gateway sends for refusals it decides itself (application range, ≥ 1025).</summary>
public static class MobileImLoginCodes
{
    /// <summary>Unknown account or wrong password/token.</summary>
    public const int InvalidCredentials = 1025;

    /// <summary>The account is disabled.</summary>
    public const int AccountDisabled = 1026;

    /// <summary>The <see cref="ParleyHooks.VerifyLoginAsync"/> hook refused (or a hook failed).</summary>
    public const int RefusedByHook = 1027;

    internal static int From(DisconnectCode failure) => failure switch
    {
        DisconnectCode.AccountDisabled => AccountDisabled,
        DisconnectCode.LoginRefused => RefusedByHook,
        _ => InvalidCredentials,
    };
}

public sealed partial class MobileImGateway
{
    internal bool Kick(string userId, string? reason)
    {
        var session = OnlineSession(userId);
        if (session is null) return false;
        Send(session, ProtocalFactory.Kickout(session.LoginUserId ?? userId, MobileImKickoutCode.KickedByAdmin, reason));
        Detach(session, DisconnectCode.Kicked);
        if (session.ClosesOnError) session.Close();
        return true;
    }
}
