using Microsoft.Extensions.Hosting;
using Parley.Abstractions;
using Parley.Core.Auth;
using Parley.Core.Messaging;
using Parley.Core.Sessions;

namespace Parley.Core;

/// <summary>Starts the commit writer and loads revocations; on shutdown closes connections and drains the writer.</summary>
public sealed class EngineLifetime(MessagePipeline pipeline, TokenService tokens, SessionRegistry registry) : IHostedService
{
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
