using Microsoft.AspNetCore.Http;
using Parley.Transports.Native;

using Parley.Transports.WebSockets;

namespace Parley.Transports.Stomp;

/// <summary>STOMP 1.2 over a plain WebSocket at <c>/stomp</c> (sub-protocols v12.stomp, v11.stomp, v10.stomp).</summary>
public sealed class StompWebSocketEndpoint(StompServer server, StompOriginPolicy origins)
{
    public const string TransportName = "stomp";
    private static readonly string[] SubProtocols = ["v12.stomp", "v11.stomp", "v10.stomp"];

    public async Task HandleAsync(HttpContext context) => await AcceptAsync(context, TransportName, sockJs: false);

    internal async Task AcceptAsync(HttpContext context, string transport, bool sockJs)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            await Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "WebSocket upgrade expected").ExecuteAsync(context);
            return;
        }
        if (!origins.IsAllowed(context.Request))
        {
            await Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "origin not allowed").ExecuteAsync(context);
            return;
        }
        var requested = context.WebSockets.WebSocketRequestedProtocols;
        var protocol = sockJs ? null : SubProtocols.FirstOrDefault(p => requested.Contains(p, StringComparer.OrdinalIgnoreCase));
        using var socket = await WebSocketAcceptor.AcceptAsync(context, protocol, TimeSpan.FromMilliseconds(server.Engine.Options.Connections.HeartbeatMs));
        var session = server.CreateSession(transport, HttpUpgradeRequest.RemoteOf(context), HttpUpgradeRequest.TokenFrom(context.Request));
        await StompWebSocketRunner.RunAsync(socket, session, server.Options, sockJs);
    }
}
