using Parley.Core.Sessions;
using System.Collections.Concurrent;
using Parley.Abstractions;
using Parley.Abstractions.Hooks;
using Parley.Abstractions.Model;
using Parley.Abstractions.Stores;

namespace Parley.Core.Messaging;

public sealed partial class ChatEngine
{
    private readonly ConcurrentDictionary<(long Sender, string ClientMsgId), Task<SendOutcome>> _inflight = new();

    /// <summary>
    /// Validates, authorises, de-duplicates and sequences a send. The outer task completes once the message has
    /// its place in the conversation (so a transport may read the next frame and keep per-connection order); the
    /// inner task completes when it is durable, with the ack, or with an error.
    /// </summary>
    public async ValueTask<Task<SendOutcome>> SubmitAsync(long senderId, SendRequest request, string transport, ClientConnection? origin, CancellationToken ct)
    {
        try
        {
            return await SubmitCheckedAsync(senderId, request, transport, origin, ct);
        }
        catch (StorageUnavailableException)
        {
            // Checks before the commit read storage too (sender, duplicates, membership): same answer as a failed commit.
            return Reject(ErrorCodes.StorageFailed, NotStored);
        }
    }

    private async ValueTask<Task<SendOutcome>> SubmitCheckedAsync(long senderId, SendRequest request, string transport, ClientConnection? origin, CancellationToken ct)
    {
        var invalid = Validate(request);
        if (invalid is not null) return Rejected(invalid);
        var sender = await _accounts.GetAsync(senderId, ct);
        if (sender is null || sender.Disabled) return Rejected(SendOutcome.Fail(ErrorCodes.Forbidden, "account unavailable"));

        if (request.ClientMsgId is not { } clientMsgId) return await SubmitNewAsync(sender, request, transport, origin, ct);

        var key = (sender.Id, clientMsgId);
        // Completed from the pipeline's fan-out loop, which runs awaiters inline so a batch's acks leave together.
        var mine = new TaskCompletionSource<SendOutcome>();
        while (!_inflight.TryAdd(key, mine.Task))
        {
            if (_inflight.TryGetValue(key, out var running)) return AsDuplicate(running);
        }
        try
        {
            Task<SendOutcome> result;
            if (_pipeline.StoreAssignsSequence)
            {
                // The store's commit finds a stored id itself (and answers with the original), so the usual send
                // reads nothing first. Only a refusal looks: a resend of a message that was stored is answered as
                // stored, even if its sender has since lost the right to send it.
                result = await SubmitNewAsync(sender, request, transport, origin, ct);
                if (result.IsCompletedSuccessfully && !result.Result.Succeeded
                    && await _messages.FindByClientMsgIdAsync(sender.Id, clientMsgId, ct) is { } stored)
                    result = Task.FromResult(SendOutcome.Ok(stored, duplicate: true));
            }
            else
            {
                var existing = await _messages.FindByClientMsgIdAsync(sender.Id, clientMsgId, ct);
                result = existing is not null
                    ? Task.FromResult(SendOutcome.Ok(existing, duplicate: true))
                    : await SubmitNewAsync(sender, request, transport, origin, ct);
            }
            _ = ForwardAsync(result, mine, key, origin?.Id ?? 0);
            return mine.Task;
        }
        catch (Exception ex)
        {
            _inflight.TryRemove(new KeyValuePair<(long, string), Task<SendOutcome>>(key, mine.Task));
            if (ex is StorageUnavailableException) mine.TrySetResult(SendOutcome.Fail(ErrorCodes.StorageFailed, NotStored));
            else mine.TrySetException(ex);
            throw;
        }
    }

    private async Task ForwardAsync(Task<SendOutcome> result, TaskCompletionSource<SendOutcome> mine, (long, string) key, long originConnectionId)
    {
        SendOutcome? outcome = null;
        Exception? error = null;
        try { outcome = await result; }
        catch (Exception ex) { error = ex; }
        // A resend answered from the store: the node that stored the original may have died before fanning it out.
        // In a cluster it goes out again; every node's orderer drops it where it was already handed out.
        if (_clustered && outcome is { Duplicate: true, Message: { } stored }) _ = _delivery.RepublishAsync(stored, originConnectionId);
        // Once committed, the store answers for this id; until then, resends wait on the running one. Removed
        // before completing: a resend made after the sender saw a failure must be tried again, not answered with it.
        _inflight.TryRemove(new KeyValuePair<(long, string), Task<SendOutcome>>(key, mine.Task));
        if (error is null) mine.TrySetResult(outcome!);
        else mine.TrySetException(error);
    }

    private static async Task<SendOutcome> AsDuplicateAsync(Task<SendOutcome> running)
    {
        var outcome = await running;
        return outcome.Succeeded ? outcome with { Duplicate = true } : outcome;
    }

    private static Task<SendOutcome> AsDuplicate(Task<SendOutcome> running) => AsDuplicateAsync(running);

    private static Task<SendOutcome> Rejected(SendOutcome outcome) => Task.FromResult(outcome);

