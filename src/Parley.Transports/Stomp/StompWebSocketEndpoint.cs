using Microsoft.AspNetCore.Http;
using Parley.Transports.WebSockets;

namespace Parley.Transports.Stomp;

/// <summary>STOMP 1.2 over a plain WebSocket at <c>/stomp</c> (sub-protocols v12.stomp, v11.stomp, v10.stomp).</summary>
public sealed class StompWebSocketEndpoint(StompServer server, StompOriginPolicy origins)
{
    public const string TransportName = "stomp";
    private static readonly string[] SubProtocols = ["v12.stomp", "v11.stomp", "v10.stomp"];

    public async Task HandleAsync(HttpContext context) => await AcceptAsync(context, TransportName, sockJs: false);

    internal Task AcceptAsync(HttpContext context, string transport, bool sockJs) => context.WebSockets.IsWebSocketRequest
        ? RunAsync(new HttpUpgradeRequest(context), transport, sockJs)
        : Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "WebSocket upgrade expected").ExecuteAsync(context);

    /// <summary>An upgrade to <c>/stomp</c> taken off the connection (see <c>DirectWebSocketUpgrades</c>).</summary>
    public Task RunAsync(IUpgradeRequest request) => RunAsync(request, TransportName, sockJs: false);

    private async Task RunAsync(IUpgradeRequest request, string transport, bool sockJs)
    {
        if (!origins.IsAllowed(request.Origin, request.Scheme, request.Host))
        {
            await request.RejectAsync(StatusCodes.Status403Forbidden, "origin not allowed", null);
            return;
        }
        var requested = request.RequestedSubProtocols;
        var protocol = sockJs ? null : SubProtocols.FirstOrDefault(p => requested.Contains(p, StringComparer.OrdinalIgnoreCase));
        var (remote, token) = (request.Remote, request.Token);
        using var socket = await request.AcceptAsync(protocol, TimeSpan.FromMilliseconds(server.Engine.Options.Connections.HeartbeatMs));
        var session = server.CreateSession(transport, remote, token);
        await StompWebSocketRunner.RunAsync(socket, session, server.Options, sockJs);
    }
}
