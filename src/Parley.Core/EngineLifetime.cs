using Microsoft.Extensions.Hosting;
using Parley.Abstractions;
using Parley.Abstractions.Calls;
using Parley.Abstractions.Cluster;
using Parley.Core.Auth;
using Parley.Core.Clients;
using Parley.Core.Cluster;
using Parley.Core.Messaging;
using Parley.Core.Services;
using Parley.Core.Sessions;

namespace Parley.Core;

/// <summary>
/// Starts the cluster bus and presence, loads revocations and starts the commit writer; on shutdown closes
/// connections, drains the writer and leaves the cluster (presence first, so the others hear a goodbye, not a timeout).
/// </summary>
/// <remarks>
/// Takes <see cref="ClientRpc"/> so that a bad query handler registration stops the server at start. Connections are
/// closed as soon as the application starts stopping: the web server's graceful stop, which runs before this
/// service's, waits for every open WebSocket request, so a single connected client held a stop for the host's whole
/// shutdown timeout (30 s, longer than a container's usual grace before it is killed).
/// </remarks>
public sealed class EngineLifetime(MessagePipeline pipeline, TokenService tokens, SessionRegistry registry, ClientRpc rpc, ClusterBus bus, IPresence presence,
    PresenceService presenceService, ChatEngine engine, ClusterRecovery recovery, SessionControl control, IClientCallDispatcher calls,
    IHostApplicationLifetime? lifetime = null) : IHostedService, IDisposable
{
    private CancellationTokenRegistration _stopping;

    public ClientRpc Rpc { get; } = rpc;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        // The engine, recovery and session control register their bus channels when constructed: before the bus starts.
        _ = (engine, recovery, control, calls);
        await tokens.LoadRevocationsAsync(cancellationToken);
        await bus.StartAsync(cancellationToken);
        await presence.StartAsync(presenceService, cancellationToken);
        pipeline.Start();
        // Without a host (engine tests) there is no earlier signal than StopAsync.
        if (lifetime is not null) _stopping = lifetime.ApplicationStopping.Register(CloseConnections);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        CloseConnections();
        await pipeline.DisposeAsync();
        await presence.DisposeAsync();
        await bus.DisposeAsync();
    }

    private void CloseConnections()
    {
        foreach (var c in registry.All()) c.Close(DisconnectCode.ServerShutdown);
    }

    public void Dispose() => _stopping.Dispose();
}
