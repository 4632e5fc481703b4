using Microsoft.Extensions.Diagnostics.HealthChecks;
using Parley.Abstractions.Stores;

namespace Parley.Server.Operations;

/// <summary>Readiness: storage answers a round trip.</summary>
public sealed class StorageHealthCheck(IStoreHealth store) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            return await store.PingAsync(cancellationToken)
                ? HealthCheckResult.Healthy(store.Describe())
                : HealthCheckResult.Unhealthy("storage did not answer");
        }
        catch (Exception ex)
        {
            return HealthCheckResult.Unhealthy("storage failed", ex);
        }
    }
}
