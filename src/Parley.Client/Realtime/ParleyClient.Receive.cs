using System.Text.Json;
using Parley.Client.Realtime;
using Parley.Client.Serialization;

namespace Parley.Client;

public sealed partial class ParleyClient
{
    private readonly Lock _ackLock = new();
    private readonly Dictionary<string, long> _ackDirty = new(StringComparer.Ordinal);
    private bool _ackScheduled;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte> _activeSyncIds = new(StringComparer.Ordinal);

    /// <summary>A sync is in flight (from its request until its final <c>synced</c>, including the gaps between rounds).</summary>
    private bool SyncActive => !_activeSyncIds.IsEmpty;

    /// <summary>Handles one server frame on the receive loop.</summary>
    private void Dispatch(ServerFrame frame)
    {
        switch (frame.Type)
        {
            case "message":
                OnMessage(frame);
                break;
            case "ack":
                OnAck(frame);
                break;
            case "synced":
                OnSynced(frame);
                break;
            case "result":
            case "pong":
                Complete(frame);
                break;
            case "error":
                OnError(frame);
                break;
            case "receipt":
                Raise(ReceiptReceived, new ReceiptInfo(frame.Conversation ?? "", frame.Seq ?? 0, frame.User ?? 0, frame.UserName, frame.Status ?? ""));
                break;
            case "presence":
                Raise(PresenceChanged, new PresenceInfo(frame.User ?? 0, frame.UserName, frame.Online ?? false));
                break;
            case "typing":
                Raise(TypingReceived, new TypingInfo(frame.Conversation ?? "", frame.User ?? 0, frame.UserName));
                break;
            case "welcome":
                break;
            default:
                Diag($"ignoring frame of type {frame.Type}");
                break;
        }
    }

    private void OnMessage(ServerFrame frame)
    {
        ChatMessage? message = null;
        try
        {
            message = frame.Message?.Deserialize(ParleyJsonContext.Default.ChatMessage);
        }
        catch (JsonException ex)
        {
            Diag($"bad message frame: {ex.Message}");
        }

        if (message?.Conversation is null)
        {
            return;
        }

        var deliver = new List<ChatMessage>();
        bool gap;
        lock (_sequencerLock)
        {
            gap = _sequencer.Offer(message, SyncActive, deliver);
        }

        Deliver(deliver);
        if (gap)
        {
            Diag($"gap in {message.Conversation} before seq {message.Seq}; syncing");
            StartSync();
        }
    }

    private void OnAck(ServerFrame frame)
    {
        if (frame.Conversation is { } conversation && frame.Seq is { } seq)
        {
            var deliver = new List<ChatMessage>();
            lock (_sequencerLock)
            {
                _sequencer.OnOwnAck(conversation, seq, SyncActive, deliver);
            }

            Deliver(deliver);
        }

        if (!Complete(frame) && frame.ClientMsgId is { } clientMsgId)
        {
            var pending = _pending.Values.FirstOrDefault(p => p.Frame.ClientMsgId == clientMsgId);
            pending?.Completion.TrySetResult(frame);
        }
    }

    private void OnSynced(ServerFrame frame)
    {
        var deliver = new List<ChatMessage>();
        lock (_sequencerLock)
        {
            _sequencer.OnSynced(deliver);
        }

        // Ended here, on the receive loop, so that later live frames already see the final state.
        if (frame.More != true && frame.Id is { } id)
        {
            _activeSyncIds.TryRemove(id, out _);
        }

        Deliver(deliver, scheduleAck: false);
        Complete(frame);
        if (!SyncActive)
        {
            ScheduleAckFlush(immediate: true);
        }
    }

    private void OnError(ServerFrame frame)
    {
        string? text = null;
        if (frame.Message is { ValueKind: JsonValueKind.String } m)
        {
            text = m.GetString();
        }

        var error = new ParleyRequestException(frame.Code ?? 0, text);
        if (frame.Id is { } id && _pending.TryGetValue(id, out var pending))
        {
            pending.Completion.TrySetException(error);
            return;
        }

        Raise(ErrorReceived, new ServerError(frame.Id, frame.Code ?? 0, text));
    }

