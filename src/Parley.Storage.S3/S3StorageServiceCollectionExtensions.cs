using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Parley.Abstractions.Files;
using Parley.Core.Options;

namespace Parley.Storage.S3;

/// <summary>Registers the S3 blob store.</summary>
public static class S3StorageServiceCollectionExtensions
{
    /// <summary>
    /// Uses the bucket in <c>Parley:Files:S3</c> for upload bytes. Call before <c>AddParleyCore</c>, which only
    /// registers the local-disk default when no <see cref="IBlobStore"/> is registered yet.
    /// </summary>
    public static IServiceCollection AddParleyS3BlobStore(this IServiceCollection services)
    {
        services.TryAddSingleton(sp =>
        {
            var parley = sp.GetRequiredService<IOptions<ParleyOptions>>().Value;
            return new S3BlobStore(parley.Files.S3, Path.Combine(parley.DataDirectory, "s3-staging"));
        });
        services.TryAddSingleton<IBlobStore>(sp => sp.GetRequiredService<S3BlobStore>());
        services.AddHostedService<S3BucketInitializer>();
        return services;
    }

    private sealed class S3BucketInitializer(S3BlobStore store, IOptions<ParleyOptions> options) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) =>
            options.Value.Files.S3.CreateBucket ? store.EnsureBucketAsync(cancellationToken) : Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
