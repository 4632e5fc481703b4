using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Parley.Abstractions.Stores;

namespace Parley.Storage.Postgres;

/// <summary>Registers the PostgreSQL storage engine.</summary>
public static class PostgresStorageServiceCollectionExtensions
{
    /// <summary>
    /// Registers one shared <see cref="PostgresDatabase"/> and the six stores as singletons (replacing earlier store
    /// registrations). The database connects and migrates when first resolved: resolve it (or any store) during start-up.
    /// The message store implements <see cref="ISequencingMessageStore"/>, so the engine lets it number messages.
    /// </summary>
    public static IServiceCollection AddParleyPostgresStorage(this IServiceCollection services, Action<PostgresStorageOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<PostgresStorageOptions>();
        if (configure is not null) options.Configure(configure);
        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PostgresStorageOptions>, PostgresOptionsValidation>());

        services.TryAddSingleton(sp => PostgresDatabase.Open(
            sp.GetRequiredService<IOptions<PostgresStorageOptions>>().Value,
            sp.GetService<ILoggerFactory>()?.CreateLogger("Parley.Storage.Postgres")));
        services.AddSingleton<PostgresMessageStore>();
        services.AddSingleton<IAccountStore, PostgresAccountStore>();
        services.AddSingleton<IGraphStore, PostgresGraphStore>();
        services.AddSingleton<IGroupStore, PostgresGroupStore>();
        services.AddSingleton<IMessageStore>(sp => sp.GetRequiredService<PostgresMessageStore>());
        services.AddSingleton<IFileStore, PostgresFileStore>();
        services.AddSingleton<IStoreHealth, PostgresStoreHealth>();
        return services;
    }

    private sealed class PostgresOptionsValidation : IValidateOptions<PostgresStorageOptions>
    {
        public ValidateOptionsResult Validate(string? name, PostgresStorageOptions options)
        {
            var failures = options.Validate();
            return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
        }
    }
}
