using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Parley.Abstractions.Stores;

namespace Parley.Storage.Sqlite;

/// <summary>Registers the SQLite storage engine.</summary>
public static class SqliteStorageServiceCollectionExtensions
{
    /// <summary>Stores data in <c>parley.db</c> inside <paramref name="dataDirectory"/>.</summary>
    public static IServiceCollection AddParleySqliteStorage(this IServiceCollection services, string dataDirectory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(dataDirectory);
        return services.AddParleySqliteStorage(o => o.Path = Path.Combine(dataDirectory, SqliteStorageOptions.DefaultFileName));
    }

    /// <summary>
    /// Registers one shared <see cref="SqliteDatabase"/> and the six stores as singletons (replacing earlier store registrations). The database opens and
    /// migrates when first resolved: resolve <see cref="SqliteDatabase"/> (or any store) during start-up.
    /// </summary>
    public static IServiceCollection AddParleySqliteStorage(this IServiceCollection services, Action<SqliteStorageOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<SqliteStorageOptions>();
        if (configure is not null) options.Configure(configure);
        options.Validate(o => !string.IsNullOrWhiteSpace(o.Path), "SqliteStorageOptions.Path is required.")
            .Validate(o => o.BusyTimeoutMs >= 0, "SqliteStorageOptions.BusyTimeoutMs must not be negative.")
            .Validate(o => Enum.IsDefined(o.Synchronous), "SqliteStorageOptions.Synchronous is not a known level.");

        services.TryAddSingleton(sp => SqliteDatabase.Open(
            sp.GetRequiredService<IOptions<SqliteStorageOptions>>().Value,
            sp.GetService<ILoggerFactory>()?.CreateLogger("Parley.Storage.Sqlite")));
        services.AddSingleton<IAccountStore, SqliteAccountStore>();
        services.AddSingleton<IGraphStore, SqliteGraphStore>();
        services.AddSingleton<IGroupStore, SqliteGroupStore>();
        services.AddSingleton<IMessageStore, SqliteMessageStore>();
        services.AddSingleton<IFileStore, SqliteFileStore>();
        services.AddSingleton<IStoreHealth, SqliteStoreHealth>();
        return services;
    }
}
