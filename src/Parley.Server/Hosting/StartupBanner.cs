using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Parley.Abstractions.Stores;
using Parley.Core.Auth;
using Parley.Core.Options;

namespace Parley.Server.Hosting;

/// <summary>Prints where everything is once the server listens, so a first run needs no guessing.</summary>
public sealed class StartupBanner(IServer server, IHostApplicationLifetime lifetime, IStoreHealth store, ParleyOptions options) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(() =>
        {
            var urls = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
            var first = urls.FirstOrDefault() ?? ParleyServer.DefaultUrl;
            var ws = first.Replace("http://", "ws://").Replace("https://", "wss://");
            var key = string.IsNullOrEmpty(options.Auth.SigningKey) ? Path.Combine(options.DataDirectory, SigningKeyFile.FileName) : "(from configuration)";
            Console.WriteLine($"""

                Parley is running
                  listening      {string.Join(", ", urls)}
                  REST API       {first}/api   (OpenAPI {first}/openapi/v1.json, Swagger UI {first}/swagger)
                  WebSocket      {ws}/ws?access_token=<JWT>
                  health         {first}/health   metrics {first}/metrics
                  data           {options.DataDirectory}
                  storage        {store.Describe()}
                  signing key    {key}
                  admins         {(options.Admins.Count == 0 ? "(none; set Parley:Admins)" : string.Join(", ", options.Admins))}

                """);
        });
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
