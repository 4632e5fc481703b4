using Microsoft.Extensions.Logging;

namespace Parley.Storage.Postgres;

internal static partial class PostgresLog
{
    [LoggerMessage(EventId = 3101, Level = LogLevel.Information, Message = "Opened PostgreSQL database {Database} (schema version {Version})")]
    public static partial void Opened(ILogger logger, string database, int version);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Information, Message = "Migrated PostgreSQL database {Database} to schema version {Version}")]
    public static partial void Migrated(ILogger logger, string database, int version);

    [LoggerMessage(EventId = 3103, Level = LogLevel.Warning, Message = "PostgreSQL database {Database} is unreachable, retrying in {DelayMs} ms: {Reason}")]
    public static partial void WaitingForDatabase(ILogger logger, string database, double delayMs, string reason);

    [LoggerMessage(EventId = 3104, Level = LogLevel.Warning, Message = "PostgreSQL database {Database} is unavailable: {Reason}")]
    public static partial void Unavailable(ILogger logger, string database, string reason);

    [LoggerMessage(EventId = 3105, Level = LogLevel.Information, Message = "Dropped stale PostgreSQL connections and retried: {Reason}")]
    public static partial void StaleConnection(ILogger logger, string reason);

    [LoggerMessage(EventId = 3106, Level = LogLevel.Debug, Message = "PostgreSQL transaction conflict {SqlState} on attempt {Attempt}, retrying")]
    public static partial void Conflict(ILogger logger, string sqlState, int attempt);
}
