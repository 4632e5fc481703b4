using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Parley.Abstractions.Hooks;
using Parley.Core.Clients;
using Parley.Core.Messaging;
using Parley.Protocol.Stomp;

namespace Parley.Transports.Stomp;

/// <summary>What every STOMP session shares: the engine, the policy hooks, the topic registry and the options.</summary>
public sealed class StompServer(ChatEngine engine, ConversationAccess access, ParleyHooks hooks, StompTopicRegistry topics, ClientRpc rpc,
    IOptions<StompOptions> options, ILogger<StompServer> logger, IHostApplicationLifetime? lifetime = null)
{
    public ChatEngine Engine { get; } = engine;
    public ConversationAccess Access { get; } = access;
    public ParleyHooks Hooks { get; } = hooks;
    public StompTopicRegistry Topics { get; } = topics;
    public ClientRpc Rpc { get; } = rpc;
    public StompOptions Options { get; } = options.Value;
    public ILogger Logger { get; } = logger;

    /// <summary>Set when the host starts stopping; sessions still waiting for CONNECT end then.</summary>
    public CancellationToken Stopping { get; } = lifetime?.ApplicationStopping ?? CancellationToken.None;

    public StompLimits Limits { get; } = new() { MaxFrameSize = options.Value.MaxInboundMessageBytes };

    /// <summary>A new session for one socket or SockJS session; <paramref name="handshakeToken"/> is a token from the HTTP request, if any.</summary>
    public StompSession CreateSession(string transport, string? remoteAddress, string? handshakeToken) =>
        new(this, transport, remoteAddress, handshakeToken);
}