    private bool Complete(ServerFrame frame)
    {
        if (frame.Id is { } id && _pending.TryGetValue(id, out var pending))
        {
            return pending.Completion.TrySetResult(frame);
        }

        return false;
    }

    private void Deliver(List<ChatMessage> messages, bool scheduleAck = true)
    {
        if (messages.Count == 0)
        {
            return;
        }

        foreach (var message in messages)
        {
            Raise(MessageReceived, message);
        }

        if (!_options.AutoAcknowledge)
        {
            return;
        }

        lock (_ackLock)
        {
            foreach (var message in messages)
            {
                if (!_ackDirty.TryGetValue(message.Conversation, out var seq) || seq < message.Seq)
                {
                    _ackDirty[message.Conversation] = message.Seq;
                }
            }
        }

        if (scheduleAck && !SyncActive)
        {
            ScheduleAckFlush(immediate: false);
        }
    }

    private void ScheduleAckFlush(bool immediate)
    {
        lock (_ackLock)
        {
            if (_ackScheduled || _ackDirty.Count == 0)
            {
                return;
            }

            _ackScheduled = true;
        }

        _ = FlushAcksAsync(immediate ? TimeSpan.Zero : _options.AckDelay);
    }

    private async Task FlushAcksAsync(TimeSpan delay)
    {
        if (delay > TimeSpan.Zero)
        {
            await Task.Delay(delay).ConfigureAwait(false);
        }

        KeyValuePair<string, long>[] acks;
        lock (_ackLock)
        {
            acks = [.. _ackDirty];
            _ackDirty.Clear();
            _ackScheduled = false;
        }

        var connection = _current;
        if (connection is null)
        {
            return; // the next sync covers it
        }

        try
        {
            foreach (var (conversation, seq) in acks)
            {
                await connection.WriteAsync(new ClientFrame { Type = "ack", Conversation = conversation, Seq = seq }, connection.Lifetime.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is ParleyConnectionException or OperationCanceledException)
        {
            Diag("could not send acks: " + ex.Message);
        }
    }

    /// <summary>Starts a background sync (for a gap); registered synchronously so deliveries wait for its start point.</summary>
    private void StartSync()
    {
        var syncId = BeginSync();
        var connection = _current;
        _ = Task.Run(async () =>
        {
            try
            {
                if (connection is not null)
                {
                    await SyncLoopAsync(syncId, connection.Lifetime.Token).ConfigureAwait(false);
                }
            }
            catch (Exception ex)
            {
                Diag("sync failed: " + ex.Message);
            }
            finally
            {
                EndSync(syncId);
            }
        });
    }

    private string BeginSync()
    {
        var id = NextId("s");
        _activeSyncIds[id] = 0;
        return id;
    }

    private void EndSync(string id)
    {
        if (_activeSyncIds.TryRemove(id, out _) && _activeSyncIds.IsEmpty)
        {
            ScheduleAckFlush(immediate: true);
        }
    }

    /// <summary>Sends <c>sync</c> with all known cursors and repeats while the server says <c>more</c>.</summary>
    /// <param name="syncId">The registered id of the first round; each round registers the next before ending the last.</param>
    /// <param name="ct">Cancels the loop.</param>
    private async Task SyncLoopAsync(string syncId, CancellationToken ct)
    {
        var cursors = new Dictionary<string, long>(GetCursors());
        try
        {
            while (true)
            {
                var reply = await RequestAsync(new ClientFrame { Type = "sync", Id = syncId, Cursors = cursors, Limit = _options.SyncLimit }, false, ct).ConfigureAwait(false);
                if (reply.More != true)
                {
                    return;
                }

                var next = BeginSync();
                EndSync(syncId);
                syncId = next;
                cursors = new Dictionary<string, long>(GetCursors());
                foreach (var (conversation, seq) in reply.Cursors ?? [])
                {
                    if (!cursors.TryGetValue(conversation, out var mine) || mine < seq)
                    {
                        cursors[conversation] = seq;
                    }
                }
            }
        }
        finally
        {
            EndSync(syncId);
        }
    }
}
