using Microsoft.Extensions.Hosting;
using Parley.Abstractions;
using Parley.Core.Auth;
using Parley.Core.Clients;
using Parley.Core.Messaging;
using Parley.Core.Sessions;

namespace Parley.Core;

/// <summary>Starts the commit writer and loads revocations; on shutdown closes connections and drains the writer.</summary>
/// <remarks>Takes <see cref="ClientRpc"/> so that a bad query handler registration stops the server at start.</remarks>
public sealed class EngineLifetime(MessagePipeline pipeline, TokenService tokens, SessionRegistry registry, ClientRpc rpc) : IHostedService
{
    public ClientRpc Rpc { get; } = rpc;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await tokens.LoadRevocationsAsync(cancellationToken);
        pipeline.Start();
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        foreach (var c in registry.All()) c.Close(DisconnectCode.ServerShutdown);
        await pipeline.DisposeAsync();
    }
}
