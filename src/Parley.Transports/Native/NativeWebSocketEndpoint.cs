using System.Net.WebSockets;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Parley.Abstractions;
using Parley.Abstractions.Calls;
using Parley.Abstractions.Events;
using Parley.Abstractions.Stores;
using Parley.Core.Clients;
using Parley.Core.Messaging;
using Parley.Core.Sessions;
using Parley.Transports.WebSockets;

namespace Parley.Transports.Native;

/// <summary>
/// The native JSON protocol at /ws (docs/protocol.md): authenticates the upgrade, then translates frames to
/// engine calls and engine events to frames. Nothing here decides who may do what; the engine does.
/// </summary>
public sealed partial class NativeWebSocketEndpoint(ChatEngine engine, ClientRpc rpc, ILogger<NativeWebSocketEndpoint> logger) : IWebSocketProtocol
{
    public const string TransportName = "ws";

    public Task HandleAsync(HttpContext context) => context.WebSockets.IsWebSocketRequest
        ? RunAsync(new HttpUpgradeRequest(context))
        : Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "WebSocket upgrade expected").ExecuteAsync(context);

    /// <summary>Authenticates and registers the client, upgrades, and runs the session until it closes.</summary>
    public async Task RunAsync(IUpgradeRequest request)
    {
        var remote = request.Remote;
        var auth = await engine.AuthenticateAnyAsync(request.Token, TransportName, remote, request.Aborted);
        if (!auth.Succeeded)
        {
            var status = auth.Failure == DisconnectCode.LoginRefused ? StatusCodes.Status403Forbidden : StatusCodes.Status401Unauthorized;
            await request.RejectAsync(status, auth.Failure.ToReason(), auth.Reason);
            return;
        }
        // Registered before the upgrade, so that a refused duplicate client gets a plain HTTP answer.
        var connection = auth.Client is { } client ? await engine.OpenClientAsync(client, TransportName, remote, request.Aborted) : engine.Open(auth.User!, TransportName, remote);
        if (connection is null)
        {
            await request.RejectAsync(StatusCodes.Status409Conflict, "duplicate_client",
                "this client is already connected and its kind refuses a second connection");
            return;
        }
        try
        {
            // In a cluster: routable from other nodes before the client can ask to sync.
            await engine.ReadyAsync(connection);
            connection.EnableCalls();
            using var socket = await request.AcceptAsync(null, TimeSpan.FromMilliseconds(connection.HeartbeatMs));
            var c = engine.Options.Connections;
            var idle = connection.IdleTimeout is { } custom ? (int)custom.TotalMilliseconds : c.IdleTimeoutMs;
            connection.EnqueueReply(new WelcomeEvent(connection.UserId, connection.UserName, connection.Id, connection.HeartbeatMs, idle, c.MaxFrameBytes,
                connection.ClientKind, connection.ClientId));
            await WebSocketPump.RunAsync(socket, connection, this, c.MaxFrameBytes);
        }
        finally
        {
            engine.Closed(connection);
        }
    }

    public ReadOnlyMemory<byte> Encode(ClientConnection connection, ServerEvent ev, out bool text)
    {
        text = true;
        return NativeEventEncoder.Encode(ev);
    }

    public (WebSocketCloseStatus Status, string Reason) CloseStatus(DisconnectCode code) =>
        ((WebSocketCloseStatus)code.ToWebSocketStatus(), code.ToReason());

    public async ValueTask OnMessageAsync(ClientConnection connection, ReadOnlyMemory<byte> message, bool binary)
    {
        if (binary)
        {
            connection.Close(DisconnectCode.ProtocolError);
            return;
        }
        var admitted = engine.TryAdmit(connection);
        var parsed = admitted ? NativeCommandParser.Parse(message) : default;
        if (!admitted)
        {
            // Answers to the server's own calls pass without a rate token: the server bounds them by what it asked.
            parsed = NativeCommandParser.Parse(message);
            if (parsed.Command?.AnswersPendingCall(connection) != true)
            {
                if (engine.Reject(connection) == FrameAdmission.RateLimited && (parsed.RequestId is not null || connection.FirstDropInWindow))
                    connection.EnqueueReply(new ErrorEvent(parsed.RequestId, ErrorCodes.RateLimited, "rate limit exceeded, frame dropped"));
                return;
            }
        }
        if (parsed.Command is not { } command)
        {
            connection.EnqueueReply(new ErrorEvent(parsed.RequestId, parsed.ErrorCode, parsed.Error!));
            return;
        }
        try
        {
            await DispatchAsync(connection, command);
        }
        catch (StorageUnavailableException)
        {
            connection.EnqueueReply(new ErrorEvent(command.Id, ErrorCodes.StorageFailed, "storage unavailable, retry later"));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.RequestFailed(logger, ex, command.Type, connection.Id);
            connection.EnqueueReply(new ErrorEvent(command.Id, ErrorCodes.Internal, "internal error"));
        }
    }

    private async ValueTask DispatchAsync(ClientConnection connection, NativeCommand command)
    {
        var ct = connection.Closing;
        switch (command.Type)
        {
            case "query":
                rpc.StartQuery(connection, command.Id, command.Method, command.Arguments);
                return;
            case "callResult" or "callError":
                rpc.Answer(connection, command.CallId!.Value, command.CallAnswer());
                return;
            case "ping":
                connection.EnqueueReply(new PongEvent(command.Id));
                return;
        }
        if (ChatEngine.ChatRefusal(connection, command.Id) is { } refusal)
        {
            connection.EnqueueReply(refusal);
            return;
        }
        switch (command.Type)
        {
            case "send":
                var request = new SendRequest(new MessageTarget(command.To, command.Group, command.Conversation), command.ClientMsgId,
                    command.Kind, command.Text, command.Payload);
                var committed = await engine.SubmitAsync(connection.UserId, request, TransportName, connection, ct);
                _ = ReplyWhenCommittedAsync(connection, command.Id, committed);
                break;
            case "ack":
            case "read":
                if (command.Seq is not { } seq)
                {
                    connection.EnqueueReply(new ErrorEvent(command.Id, ErrorCodes.InvalidField, "seq is required"));
                    break;
                }
                var error = command.Type == "ack"
                    ? await engine.AcknowledgeAsync(connection, command.Conversation, seq, ct)
                    : await engine.MarkReadAsync(connection, command.Conversation, seq, ct);
                if (error is not null) connection.EnqueueReply(new ErrorEvent(command.Id, error.Code, error.Message));
                break;
            case "typing":
                var typingError = await engine.TypingAsync(connection, new MessageTarget(command.To, command.Group, command.Conversation), ct);
                if (typingError is not null) connection.EnqueueReply(new ErrorEvent(command.Id, typingError.Code, typingError.Message));
                break;
            case "sync":
                await engine.SyncAsync(connection, command.Id, command.Cursors, command.Limit, ct);
                break;
            case "history":
                var page = await engine.HistoryAsync(connection.UserId, command.Conversation, command.Before, command.After, command.Limit, ct);
                connection.EnqueueReply(page.Ok
                    ? new ResultEvent(command.Id, new { messages = page.Value!.Messages, hasMore = page.Value.HasMore })
                    : new ErrorEvent(command.Id, page.ErrorCode, page.Error!));
                break;
            case "online":
                if (command.Group is not { } group)
                {
                    connection.EnqueueReply(new ErrorEvent(command.Id, ErrorCodes.InvalidField, "group is required"));
                    break;
                }
                var online = await engine.OnlineMembersAsync(connection.UserId, group, ct);
                connection.EnqueueReply(online.Ok
                    ? new ResultEvent(command.Id, new { users = online.Value })
                    : new ErrorEvent(command.Id, online.ErrorCode, online.Error!));
                break;
            case "remove":
                if (command.Seq is not { } removeSeq)
                {
                    connection.EnqueueReply(new ErrorEvent(command.Id, ErrorCodes.InvalidField, "seq is required"));
                    break;
                }
                var removeError = await engine.RemoveMessageAsync(connection.UserId, connection.UserName, command.Conversation, removeSeq, connection.Id, ct);
                connection.EnqueueReply(removeError is null
                    ? new ResultEvent(command.Id, new { conversation = command.Conversation, seq = removeSeq })
                    : new ErrorEvent(command.Id, removeError.Code, removeError.Message));
                break;
        }
    }

    private async Task ReplyWhenCommittedAsync(ClientConnection connection, string? requestId, Task<SendOutcome> committed)
    {
        SendOutcome outcome;
        try { outcome = await committed; }
        catch (Exception ex)
        {
            Log.RequestFailed(logger, ex, "send", connection.Id);
            outcome = SendOutcome.Fail(ErrorCodes.Internal, "internal error");
        }
        connection.EnqueueReply(outcome.Succeeded
            ? new SendAckEvent(requestId, outcome.Message!, outcome.Duplicate)
            : new ErrorEvent(requestId, outcome.ErrorCode, outcome.Error!));
    }

    private static partial class Log
    {
        [LoggerMessage(2000, LogLevel.Error, "{Command} from connection {ConnectionId} failed")]
        public static partial void RequestFailed(ILogger logger, Exception exception, string command, long connectionId);
    }
}
