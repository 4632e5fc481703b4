using Microsoft.Extensions.Logging;

namespace Parley.Cluster.RabbitMq;

internal static partial class RabbitMqLog
{
    [LoggerMessage(1600, LogLevel.Information, "Node {NodeId} connected to RabbitMQ at {Host}:{Port} (queue {Queue})")]
    public static partial void Connected(ILogger logger, string nodeId, string host, int port, string queue);

    [LoggerMessage(1601, LogLevel.Warning, "Node {NodeId} could not reach RabbitMQ at {Host}:{Port}; retrying in {DelayMs} ms")]
    public static partial void ConnectFailed(ILogger logger, Exception exception, string nodeId, string host, int port, int delayMs);

    [LoggerMessage(1602, LogLevel.Warning, "Node {NodeId} lost its RabbitMQ connection: {Reason}")]
    public static partial void ConnectionLost(ILogger logger, string nodeId, string reason);

    [LoggerMessage(1603, LogLevel.Debug, "Publishing to {RoutingKey} failed; the message is dropped (nodes repair from the store)")]
    public static partial void PublishFailed(ILogger logger, Exception exception, string routingKey);

    [LoggerMessage(1604, LogLevel.Warning, "Binding user {UserId} failed; it is retried when the connection comes back")]
    public static partial void BindFailed(ILogger logger, Exception exception, long userId);

    [LoggerMessage(1605, LogLevel.Error, "A RabbitMQ message could not be handled")]
    public static partial void HandlerFailed(ILogger logger, Exception exception);
}
