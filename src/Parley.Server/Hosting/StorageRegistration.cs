using Microsoft.Extensions.Options;
using Parley.Core.Options;
using Parley.Storage.Postgres;
using Parley.Storage.Sqlite;

namespace Parley.Server.Hosting;

/// <summary>
/// Picks the storage engine from <c>Parley:Storage:Provider</c>: <c>sqlite</c> (the default, embedded, one node) or
/// <c>postgres</c> (several nodes sharing one database; settings under <c>Parley:Storage:Postgres</c>).
/// </summary>
public static class StorageRegistration
{
    public const string ProviderKey = "Parley:Storage:Provider";

    public static IServiceCollection AddParleyStorage(this IServiceCollection services, IConfiguration configuration)
    {
        var provider = configuration[ProviderKey];
        switch (provider?.Trim().ToLowerInvariant())
        {
            case null or "" or "sqlite":
                services.AddOptions<SqliteStorageOptions>().Bind(configuration.GetSection("Parley:Sqlite"))
                    .Configure<IOptions<ParleyOptions>>((sqlite, parley) =>
                    {
                        if (string.IsNullOrEmpty(sqlite.Path)) sqlite.Path = Path.Combine(parley.Value.DataDirectory, SqliteStorageOptions.DefaultFileName);
                    });
                return services.AddParleySqliteStorage();
            case "postgres" or "postgresql":
                services.AddOptions<PostgresStorageOptions>().Bind(configuration.GetSection(PostgresStorageOptions.Section));
                return services.AddParleyPostgresStorage();
            default:
                throw new InvalidOperationException($"{ProviderKey} must be 'sqlite' or 'postgres' (got '{provider}')");
        }
    }
}
