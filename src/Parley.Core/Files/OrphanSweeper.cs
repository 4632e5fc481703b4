using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Parley.Core.Options;

namespace Parley.Core.Files;

/// <summary>Runs <see cref="FileService.SweepOrphansAsync"/> every <see cref="FilesOptions.SweepInterval"/>.</summary>
public sealed class OrphanSweeper(FileService files, FilesOptions options, TimeProvider time, ILogger<OrphanSweeper> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.SweepInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try { await files.SweepOrphansAsync(time.GetUtcNow() - options.OrphanAfter, stoppingToken); }
                catch (Exception ex) when (ex is not OperationCanceledException) { FileLog.SweepFailed(logger, ex); }
            }
        }
        catch (OperationCanceledException) { }
    }
}

internal static partial class FileLog
{
    [LoggerMessage(1400, LogLevel.Information, "Stored file {FileId} of user {OwnerId}: {Kind}, {Size} bytes, {ContentType} (new blob: {Created})")]
    public static partial void Stored(ILogger logger, string fileId, long ownerId, string kind, long size, string contentType, bool created);

    [LoggerMessage(1401, LogLevel.Information, "Refused a {Kind} upload of user {OwnerId} claimed as {Claimed}: {Reason}")]
    public static partial void Refused(ILogger logger, long ownerId, string kind, string claimed, string reason);

    [LoggerMessage(1402, LogLevel.Information, "Deleted {Count} orphaned upload(s)")]
    public static partial void Swept(ILogger logger, int count);

    [LoggerMessage(1403, LogLevel.Error, "The orphan sweep failed; it runs again at the next interval")]
    public static partial void SweepFailed(ILogger logger, Exception exception);
}
