using System.Text.Json;
using Parley.Client.Realtime;
using Parley.Client.Serialization;

namespace Parley.Client;

public sealed partial class ParleyClient
{
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
            case "removed":
                Raise(MessageRemoved, new RemovalInfo(frame.Conversation ?? "", frame.Seq ?? 0, frame.MessageId ?? "", frame.By ?? 0, frame.ByName));
                break;
            case "notice":
                Raise(NoticeReceived, new NoticeInfo(frame.Kind ?? "", frame.User ?? 0, frame.UserName, frame.RequestId, frame.Group, frame.GroupName));
                break;
            case "call":
                OnCall(frame);
                break;
            case "callCancel":
                OnCallCancel(frame);
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
            bool unknownStart;
            lock (_sequencerLock)
            {
                unknownStart = _sequencer.OnOwnAck(conversation, seq, SyncActive, deliver);
            }

            Deliver(deliver);
            if (unknownStart)
            {
                Diag($"{conversation} first seen at own seq {seq}; syncing for what came before");
                StartSync();
            }
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
}
