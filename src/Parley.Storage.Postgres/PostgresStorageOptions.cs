using Npgsql;

namespace Parley.Storage.Postgres;

/// <summary>Settings of the PostgreSQL storage engine (configuration section <c>Parley:Storage:Postgres</c>).</summary>
public sealed class PostgresStorageOptions
{
    /// <summary>Configuration section of these options.</summary>
    public const string Section = "Parley:Storage:Postgres";

    /// <summary>
    /// Npgsql connection string, e.g. <c>Host=db;Port=5432;Database=parley;Username=parley;Password=…;Maximum Pool Size=50</c>.
    /// The pool settings of the connection string apply per node.
    /// </summary>
    public string ConnectionString { get; set; } = "";

    /// <summary>How long to connect before giving up, in seconds, unless the connection string sets <c>Timeout</c>.</summary>
    public int ConnectTimeoutSeconds { get; set; } = 5;

    /// <summary>How long a statement may run, in seconds, unless the connection string sets <c>Command Timeout</c>.</summary>
    public int CommandTimeoutSeconds { get; set; } = 30;

    /// <summary>How long start-up keeps retrying (with back-off) while the database is unreachable, in seconds.</summary>
    public int StartupTimeoutSeconds { get; set; } = 60;

    /// <summary>Problems with these settings, each naming the setting; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(ConnectionString))
        {
            failures.Add($"{Section}:ConnectionString is required when Parley:Storage:Provider is postgres");
        }
        else
        {
            try
            {
                var builder = new NpgsqlConnectionStringBuilder(ConnectionString);
                if (string.IsNullOrWhiteSpace(builder.Host)) failures.Add($"{Section}:ConnectionString must name a Host");
            }
            catch (Exception e) when (e is ArgumentException or FormatException or InvalidCastException)
            {
                failures.Add($"{Section}:ConnectionString is not a valid Npgsql connection string: {e.Message}");
            }
        }
        if (ConnectTimeoutSeconds is < 1 or > 600) failures.Add($"{Section}:ConnectTimeoutSeconds must be 1-600");
        if (CommandTimeoutSeconds is < 1 or > 3600) failures.Add($"{Section}:CommandTimeoutSeconds must be 1-3600");
        if (StartupTimeoutSeconds is < 0 or > 3600) failures.Add($"{Section}:StartupTimeoutSeconds must be 0-3600");
        return failures;
    }

    /// <summary>The connection string with this engine's timeouts filled in where it does not set them.</summary>
    internal NpgsqlConnectionStringBuilder BuildConnectionString()
    {
        var builder = new NpgsqlConnectionStringBuilder(ConnectionString);
        // NpgsqlConnectionStringBuilder reports every known key as present: look at what was actually written.
        var written = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = ConnectionString }.Keys
            .Cast<string>().Select(k => k.Replace(" ", "", StringComparison.Ordinal).ToLowerInvariant()).ToHashSet();
        if (!written.Contains("timeout")) builder.Timeout = ConnectTimeoutSeconds;
        if (!written.Contains("commandtimeout")) builder.CommandTimeout = CommandTimeoutSeconds;
        if (string.IsNullOrEmpty(builder.ApplicationName)) builder.ApplicationName = "parley";
        return builder;
    }
}