    private async ValueTask<Task<SendOutcome>> SubmitNewAsync(Parley.Abstractions.Model.Account sender, SendRequest request, string transport,
        ClientConnection? origin, CancellationToken ct)
    {
        var target = await _access.ResolveForSendAsync(sender, request.Target, ct);
        if (!target.Ok) return Reject(target.ErrorCode, target.Error!);
        var resolved = target.Value!;
        var kind = request.Kind ?? MessageKinds.Text;
        var payload = request.Payload;
        string? fileId = null;
        if (MessageKinds.IsMedia(kind))
        {
            var media = await _media.PrepareAsync(sender.Id, kind, payload, ct);
            if (!media.Ok) return Reject(media.ErrorCode, media.Error!);
            (fileId, payload) = (media.Value!.FileId, media.Value.Json);
        }
        var draft = new MessageDraft(sender.Id, sender.Name, resolved.Conversation.Value, resolved.Recipient?.Id,
            resolved.Group?.Group.Id, kind, request.Text, payload, transport);
        var decision = await _hooks.BeforeSendAsync(draft, ct);
        if (!decision.Allowed) return Reject(ErrorCodes.RejectedByHook, decision.Reason ?? "rejected");

        var message = new ChatMessage
        {
            Id = MessageIds.New(),
            ConversationId = resolved.Conversation.Value,
            SenderId = sender.Id,
            SenderName = sender.Name,
            RecipientId = resolved.Recipient?.Id,
            GroupId = resolved.Group?.Group.Id,
            Kind = kind,
            Text = request.Text,
            Payload = payload,
            ClientMsgId = request.ClientMsgId,
            Timestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
        };
        // The reference is recorded before the commit, so a recipient who gets the message can download at once;
        // a message that never commits takes its reference back.
        if (fileId is not null && !await _media.ReferenceAsync(fileId, message, ct)) return Reject(ErrorCodes.NotFound, "no such file");
        var committed = await _pipeline.EnqueueAsync(message, origin?.Id ?? 0, ct);
        if (committed is null)
        {
            if (fileId is not null) await _media.ForgetAsync(message.Id, CancellationToken.None);
            return Reject(ErrorCodes.Overloaded, "server busy, retry later");
        }
        _metrics.MessagesIn.Add(1);
        return AwaitCommitAsync(committed, fileId is null ? null : message.Id);
    }

    private Task<SendOutcome> Reject(int code, string error)
    {
        _metrics.MessagesRejected.Add(1);
        return Task.FromResult(SendOutcome.Fail(code, error));
    }

    private async Task<SendOutcome> AwaitCommitAsync(Task<CommitResult> committed, string? referencingMessageId)
    {
        try
        {
            var result = await committed;
            // A resend another node had stored: the original holds its own reference, this draft's is not needed.
            if (result.Duplicate && referencingMessageId is not null) await _media.ForgetAsync(referencingMessageId, CancellationToken.None);
            return SendOutcome.Ok(result.Message, result.Duplicate);
        }
        catch (StorageFailedException)
        {
            if (referencingMessageId is not null) await _media.ForgetAsync(referencingMessageId, CancellationToken.None);
            return SendOutcome.Fail(ErrorCodes.StorageFailed, NotStored);
        }
    }

    private const string NotStored = "message not stored, resend it with the same clientMsgId";

    /// <summary>Submits and waits for durability (REST and server-side sends).</summary>
    public async Task<SendOutcome> SendAsync(long senderId, SendRequest request, string transport, CancellationToken ct)
    {
        var committed = await SubmitAsync(senderId, request, transport, origin: null, ct);
        return await committed;
    }

    private SendOutcome? Validate(SendRequest request)
    {
        var limits = _options.Messaging;
        if (!request.Target.IsValid) return SendOutcome.Fail(ErrorCodes.InvalidField, "exactly one of to, group or conversation is required");
        if (request.Text is null && request.Payload is null) return SendOutcome.Fail(ErrorCodes.InvalidField, "text or payload is required");
        if (request.Text is { Length: var n } && n > limits.MaxTextChars) return SendOutcome.Fail(ErrorCodes.TooLarge, $"text exceeds {limits.MaxTextChars} characters");
        if (request.Payload is { } payload && System.Text.Encoding.UTF8.GetByteCount(payload) > limits.MaxPayloadBytes)
            return SendOutcome.Fail(ErrorCodes.TooLarge, $"payload exceeds {limits.MaxPayloadBytes} bytes");
        if (request.Kind is { } kind && !IsValidKind(kind)) return SendOutcome.Fail(ErrorCodes.InvalidField, "kind must be 1-32 characters of a-z, 0-9, '.', '-', '_' or '/'");
        if (request.Kind == MessageKinds.Removed) return SendOutcome.Fail(ErrorCodes.InvalidField, "kind 'removed' is reserved for removed messages");
        if (request.ClientMsgId is { } id && (id.Length == 0 || id.Length > 64)) return SendOutcome.Fail(ErrorCodes.InvalidField, "clientMsgId must be 1-64 characters");
        return null;
    }

    private static bool IsValidKind(string kind)
    {
        if (kind.Length is 0 or > 32) return false;
        foreach (var c in kind)
        {
            if (!(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '.' or '-' or '_' or '/')) return false;
        }
        return true;
    }
}
