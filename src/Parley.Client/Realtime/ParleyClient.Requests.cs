using System.Text.Json;
using Parley.Client.Realtime;
using Parley.Client.Serialization;

namespace Parley.Client;

public sealed partial class ParleyClient
{
    private long _pendingOrder;

    /// <summary>Sends a direct message to a user.</summary>
    /// <param name="to">Recipient account name, or user id as digits.</param>
    /// <param name="text">Text (may be null for payload-only messages).</param>
    /// <param name="kind">Kind; the server's default is <c>text</c>.</param>
    /// <param name="payload">Optional JSON payload (build one with <see cref="JsonSerializer.SerializeToElement{TValue}(TValue, JsonSerializerOptions?)"/>).</param>
    /// <param name="clientMsgId">Idempotency key; a new GUID v7 when null.</param>
    /// <param name="cancellationToken">Cancels waiting (the message may still be stored).</param>
    /// <returns>The server's acknowledgement.</returns>
    /// <exception cref="ParleyRequestException">The server refused the message.</exception>
    /// <exception cref="TimeoutException">No ack within <see cref="ParleyClientOptions.RequestTimeout"/>.</exception>
    public Task<SendReceipt> SendAsync(string to, string? text, string? kind = null, JsonElement? payload = null, string? clientMsgId = null, CancellationToken cancellationToken = default) =>
        SendAsync(ParleyTarget.ToUser(to), text, kind, payload, clientMsgId, cancellationToken);

    /// <summary>Sends a message to a group.</summary>
    /// <param name="groupId">Group id.</param>
    /// <param name="text">Text.</param>
    /// <param name="kind">Kind; the server's default is <c>text</c>.</param>
    /// <param name="payload">Optional JSON payload.</param>
    /// <param name="clientMsgId">Idempotency key; a new GUID v7 when null.</param>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>The server's acknowledgement.</returns>
    public Task<SendReceipt> SendToGroupAsync(long groupId, string? text, string? kind = null, JsonElement? payload = null, string? clientMsgId = null, CancellationToken cancellationToken = default) =>
        SendAsync(ParleyTarget.ToGroup(groupId), text, kind, payload, clientMsgId, cancellationToken);

    /// <summary>Sends a message to a conversation by id.</summary>
    /// <param name="conversation">Conversation id (<c>d:1:2</c>, <c>g:7</c>).</param>
    /// <param name="text">Text.</param>
    /// <param name="kind">Kind; the server's default is <c>text</c>.</param>
    /// <param name="payload">Optional JSON payload.</param>
    /// <param name="clientMsgId">Idempotency key; a new GUID v7 when null.</param>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>The server's acknowledgement.</returns>
    public Task<SendReceipt> SendToConversationAsync(string conversation, string? text, string? kind = null, JsonElement? payload = null, string? clientMsgId = null, CancellationToken cancellationToken = default) =>
        SendAsync(ParleyTarget.ToConversation(conversation), text, kind, payload, clientMsgId, cancellationToken);

    /// <summary>
    /// Sends a message and waits for the server's <c>ack</c>. If the connection drops first, the message is resent
    /// with the same client message id after reconnecting (the server de-duplicates) and this completes with that ack.
    /// </summary>
    /// <param name="target">Recipient.</param>
    /// <param name="text">Text.</param>
    /// <param name="kind">Kind; the server's default is <c>text</c>.</param>
    /// <param name="payload">Optional JSON payload.</param>
    /// <param name="clientMsgId">Idempotency key (≤ 64 characters); a new GUID v7 when null.</param>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>The server's acknowledgement.</returns>
    public async Task<SendReceipt> SendAsync(ParleyTarget target, string? text, string? kind = null, JsonElement? payload = null, string? clientMsgId = null, CancellationToken cancellationToken = default)
    {
        clientMsgId ??= Guid.CreateVersion7().ToString();
        var frame = new ClientFrame
        {
            Type = "send",
            To = target.User,
            Group = target.Group,
            Conversation = target.Conversation,
            ClientMsgId = clientMsgId,
            Kind = kind,
            Text = text,
            Payload = payload,
        };
        var reply = await RequestAsync(frame, resend: true, cancellationToken).ConfigureAwait(false);
        var receipt = new SendReceipt(reply.Conversation ?? "", reply.Seq ?? 0, reply.MessageId ?? "", reply.Ts ?? 0, reply.Duplicate ?? false, clientMsgId);
        return receipt;
    }

    /// <summary>Tells the server everything up to <paramref name="seq"/> was received (moves the delivered cursor).</summary>
    /// <param name="conversation">Conversation id.</param>
    /// <param name="seq">Seq received up to.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the frame is written.</returns>
    public Task MarkDeliveredAsync(string conversation, long seq, CancellationToken cancellationToken = default) =>
        WriteOrThrowAsync(new ClientFrame { Type = "ack", Conversation = conversation, Seq = seq }, cancellationToken);

    /// <summary>Tells the server everything up to <paramref name="seq"/> was read (moves the read cursor).</summary>
    /// <param name="conversation">Conversation id.</param>
    /// <param name="seq">Seq read up to.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the frame is written.</returns>
    public Task MarkReadAsync(string conversation, long seq, CancellationToken cancellationToken = default) =>
        WriteOrThrowAsync(new ClientFrame { Type = "read", Conversation = conversation, Seq = seq }, cancellationToken);

