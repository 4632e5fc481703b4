using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Parley.Abstractions.Cluster;
using Parley.Core.Cluster;

namespace Parley.Cluster.RabbitMq;

public static class RabbitMqClusterExtensions
{
    /// <summary>
    /// Replaces the in-memory broker and presence with RabbitMQ ones: <see cref="RabbitMqBroker"/> and, over it,
    /// <see cref="ReplicatedPresence"/>. Settings from <c>Parley:Cluster:RabbitMq</c>, validated at start.
    /// </summary>
    public static IServiceCollection AddParleyRabbitMq(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RabbitMqOptions>().Bind(configuration.GetSection(RabbitMqOptions.Section))
            .ValidateDataAnnotations()
            .Validate(o => o.ReconnectMaxMs >= o.ReconnectMinMs, "Parley:Cluster:RabbitMq:ReconnectMaxMs must be at least ReconnectMinMs")
            .ValidateOnStart();
        services.RemoveAll<IBroker>();
        services.RemoveAll<IPresence>();
        services.AddSingleton<IBroker>(sp => new RabbitMqBroker(sp.GetRequiredService<NodeIdentity>().Id,
            sp.GetRequiredService<IOptions<RabbitMqOptions>>().Value, sp.GetRequiredService<ILogger<RabbitMqBroker>>()));
        services.AddSingleton<IPresence, ReplicatedPresence>();
        return services;
    }
}
