using System.Collections.Frozen;
using System.IO.Pipelines;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Parley.Transports.WebSockets.Direct;

/// <summary>
/// Kestrel connection middleware that takes WebSocket upgrades to mapped paths before the HTTP stack does. Through
/// the HTTP stack an upgraded connection keeps its request (the HTTP/1.1 connection, header collections, context,
/// middleware frames) for as long as it lives: about 12 KiB per idle socket. Here it keeps only the transport and the
/// WebSocket. Only the first request on a connection is looked at, and anything that is not a plain upgrade to a
/// mapped path (see <see cref="UpgradeHeadParser"/>) is handed to Kestrel untouched, so HTTP answers stay Kestrel's.
/// On a TLS endpoint the middleware sees ciphertext and steps aside: those upgrades take the HTTP path.
/// </summary>
public sealed partial class DirectWebSocketUpgrades(IOptions<KestrelServerOptions> kestrel, ILogger<DirectWebSocketUpgrades> logger)
{
    private FrozenDictionary<string, Func<IUpgradeRequest, Task>> _handlers = FrozenDictionary<string, Func<IUpgradeRequest, Task>>.Empty;
    private readonly Lock _mapping = new();

    /// <summary>Takes upgrades to <paramref name="path"/> (exact, case-sensitive) to <paramref name="handler"/>.</summary>
    public void Map(string path, Func<IUpgradeRequest, Task> handler)
    {
        lock (_mapping)
        {
            var all = _handlers.ToDictionary(StringComparer.Ordinal);
            all[path] = handler;
            _handlers = all.ToFrozenDictionary(StringComparer.Ordinal);
        }
    }

    public async Task OnConnectionAsync(ConnectionContext connection, ConnectionDelegate next)
    {
        // One snapshot for the whole connection: the paths the head is matched against and the handler it finds.
        var handlers = _handlers;
        if (handlers.Count == 0)
        {
            await next(connection);
            return;
        }
        var (status, head) = await ReadHeadAsync(connection, handlers);
        switch (status)
        {
            case UpgradeHeadStatus.NotUpgrade:
                await next(connection);
                return;
            case UpgradeHeadStatus.Incomplete:
                Log.HeadTimedOut(logger, connection.ConnectionId);
                connection.Abort(new ConnectionAbortedException("request head timed out"));
                return;
        }
        var path = head!.Path;
        var request = new DirectUpgradeRequest(connection, head);
        head = null;
        try
        {
            await handlers[path](request);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or WebSocketException or ConnectionAbortedException)
        {
            // The peer went away during the handshake or the session: nothing to report.
        }
        catch (Exception ex)
        {
            Log.HandlerFailed(logger, ex, path, connection.ConnectionId);
        }
    }

    /// <summary>
    /// Reads until the head is known to be an upgrade (consumed) or not (nothing consumed or examined, so Kestrel's
    /// first read sees every byte at once); Incomplete means the time ran out.
    /// </summary>
    private async Task<(UpgradeHeadStatus, UpgradeHead?)> ReadHeadAsync(ConnectionContext connection, FrozenDictionary<string, Func<IUpgradeRequest, Task>> handlers)
    {
        var input = connection.Transport.Input;
        var limits = kestrel.Value.Limits;
        // As Kestrel: the keep-alive timeout until a request starts, the header timeout once it has.
        using var timeout = new CancellationTokenSource(limits.KeepAliveTimeout);
        var registration = timeout.Token.Register(static p => ((PipeReader)p!).CancelPendingRead(), input);
        var status = UpgradeHeadStatus.Incomplete;
        UpgradeHead? head = null;
        try
        {
            while (true)
            {
                var read = await input.ReadAsync();
                if (read.IsCanceled)
                {
                    input.AdvanceTo(read.Buffer.Start);
                    return (UpgradeHeadStatus.Incomplete, null);
                }
                status = UpgradeHeadParser.Parse(read.Buffer, handlers.Keys.AsSpan(), out head);
                if (status == UpgradeHeadStatus.Upgrade)
                {
                    input.AdvanceTo(read.Buffer.GetPosition(head!.Length));
                    break;
                }
                if (status == UpgradeHeadStatus.NotUpgrade || read.IsCompleted)
                {
                    input.AdvanceTo(read.Buffer.Start);
                    status = UpgradeHeadStatus.NotUpgrade;
                    break;
                }
                input.AdvanceTo(read.Buffer.Start, read.Buffer.End);
                timeout.CancelAfter(limits.RequestHeadersTimeout);
            }
        }
        finally
        {
            // Waits for a timer callback in flight: a cancel that raced the last read would reach the next reader.
            registration.Dispose();
        }
        return timeout.IsCancellationRequested ? (UpgradeHeadStatus.Incomplete, null) : (status, head);
    }

    private static partial class Log
    {
        [LoggerMessage(2900, LogLevel.Debug, "Connection {ConnectionId} did not send a request head in time")]
        public static partial void HeadTimedOut(ILogger logger, string connectionId);

        [LoggerMessage(2901, LogLevel.Error, "WebSocket at {Path} on connection {ConnectionId} failed")]
        public static partial void HandlerFailed(ILogger logger, Exception exception, string path, string connectionId);
    }
}

public static class DirectWebSocketUpgradesExtensions
{
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<ListenOptions, object> NotHttp = [];

    /// <summary>
    /// Keeps the middleware off an endpoint that does not speak HTTP (the MobileIMSDK TCP listener): its peers' first
    /// bytes are not a request head, and some wait for nothing before sending.
    /// </summary>
    public static ListenOptions WithoutDirectWebSocketUpgrades(this ListenOptions listen)
    {
        NotHttp.AddOrUpdate(listen, NotHttp);
        return listen;
    }

    /// <summary>Puts <see cref="DirectWebSocketUpgrades"/> in front of the HTTP stack on every Kestrel endpoint.</summary>
    public static IServiceCollection AddDirectWebSocketUpgrades(this IServiceCollection services)
    {
        services.AddSingleton<DirectWebSocketUpgrades>();
        services.Configure<KestrelServerOptions>(k => k.ConfigureEndpointDefaults(listen => listen.Use(next =>
        {
            // Built when the endpoint binds, after every configuration callback: an endpoint marked by then is skipped.
            if (NotHttp.TryGetValue(listen, out _)) return next;
            var upgrades = listen.ApplicationServices.GetRequiredService<DirectWebSocketUpgrades>();
            return connection => upgrades.OnConnectionAsync(connection, next);
        })));
        return services;
    }
}
