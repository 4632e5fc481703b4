using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Parley.Abstractions.Stores;
using Parley.Core.Auth;
using Parley.Core.Options;

namespace Parley.Server.Hosting;

/// <summary>Prints where everything is once the server listens, so a first run needs no guessing.</summary>
public sealed class StartupBanner(IServer server, IHostApplicationLifetime lifetime, IStoreHealth store, Parley.Abstractions.Files.IBlobStore blobs, ParleyOptions options,
    Parley.Transports.MobileImSdk.MobileImGatewayEndpoints gateway, Microsoft.Extensions.Options.IOptions<Web.WebPageOptions> web) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(() =>
        {
            // Kestrel lists the MobileIMSDK TCP listener among its addresses; it is not HTTP.
            var tcp = gateway.Tcp;
            var urls = (server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [])
                .Where(u => tcp is null || !u.EndsWith(":" + tcp.Port, StringComparison.Ordinal)).ToList();
            var first = urls.FirstOrDefault() ?? ParleyServer.DefaultUrl;
            string Show(System.Net.IPEndPoint? endpoint) => endpoint is null ? "off" : endpoint.ToString();
            var ws = first.Replace("http://", "ws://").Replace("https://", "wss://");
            var key = string.IsNullOrEmpty(options.Auth.SigningKey) ? Path.Combine(options.DataDirectory, SigningKeyFile.FileName) : "(from configuration)";
            Console.WriteLine($"""

                Parley is running
                  listening      {string.Join(", ", urls)}
                  web chat       {(web.Value.IsServed ? first + "/" : "off")}
                  REST API       {first}/api   (OpenAPI {first}/openapi/v1.json, Swagger UI {first}/swagger)
                  WebSocket      {ws}/ws?access_token=<JWT>
                  STOMP          {ws}/stomp   (SockJS {first}/stomp/sockjs)
                  MobileIMSDK    udp {Show(gateway.Udp)}   tcp {Show(tcp)}   websocket {ws}/websocket (also {Show(gateway.WebSocket)})
                  health         {first}/health   metrics {first}/metrics
                  data           {options.DataDirectory}
                  storage        {store.Describe()}
                  files          {blobs.Describe()}
                  signing key    {key}
                  admins         {(options.Admins.Count == 0 ? "(none; set Parley:Admins)" : string.Join(", ", options.Admins))}
                  client kinds   {(options.Clients.Kinds.Count == 0 ? "(none; set Parley:Clients:Kinds)" : string.Join(", ", options.Clients.Kinds.Keys.Order()))}

                """);
        });
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
