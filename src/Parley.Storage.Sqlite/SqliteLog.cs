using Microsoft.Extensions.Logging;

namespace Parley.Storage.Sqlite;

internal static partial class SqliteLog
{
    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "Opened SQLite database {Path} (schema version {Version}, synchronous={Synchronous})")]
    public static partial void Opened(ILogger logger, string path, int version, SqliteSynchronous synchronous);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Information, Message = "Migrated SQLite database {Path} to schema version {Version}")]
    public static partial void Migrated(ILogger logger, string path, int version);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Debug, Message = "Closed SQLite database {Path}")]
    public static partial void Closed(ILogger logger, string path);
}
