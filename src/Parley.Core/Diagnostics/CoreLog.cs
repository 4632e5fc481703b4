using Microsoft.Extensions.Logging;
using Parley.Abstractions;

namespace Parley.Core.Diagnostics;

internal static partial class CoreLog
{
    [LoggerMessage(1000, LogLevel.Information, "User {UserName} ({UserId}) connected over {Transport} as connection {ConnectionId}")]
    public static partial void Connected(ILogger logger, string userName, long userId, string transport, long connectionId);

    [LoggerMessage(1001, LogLevel.Information, "Connection {ConnectionId} of {UserName} closed: {Reason}")]
    public static partial void Disconnected(ILogger logger, long connectionId, string userName, string reason);

    [LoggerMessage(1002, LogLevel.Warning, "Connection {ConnectionId} of {UserName} closed as {Code}")]
    public static partial void ForcedClose(ILogger logger, long connectionId, string userName, DisconnectCode code);

    [LoggerMessage(1003, LogLevel.Information, "Client {Kind}/{ClientId} (user '{UserName}') connected over {Transport} as connection {ConnectionId}")]
    public static partial void ClientConnected(ILogger logger, string kind, string clientId, string userName, string transport, long connectionId);

    [LoggerMessage(1004, LogLevel.Information, "Client {Kind}/{ClientId} logged in again: connection {OldConnectionId} replaced by {ConnectionId}")]
    public static partial void ClientReplaced(ILogger logger, string kind, string clientId, long oldConnectionId, long connectionId);

    [LoggerMessage(1005, LogLevel.Warning, "Client {Kind}/{ClientId} is already connected; the new connection was refused")]
    public static partial void DuplicateClientRefused(ILogger logger, string kind, string clientId);

    [LoggerMessage(1100, LogLevel.Error, "Committing a batch of {Count} messages failed; their senders were told to resend")]
    public static partial void CommitFailed(ILogger logger, Exception exception, int count);

    [LoggerMessage(1101, LogLevel.Error, "Fan-out of message {MessageId} failed")]
    public static partial void FanOutFailed(ILogger logger, Exception exception, string messageId);

    [LoggerMessage(1200, LogLevel.Error, "Hook {Hook} failed")]
    public static partial void HookFailed(ILogger logger, Exception exception, string hook);

    [LoggerMessage(1201, LogLevel.Error, "Presence notification for user {UserId} failed")]
    public static partial void PresenceFailed(ILogger logger, Exception exception, long userId);

    [LoggerMessage(1400, LogLevel.Error, "Query {Method} from connection {ConnectionId} failed")]
    public static partial void QueryFailed(ILogger logger, Exception exception, string method, long connectionId);

    [LoggerMessage(1401, LogLevel.Debug, "Answer to call {CallId} on connection {ConnectionId} came after the call ended; dropped")]
    public static partial void LateCallAnswer(ILogger logger, long callId, long connectionId);

    [LoggerMessage(1300, LogLevel.Information, "User {UserName} ({UserId}) kicked: {Connections} connection(s) closed with {Code}")]
    public static partial void Kicked(ILogger logger, string userName, long userId, int connections, DisconnectCode code);

    [LoggerMessage(1102, LogLevel.Information, "Message {Conversation}#{Seq} removed by {UserName} ({UserId})")]
    public static partial void MessageRemoved(ILogger logger, string conversation, long seq, string userName, long userId);
}
