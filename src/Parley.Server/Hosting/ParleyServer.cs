using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using Parley.Cluster.RabbitMq;
using Parley.Core;
using Parley.Core.Cluster;
using Parley.Core.Auth;
using Parley.Core.Options;
using Parley.Core.Services;
using Parley.Server.Api;
using Parley.Server.Auth;
using Parley.Server.Operations;
using Parley.Server.Web;
using Parley.Storage.S3;
using Parley.Storage.Sqlite;
using Parley.Transports.Json;
using Parley.Transports.MobileImSdk;
using Parley.Transports.Native;
using Parley.Transports.Stomp;
using Parley.Transports.WebSockets.Direct;

namespace Parley.Server.Hosting;

/// <summary>
/// The embeddable server: <c>Program.cs</c>, the tests and the benchmarks all build the same application here.
/// </summary>
public static class ParleyServer
{
    public const string DefaultUrl = "http://127.0.0.1:5080";

    /// <param name="args">Command line.</param>
    /// <param name="configure">Runs before services are registered (tests add configuration and replace services here).</param>
    public static WebApplicationBuilder CreateBuilder(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddCommandLine(args, new Dictionary<string, string> { ["--data"] = "Parley:DataDirectory" });
        configure?.Invoke(builder);
        if (string.IsNullOrEmpty(builder.Configuration["urls"])) builder.WebHost.UseUrls(DefaultUrl);
        builder.Services.AddParleyServer(builder.Configuration);
        return builder;
    }

    public static IServiceCollection AddParleyServer(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ParleyOptions>().Bind(configuration.GetSection(ParleyOptions.Section))
            .PostConfigure(o => o.DataDirectory = Path.GetFullPath(o.DataDirectory))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<ParleyOptions>, ParleyOptionsValidation>();
        services.AddParleyStorage(configuration);
        // The AWS SDK is loaded only when S3 is configured; otherwise the core registers the local-disk store.
        if (configuration.GetValue("Parley:Files:Provider", FileStorageProvider.Local) == FileStorageProvider.S3) services.AddParleyS3BlobStore();
        services.AddSingleton<IPasswordHashing, AspNetPasswordHashing>();
        services.AddParleyCore();
        // Several nodes as one service: the broker and presence over RabbitMQ instead of in memory.
        var provider = configuration["Parley:Cluster:Provider"];
        if (string.Equals(provider, ClusterOptions.RabbitMqProvider, StringComparison.OrdinalIgnoreCase)) services.AddParleyRabbitMq(configuration);
        services.AddSingleton<NativeWebSocketEndpoint>();
        // Upgrades taken off the connection before the HTTP stack: a third of the memory per idle WebSocket.
        if (configuration.GetValue("Parley:Http:DirectWebSocketUpgrades", true)) services.AddDirectWebSocketUpgrades();
        services.AddParleyStomp(configuration);
        services.AddMobileImGateway(configuration);
        services.AddSingleton<PrometheusExporter>();
        services.AddHostedService<StartupBanner>();
        services.AddParleyWebPage(configuration);

        services.AddAuthentication(ParleyTokenAuthentication.SchemeName)
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, ParleyTokenAuthentication>(ParleyTokenAuthentication.SchemeName, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(AdminEndpoints.Policy, p => p.RequireAuthenticatedUser().AddRequirements(new AdminRequirement()));
        services.AddSingleton<IAuthorizationHandler, AdminRequirementHandler>();

        services.AddProblemDetails();
        services.AddExceptionHandler<ProblemMapping>();
        services.ConfigureHttpJsonOptions(o => ParleyJson.Configure(o.SerializerOptions));
        services.AddOpenApi("v1");
        services.AddHealthChecks().AddCheck<StorageHealthCheck>("storage", tags: [OperationsEndpoints.ReadyTag]);
        var authPermits = configuration.GetValue("Parley:Http:AuthPermitsPerMinute", 60);
        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.OnRejected = async (ctx, ct) =>
                await Results.Problem(statusCode: 429, title: "Too many requests", detail: "slow down and retry later").ExecuteAsync(ctx.HttpContext);
            o.AddPolicy(AccountEndpoints.AuthRateLimit, http => RateLimitPartition.GetFixedWindowLimiter(
                http.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                _ => new FixedWindowRateLimiterOptions { PermitLimit = authPermits, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));
        });
        services.Configure<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>(k =>
            k.Limits.MaxRequestBodySize = configuration.GetValue("Parley:Http:MaxRequestBodyBytes", 1L * 1024 * 1024));
        return services;
    }

    public static WebApplication Build(WebApplicationBuilder builder)
    {
        var app = builder.Build();
        app.UseParley();
        return app;
    }

    public static WebApplication UseParley(this WebApplication app)
    {
        // Open storage at start, not on the first request.
        app.Services.GetRequiredService<Abstractions.Stores.IStoreHealth>();
        // Listen before the first measurement, not from the first scrape.
        app.Services.GetRequiredService<PrometheusExporter>();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseParleyWebPage();
        app.UseWebSockets();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();
        app.MapOpenApi("/openapi/{documentName}.json");
        app.UseSwaggerUI(o =>
        {
            o.SwaggerEndpoint("/openapi/v1.json", "Parley v1");
            o.RoutePrefix = "swagger";
        });
        app.Map("/ws", (HttpContext http, NativeWebSocketEndpoint endpoint) => endpoint.HandleAsync(http)).ExcludeFromDescription();
        app.Services.GetService<DirectWebSocketUpgrades>()?.Map("/ws", app.Services.GetRequiredService<NativeWebSocketEndpoint>().RunAsync);
        app.MapParleyStomp();
        app.MapMobileImGateway(AdminEndpoints.Policy);
        app.MapAccountEndpoints();
        app.MapSocialEndpoints();
        app.MapGroupEndpoints();
        app.MapMessageEndpoints();
        app.MapSearchEndpoints();
        app.MapFileEndpoints();
        app.MapAdminEndpoints();
        app.MapClientEndpoints();
        app.MapOperationsEndpoints();
        app.MapParleyWebPage();
        return app;
    }
}

public sealed class AdminRequirement : IAuthorizationRequirement;

/// <summary>Administrators are the accounts named in <c>Parley:Admins</c>.</summary>
public sealed class AdminRequirementHandler(AccountService accounts) : AuthorizationHandler<AdminRequirement>
{
    protected override async Task HandleRequirementAsync(AuthorizationHandlerContext context, AdminRequirement requirement)
    {
        if (context.User.Identity?.IsAuthenticated != true) return;
        var account = await accounts.RequireAsync(context.User.UserId(), CancellationToken.None);
        if (accounts.IsAdmin(account)) context.Succeed(requirement);
    }
}
