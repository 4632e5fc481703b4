using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Parley.Transports.SockJs;
using Parley.Transports.WebSockets.Direct;

namespace Parley.Transports.Stomp;

/// <summary>Registration of the STOMP transport: <c>/stomp</c> (WebSocket) and <c>/stomp/sockjs</c> (SockJS).</summary>
public static class StompEndpoints
{
    public const string WebSocketPath = "/stomp";
    public const string SockJsPath = "/stomp/sockjs";

    public static IServiceCollection AddParleyStomp(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<StompOptions>().Bind(configuration.GetSection(StompOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<StompTopicRegistry>();
        services.AddSingleton<StompServer>();
        services.AddSingleton<StompOriginPolicy>();
        services.AddSingleton<StompWebSocketEndpoint>();
        services.AddSingleton<SockJsSessions>();
        services.AddSingleton<SockJsEndpoint>();
        return services;
    }

    public static IEndpointRouteBuilder MapParleyStomp(this IEndpointRouteBuilder app)
    {
        app.Map(WebSocketPath, (HttpContext http, StompWebSocketEndpoint endpoint) => endpoint.HandleAsync(http)).ExcludeFromDescription();
        app.ServiceProvider.GetService<DirectWebSocketUpgrades>()?.Map(WebSocketPath, app.ServiceProvider.GetRequiredService<StompWebSocketEndpoint>().RunAsync);
        app.Map(SockJsPath, (HttpContext http, SockJsEndpoint endpoint) => endpoint.HandleAsync(http, "")).ExcludeFromDescription();
        app.Map(SockJsPath + "/{**rest}", (HttpContext http, SockJsEndpoint endpoint, string? rest) => endpoint.HandleAsync(http, "/" + rest))
            .ExcludeFromDescription();
        return app;
    }
}