    /// <summary>Tells the other participants the user is typing.</summary>
    /// <param name="target">User, group or conversation.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the frame is written.</returns>
    public Task SendTypingAsync(ParleyTarget target, CancellationToken cancellationToken = default) =>
        WriteOrThrowAsync(new ClientFrame { Type = "typing", To = target.User, Group = target.Group, Conversation = target.Conversation }, cancellationToken);

    /// <summary>
    /// Removes a message (the user's own, or any in a group the user owns); it stays in history as a tombstone and the
    /// conversation's participants get <see cref="MessageRemoved"/>. Removing a tombstone again succeeds.
    /// </summary>
    /// <param name="conversation">Conversation id.</param>
    /// <param name="seq">The message's seq.</param>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>A task that completes when the server has removed it.</returns>
    /// <exception cref="ParleyRequestException">201 not allowed, 200 no such message.</exception>
    public async Task RemoveMessageAsync(string conversation, long seq, CancellationToken cancellationToken = default) =>
        await RequestAsync(new ClientFrame { Type = "remove", Conversation = conversation, Seq = seq }, false, cancellationToken).ConfigureAwait(false);

    /// <summary>Pages a conversation's history over the WebSocket.</summary>
    /// <param name="conversation">Conversation id.</param>
    /// <param name="before">Exclusive upper seq bound.</param>
    /// <param name="after">Exclusive lower seq bound.</param>
    /// <param name="limit">Maximum number (server default 50, max 200).</param>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>The page, oldest first.</returns>
    public async Task<HistoryPage> GetHistoryAsync(string conversation, long? before = null, long? after = null, int? limit = null, CancellationToken cancellationToken = default)
    {
        var reply = await RequestAsync(new ClientFrame { Type = "history", Conversation = conversation, Before = before, After = after, Limit = limit }, false, cancellationToken).ConfigureAwait(false);
        return reply.Data is { } data ? data.Deserialize(ParleyJsonContext.Default.HistoryPage) ?? new HistoryPage([], false) : new HistoryPage([], false);
    }

    /// <summary>Who of a group is online now (the <c>online</c> command).</summary>
    /// <param name="groupId">Group id.</param>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>The online members.</returns>
    public async Task<IReadOnlyList<OnlineMember>> GetOnlineMembersAsync(long groupId, CancellationToken cancellationToken = default)
    {
        var reply = await RequestAsync(new ClientFrame { Type = "online", Group = groupId }, false, cancellationToken).ConfigureAwait(false);
        return reply.Data?.Deserialize(ParleyJsonContext.Default.OnlineResult)?.Users ?? [];
    }

    /// <summary>Sends a <c>ping</c> and waits for the <c>pong</c>.</summary>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>The round-trip time.</returns>
    public async Task<TimeSpan> PingAsync(CancellationToken cancellationToken = default)
    {
        var start = System.Diagnostics.Stopwatch.GetTimestamp();
        await RequestAsync(new ClientFrame { Type = "ping" }, false, cancellationToken).ConfigureAwait(false);
        return System.Diagnostics.Stopwatch.GetElapsedTime(start);
    }

    private async Task WriteOrThrowAsync(ClientFrame frame, CancellationToken ct)
    {
        var connection = _current ?? throw new ParleyConnectionException("Not connected.");
        await connection.WriteAsync(frame, ct).ConfigureAwait(false);
    }

    /// <summary>Sends a frame with a fresh id and waits for the reply carrying it.</summary>
    /// <param name="frame">The frame (its id is set here unless already set).</param>
    /// <param name="resend">Keep it across reconnects and resend it (sends only).</param>
    /// <param name="ct">Cancels waiting.</param>
    private async Task<ServerFrame> RequestAsync(ClientFrame frame, bool resend, CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        frame.Id ??= NextId(resend ? "m" : "r");
        var pending = new PendingRequest(frame, resend, Interlocked.Increment(ref _pendingOrder));
        if (_current is null && (!resend || State == ConnectionState.Disconnected))
        {
            throw new ParleyConnectionException("Not connected.");
        }

        _pending[frame.Id] = pending;
        try
        {
            // Read after registering: a reconnect that activates later resends everything registered by then.
            var connection = _current;
            if (connection is not null)
            {
                try
                {
                    await connection.WriteAsync(frame, ct).ConfigureAwait(false);
                }
                catch (ParleyConnectionException) when (resend)
                {
                    // Resent after the reconnect.
                }
            }

            return await pending.Completion.Task.WaitAsync(_options.RequestTimeout, ct).ConfigureAwait(false);
        }
        finally
        {
            _pending.TryRemove(frame.Id, out _);
        }
    }

    private void FailAllPending(Exception error, bool includeSends)
    {
        foreach (var pending in _pending.Values)
        {
            if (includeSends || !pending.Resend)
            {
                pending.Completion.TrySetException(error);
            }
        }
    }

    private sealed class PendingRequest(ClientFrame frame, bool resend, long order)
    {
        public ClientFrame Frame { get; } = frame;
        public bool Resend { get; } = resend;
        public long Order { get; } = order;
        public TaskCompletionSource<ServerFrame> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
