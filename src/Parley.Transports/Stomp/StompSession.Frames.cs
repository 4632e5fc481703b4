using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using Parley.Abstractions;
using Parley.Abstractions.Calls;
using Parley.Core.Clients;
using Parley.Core.Messaging;
using Parley.Core.Sessions;
using Parley.Protocol.Stomp;
using Parley.Transports.Native;

namespace Parley.Transports.Stomp;

public sealed partial class StompSession
{
    private async ValueTask ConnectAsync(StompFrame frame)
    {
        var receipt = frame.GetHeader(StompHeaders.Receipt);
        var version = StompNegotiation.NegotiateVersion(frame.GetHeader(StompHeaders.AcceptVersion));
        if (version is null)
        {
            Interlocked.Exchange(ref _errorSent, 1);
            Outbox.TryWrite(ErrorFrame("supported protocol versions are " + StompNegotiation.SupportedVersions, receipt, StompNegotiation.SupportedVersions), force: true);
            Outbox.Complete(DisconnectCode.ProtocolError);
            return;
        }
        if (!StompNegotiation.TryParseHeartbeat(frame.GetHeader(StompHeaders.HeartBeat), out var cx, out var cy))
        {
            Fail(DisconnectCode.ProtocolError, "invalid heart-beat header", receipt);
            return;
        }
        var auth = await AuthenticateAsync(frame);
        if (!auth.Succeeded)
        {
            Fail(auth.Failure, auth.Reason ?? auth.Failure.ToReason(), receipt);
            return;
        }
        // Failed while CONNECT was being authenticated (a server stop): the ERROR frame has gone, no connection opens.
        if (Volatile.Read(ref _errorSent) != 0) return;
        Version = version;
        var o = _server.Options;
        var hb = StompNegotiation.NegotiateHeartbeat(cx, cy, o.HeartbeatSendMs, o.HeartbeatReceiveMs);
        var connection = await Engine.OpenAsync(auth.User!, _transport, _remote);
        // Liveness follows what was negotiated: silent for Tolerance × the client's interval closes (ConnectionSweeper).
        if (hb.ServerReceiveMs > 0) connection.IdleTimeout = TimeSpan.FromMilliseconds(hb.ServerReceiveMs * o.HeartbeatTolerance);
        var headers = new List<KeyValuePair<string, string>>
        {
            new(StompHeaders.Version, version),
            new(StompHeaders.HeartBeat, StompNegotiation.FormatHeartbeat(cy == 0 ? 0 : o.HeartbeatSendMs, cx == 0 ? 0 : o.HeartbeatReceiveMs)),
            new(StompHeaders.Server, "Parley/1.0"),
            new(StompHeaders.Session, connection.Id.ToString(CultureInfo.InvariantCulture)),
            new("user-name", connection.UserName),
            new("user-id", connection.UserId.ToString(CultureInfo.InvariantCulture)),
        };
        // CONNECTED goes first, before anything the engine queues for this connection.
        Outbox.TryWrite(Frame(StompCommand.Connected, headers), force: true);
        if (receipt is not null) Outbox.TryWrite(Frame(StompCommand.Receipt, [new(StompHeaders.ReceiptId, receipt)]), force: true);
        if (Link is { } link) connection.Attach(link);
        Connection = connection;
        if (Volatile.Read(ref _disposed) != 0)
        {
            // The transport ended while CONNECT was being authenticated.
            connection.Close(DisconnectCode.Normal);
            Engine.Closed(connection);
        }
        _drain = Task.Run(() => DrainAsync(connection));
        if (hb.ServerSendMs > 0) _heartbeat = HeartbeatAsync(connection, TimeSpan.FromMilliseconds(hb.ServerSendMs));
    }

