using Microsoft.Extensions.Logging;

namespace Parley.Core.Cluster;

internal static partial class ClusterLog
{
    [LoggerMessage(1500, LogLevel.Error, "A cluster bus message could not be handled")]
    public static partial void BusMessageFailed(ILogger logger, Exception exception);

    [LoggerMessage(1501, LogLevel.Warning, "Node {NodeId} lost the cluster bus; serving local users, reconnecting")]
    public static partial void BusLost(ILogger logger, string nodeId);

    [LoggerMessage(1502, LogLevel.Information, "Node {NodeId} is back on the cluster bus; resynchronising")]
    public static partial void BusRecovered(ILogger logger, string nodeId);

    [LoggerMessage(1503, LogLevel.Information, "Node {NodeId} joined the cluster view")]
    public static partial void NodeJoined(ILogger logger, string nodeId);

    [LoggerMessage(1504, LogLevel.Warning, "Node {NodeId} expired (nothing heard for {TimeoutMs} ms); {Users} user(s) taken offline")]
    public static partial void NodeExpired(ILogger logger, string nodeId, int timeoutMs, int users);

    [LoggerMessage(1505, LogLevel.Information, "Node {NodeId} left the cluster")]
    public static partial void NodeLeft(ILogger logger, string nodeId);

    [LoggerMessage(1506, LogLevel.Debug, "Conversation {Conversation}: filled a gap of {Count} message(s) from the store")]
    public static partial void GapFilled(ILogger logger, string conversation, int count);

    [LoggerMessage(1507, LogLevel.Warning, "Conversation {Conversation}: seq {From}..{To} not in the store after the reorder wait; skipped (clients sync)")]
    public static partial void GapSkipped(ILogger logger, string conversation, long from, long to);

    [LoggerMessage(1508, LogLevel.Error, "Filling a gap in conversation {Conversation} failed")]
    public static partial void GapFillFailed(ILogger logger, Exception exception, string conversation);

    [LoggerMessage(1509, LogLevel.Error, "Resynchronising after the bus came back failed")]
    public static partial void CatchUpFailed(ILogger logger, Exception exception);

    [LoggerMessage(1510, LogLevel.Information, "Caught up after the bus outage: {Messages} message(s) for {Users} local user(s)")]
    public static partial void CaughtUp(ILogger logger, int messages, int users);

    [LoggerMessage(1511, LogLevel.Information, "Published {Messages} recent message(s) again after the bus outage")]
    public static partial void Republished(ILogger logger, int messages);
}
