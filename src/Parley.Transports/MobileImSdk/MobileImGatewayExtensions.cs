using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Parley.Transports.WebSockets.Direct;

namespace Parley.Transports.MobileImSdk;

/// <summary>Registration of the MobileIMSDK gateway (UDP hosted service, TCP Kestrel listener, WebSocket endpoint, push API).</summary>
public static class MobileImGatewayExtensions
{
    /// <summary>
    /// Registers the gateway from <c>Parley:MobileImSdk</c>. The TCP gateway and the extra WebSocket port are Kestrel
    /// listeners; since listeners defined in code replace the <c>urls</c> setting, the configured urls are re-added
    /// here as listeners first (unless a <c>Kestrel:Endpoints</c> section defines them).
    /// </summary>
    public static IServiceCollection AddMobileImGateway(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<MobileImGatewayOptions>().Bind(configuration.GetSection(MobileImGatewayOptions.Section));
        services.AddSingleton<MobileImGatewayEndpoints>();
        services.AddSingleton<MobileImGateway>();
        services.AddSingleton<MobileImPush>();
        services.AddSingleton<MobileImWebSocketEndpoint>();
        services.AddHostedService<MobileImUdpGateway>();
        services.AddOptions<KestrelServerOptions>().Configure<IOptions<MobileImGatewayOptions>, MobileImGatewayEndpoints>((kestrel, gatewayOptions, endpoints) =>
        {
            var o = gatewayOptions.Value;
            var tcp = o.Enabled && o.Tcp.Enabled;
            var ws = o.Enabled && o.WebSocket.Enabled && o.WebSocket.Port >= 0;
            if (!tcp && !ws) return;
            if (!configuration.GetSection("Kestrel:Endpoints").Exists()) ListenOnUrls(kestrel, configuration["urls"] ?? configuration["ASPNETCORE_URLS"]);
            if (tcp)
            {
                ListenOptions? bound = null;
                kestrel.Listen(o.Tcp.EndPoint(), l =>
                {
                    bound = l;
                    l.WithoutDirectWebSocketUpgrades().UseConnectionHandler<MobileImTcpConnectionHandler>();
                });
                endpoints.TcpResolver = () => bound?.IPEndPoint;
            }
            if (ws)
            {
                ListenOptions? bound = null;
                kestrel.Listen(o.WebSocket.EndPoint(), l => bound = l);
                endpoints.WebSocketResolver = () => bound?.IPEndPoint;
            }
        });
        return services;
    }

    private static void ListenOnUrls(KestrelServerOptions kestrel, string? urls)
    {
        foreach (var url in (urls ?? "http://localhost:5000").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var address = BindingAddress.Parse(url);
            var https = string.Equals(address.Scheme, "https", StringComparison.OrdinalIgnoreCase);
            Action<ListenOptions> configure = l => { if (https) l.UseHttps(); };
            if (string.Equals(address.Host, "localhost", StringComparison.OrdinalIgnoreCase)) kestrel.ListenLocalhost(address.Port, configure);
            else if (address.Host is "*" or "+" or "0.0.0.0" or "[::]") kestrel.ListenAnyIP(address.Port, configure);
            else if (IPAddress.TryParse(address.Host.Trim('[', ']'), out var ip)) kestrel.Listen(ip, address.Port, configure);
            else kestrel.ListenAnyIP(address.Port, configure);
        }
    }

    /// <summary>
    /// Maps the WebSocket gateway and <c>POST /api/mobileimsdk/push</c> (and <c>/kick</c>), protected by
    /// <paramref name="adminPolicy"/>.
    /// </summary>
    public static IEndpointRouteBuilder MapMobileImGateway(this IEndpointRouteBuilder app, string adminPolicy)
    {
        var options = app.ServiceProvider.GetRequiredService<IOptions<MobileImGatewayOptions>>().Value;
        if (!options.Enabled) return app;
        if (options.WebSocket.Enabled)
        {
            app.Map(options.WebSocketPath, (HttpContext http, MobileImWebSocketEndpoint endpoint) => endpoint.HandleAsync(http)).ExcludeFromDescription();
            app.ServiceProvider.GetService<DirectWebSocketUpgrades>()?.Map(options.WebSocketPath, app.ServiceProvider.GetRequiredService<MobileImWebSocketEndpoint>().RunAsync);
        }
        var api = app.MapGroup("/api/mobileimsdk").RequireAuthorization(adminPolicy).WithTags("MobileIMSDK");
        api.MapPost("/push", async (PushRequest request, MobileImPush push) =>
        {
            if (string.IsNullOrEmpty(request.To) || request.DataContent is null)
                return Results.Problem(statusCode: 400, title: "to and dataContent are required");
            var fp = request.Qos != false ? request.Fp ?? Guid.NewGuid().ToString("D") : request.Fp;
            var pending = push.PushAsync(request.To, request.DataContent, request.TypeU ?? -1, request.Qos != false, fp);
            if (request.Wait == false && !pending.IsCompleted) return Results.Accepted(value: new PushResponse("queued", fp));
            var status = await pending;
            var body = new PushResponse(status.ToString().ToLowerInvariant(), fp);
            return status switch
            {
                MobileImPushStatus.Offline => Results.NotFound(body),
                MobileImPushStatus.TooLarge => Results.UnprocessableEntity(body),
                _ => Results.Ok(body),
            };
        }).WithSummary("Push a type-2 packet from \"0\" to a MobileIMSDK user (QoS by default; waits for the ACK or the loss unless wait is false)");
        api.MapPost("/kick", async (KickRequest request, MobileImPush push) =>
            !string.IsNullOrEmpty(request.To) && await push.KickAsync(request.To, request.Reason) ? Results.NoContent() : Results.NotFound())
            .WithSummary("Send the kickout packet (code 2) and end the user's MobileIMSDK session");
        return app;
    }

    /// <summary>Body of <c>POST /api/mobileimsdk/push</c>.</summary>
    public sealed record PushRequest(string? To, string? DataContent, int? TypeU, bool? Qos, string? Fp, bool? Wait);

    /// <summary>Result of a push: status is offline, sent, received, lost, toolarge or queued.</summary>
    public sealed record PushResponse(string Status, string? Fp);

    /// <summary>Body of <c>POST /api/mobileimsdk/kick</c>.</summary>
    public sealed record KickRequest(string? To, string? Reason);
}