    private ValueTask<AuthOutcome> AuthenticateAsync(StompFrame frame)
    {
        var ct = _life.Token;
        var token = Bearer(frame.GetHeader("Authorization") ?? frame.GetHeader("authorization"))
            ?? NonEmpty(frame.GetHeader("token")) ?? NonEmpty(frame.GetHeader("access_token"));
        if (token is not null) return Engine.AuthenticateAsync(token, _transport, _remote, ct);
        if (NonEmpty(frame.GetHeader(StompHeaders.Passcode)) is { } passcode)
            return Engine.AuthenticateCredentialAsync(NonEmpty(frame.GetHeader(StompHeaders.Login)), passcode, _transport, _remote, ct);
        return Engine.AuthenticateAsync(_handshakeToken, _transport, _remote, ct);
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static string? Bearer(string? value) =>
        NonEmpty(value) is not { } v ? null : v.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? NonEmpty(v[7..]) : v;

    // ---- SEND ----

    private async ValueTask SendAsync(ClientConnection connection, StompFrame frame)
    {
        var destination = frame.GetHeader(StompHeaders.Destination);
        var receipt = frame.GetHeader(StompHeaders.Receipt);
        if (string.IsNullOrEmpty(destination))
        {
            Fail(DisconnectCode.ProtocolError, "SEND requires a destination", receipt);
            return;
        }
        if (destination.StartsWith("/app/", StringComparison.Ordinal))
        {
            await SendToAppAsync(connection, frame, destination, receipt);
            return;
        }
        if (StompDestinations.IsFree(destination))
        {
            if (!await AuthorizeTopicAsync(connection, destination, publish: true))
            {
                connection.EnqueueReply(new StompSendErrorEvent(ErrorCodes.RejectedByHook, "not allowed to publish to this destination", destination, null));
                return;
            }
            _server.Topics.Publish(new StompTopicEvent(destination, frame.Body, frame.GetHeader(StompHeaders.ContentType), connection.UserId, connection.UserName));
            Receipt(connection, frame);
            return;
        }
        connection.EnqueueReply(new StompSendErrorEvent(ErrorCodes.Forbidden, "cannot send to this destination", destination, null));
    }

    private async ValueTask SendToAppAsync(ClientConnection connection, StompFrame frame, string destination, string? receipt)
    {
        if (destination is StompDestinations.AppCalls or StompDestinations.AppQuery)
        {
            Rpc(connection, frame, destination);
            return;
        }
        var body = ParseBody(frame);
        if (body.Error is not null)
        {
            connection.EnqueueReply(new StompSendErrorEvent(ErrorCodes.BadRequest, body.Error, destination, null));
            return;
        }
        var clientMsgId = body.ClientMsgId ?? frame.GetHeader("client-msg-id");
        if (StompDestinations.Cursor(destination) is { } cursorKind)
        {
            await MoveCursorAsync(connection, frame, destination, cursorKind);
            return;
        }
        if (StompDestinations.AppTarget(destination) is not { } target)
        {
            connection.EnqueueReply(new StompSendErrorEvent(ErrorCodes.NotFound, "unknown destination", destination, clientMsgId));
            return;
        }
        var request = new SendRequest(target, clientMsgId, body.Kind, body.Text, body.Payload);
        var committed = await Engine.SubmitAsync(connection.UserId, request, _transport, connection, connection.Closing);
        _ = ReplyWhenCommittedAsync(connection, committed, destination, clientMsgId, receipt);
    }

    private async Task ReplyWhenCommittedAsync(ClientConnection connection, Task<SendOutcome> committed, string destination, string? clientMsgId, string? receipt)
    {
        SendOutcome outcome;
        try { outcome = await committed; }
        catch (Exception ex)
        {
            Log.FrameFailed(_server.Logger, ex, "SEND", connection.Id);
            outcome = SendOutcome.Fail(ErrorCodes.Internal, "internal error");
        }
        connection.EnqueueReply(outcome.Succeeded
            ? new StompSendAckEvent(outcome.Message!, outcome.Duplicate, receipt)
            : new StompSendErrorEvent(outcome.ErrorCode, outcome.Error!, destination, clientMsgId));
    }

    private async ValueTask MoveCursorAsync(ClientConnection connection, StompFrame frame, string destination, string kind)
    {
        var json = ParseJson(frame.Body.Span);
        if (json is not { } root || !root.TryGetProperty("conversation", out var c) || c.ValueKind != JsonValueKind.String
            || !root.TryGetProperty("seq", out var s) || s.ValueKind != JsonValueKind.Number || !s.TryGetInt64(out var seq))
        {
            connection.EnqueueReply(new StompSendErrorEvent(ErrorCodes.InvalidField, "body must be {\"conversation\":\"...\",\"seq\":N}", destination, null));
            return;
        }
        var error = kind switch
        {
            "read" => await Engine.MarkReadAsync(connection, c.GetString(), seq, connection.Closing),
            "remove" => await Engine.RemoveMessageAsync(connection.UserId, connection.UserName, c.GetString(), seq, connection.Id, connection.Closing),
            _ => await Engine.AcknowledgeAsync(connection, c.GetString(), seq, connection.Closing),
        };
        if (error is not null) connection.EnqueueReply(new StompSendErrorEvent(error.Code, error.Message, destination, null));
        else Receipt(connection, frame);
    }

    // ---- calls and queries: the body is the native protocol's frame ----

    private static NativeCommand? AnswerToPendingCall(ClientConnection connection, StompFrame frame) =>
        frame.Command == StompCommand.Send && frame.GetHeader(StompHeaders.Destination) == StompDestinations.AppCalls
        && NativeCommandParser.Parse(frame.Body).Command is { } command && command.AnswersPendingCall(connection)
            ? command
            : null;

    private void Answer(ClientConnection connection, StompFrame frame, NativeCommand answer)
    {
        _server.Rpc.Answer(connection, answer.CallId!.Value, answer.CallAnswer());
        Receipt(connection, frame);
    }

    private void Rpc(ClientConnection connection, StompFrame frame, string destination)
    {
        var parsed = NativeCommandParser.Parse(frame.Body);
        var expected = destination == StompDestinations.AppCalls ? "a callResult or callError frame" : "a query frame";
        switch (parsed.Command)
        {
            case { Type: "callResult" or "callError", CallId: not null } answer when destination == StompDestinations.AppCalls:
                // a late answer (HandleFrameAsync takes those still awaited): ClientRpc counts and drops it
                Answer(connection, frame, answer);
                return;
            case { Type: "query" } q when destination == StompDestinations.AppQuery:
                _server.Rpc.StartQuery(connection, q.Id, q.Method, q.Arguments);
                break;
            case null:
                connection.EnqueueReply(new StompSendErrorEvent(parsed.ErrorCode, parsed.Error!, destination, null));
                return;
            default:
                connection.EnqueueReply(new StompSendErrorEvent(ErrorCodes.InvalidField, $"the body must be {expected} of the native protocol (with its callId or id)", destination, null));
                return;
        }
        Receipt(connection, frame);
    }

    private readonly record struct ParsedBody(string? Text, string? Kind, string? Payload, string? ClientMsgId, string? Error);

    /// <summary>Plain text, or JSON <c>{text, kind, payload, clientMsgId}</c> (JSON content type, or a body that is a JSON object).</summary>
    private static ParsedBody ParseBody(StompFrame frame)
    {
        var span = frame.Body.Span;
        if (!Utf8.IsValid(span)) return new ParsedBody(null, null, null, null, "body is not valid UTF-8");
        var declaredJson = frame.GetHeader(StompHeaders.ContentType)?.Contains("json", StringComparison.OrdinalIgnoreCase) == true;
        var trimmed = span.TrimStart(" \t\r\n"u8);
        if (declaredJson || (!trimmed.IsEmpty && trimmed[0] == (byte)'{'))
        {
            if (ParseJson(span) is { } root)
            {
                return new ParsedBody(StringOf(root, "text"), StringOf(root, "kind"),
                    root.TryGetProperty("payload", out var p) && p.ValueKind != JsonValueKind.Null ? p.GetRawText() : null,
                    StringOf(root, "clientMsgId"), null);
            }
            if (declaredJson) return new ParsedBody(null, null, null, null, "body is not a JSON object");
        }
        return new ParsedBody(span.IsEmpty ? null : Encoding.UTF8.GetString(span), null, null, null, null);
    }

    private static string? StringOf(JsonElement root, string name) =>
        root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static JsonElement? ParseJson(ReadOnlySpan<byte> body)
    {
        try
        {
            var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 64 });
            using var document = JsonDocument.ParseValue(ref reader);
            return document.RootElement.ValueKind == JsonValueKind.Object ? document.RootElement.Clone() : null;
        }
        catch (JsonException) { return null; }
    }

    private async ValueTask<bool> AuthorizeTopicAsync(ClientConnection connection, string destination, bool publish)
    {
        try { return await _server.Hooks.AuthorizeTopicAsync(connection, destination, publish, connection.Closing); }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.FrameFailed(_server.Logger, ex, "AuthorizeTopicAsync", connection.Id);
            return false;
        }
    }
}
