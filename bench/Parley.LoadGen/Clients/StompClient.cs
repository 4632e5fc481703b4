using System.Buffers;
using System.Diagnostics;
using System.Text.Json;
using Parley.LoadGen.Net;

namespace Parley.LoadGen.Clients;

/// <summary>
/// STOMP 1.2 over WebSocket at /stomp: CONNECT with the JWT, subscriptions to the user's messages, receipts and
/// errors, SEND to /app/chat/{id} or /app/groups/{id} with a clientMsgId, cumulative acks to /app/ack.
/// </summary>
public sealed class StompClient(LoadUser user, ClientContext context) : WebSocketConnection, ILoadClient
{
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CumulativeAcks _acks = new(context.AckDelay);

    public LoadUser User { get; } = user;

    public async Task ConnectAsync(CancellationToken ct)
    {
        await UpgradeAsync(context.Endpoints.Http, context.Endpoints.SourceFor(User.Index), "/stomp", "v12.stomp", ct);
        SendFrame("CONNECT\naccept-version:1.2\nhost:localhost\nheart-beat:0,0\nAuthorization:Bearer " + User.Token + "\n\n");
        SendFrame("SUBSCRIBE\nid:0\ndestination:/user/queue/messages\n\n");
        SendFrame("SUBSCRIBE\nid:1\ndestination:/user/queue/receipts\n\n");
        SendFrame("SUBSCRIBE\nid:2\ndestination:/user/queue/errors\nreceipt:ready\n\n");
        await _ready.Task.WaitAsync(ct);
    }

    private void SendFrame(string headersAndBlankLine) =>
        SendText(headersAndBlankLine, static (w, s) =>
        {
            MessageText.WriteAscii(w, s);
            w.Write((ReadOnlySpan<byte>)[0]);
        });

    public void SendDirect(LoadUser to, long seq, long timestamp) =>
        SendText((this, "/app/chat/", to.Id, seq, timestamp), static (w, s) => s.Item1.WriteSend(w, s.Item2, s.Item3, s.seq, s.timestamp));

    public void SendGroup(long groupId, long seq, long timestamp) =>
        SendText((this, "/app/groups/", groupId, seq, timestamp), static (w, s) => s.Item1.WriteSend(w, s.Item2, s.Item3, s.seq, s.timestamp));

    private void WriteSend(IBufferWriter<byte> w, string prefix, long target, long seq, long timestamp)
    {
        w.Write("SEND\ndestination:"u8);
        MessageText.WriteAscii(w, prefix);
        NativeClient.WriteNumber(w, target);
        w.Write("\ncontent-type:application/json\n\n{\"clientMsgId\":\""u8);
        NativeClient.WriteClientMsgId(w, User.Index, seq, timestamp);
        w.Write("\",\"text\":\""u8);
        MessageText.Write(w, User.Index, seq, timestamp, context.TextLength);
        w.Write("\"}\0"u8);
    }

    public void Tick(long now) => FlushAcks(now);

    protected override void AfterBatch() => FlushAcks(Stopwatch.GetTimestamp());

    private void FlushAcks(long now)
    {
        if (_acks.TakeDue(now) is not { } due) return;
        foreach (var (conversation, seq) in due)
        {
            SendText((conversation, seq), static (w, s) =>
            {
                w.Write("SEND\ndestination:/app/ack\ncontent-type:application/json\n\n{\"conversation\":\""u8);
                MessageText.WriteAscii(w, s.conversation);
                w.Write("\",\"seq\":"u8);
                NativeClient.WriteNumber(w, s.seq);
                w.Write("}\0"u8);
            });
        }
    }

    protected override void OnMessage(ReadOnlySpan<byte> payload, bool text)
    {
        while (!payload.IsEmpty)
        {
            // Heart-beat EOLs between frames.
            var start = 0;
            while (start < payload.Length && payload[start] is (byte)'\n' or (byte)'\r') start++;
            payload = payload[start..];
            if (payload.IsEmpty) return;
            var nul = payload.IndexOf((byte)0);
            var frame = nul < 0 ? payload : payload[..nul];
            OnFrame(frame);
            payload = nul < 0 ? default : payload[(nul + 1)..];
        }
    }

    private void OnFrame(ReadOnlySpan<byte> frame)
    {
        var headerEnd = frame.IndexOf("\n\n"u8);
        if (headerEnd < 0) return;
        var head = frame[..headerEnd];
        var body = frame[(headerEnd + 2)..];
        var commandEnd = head.IndexOf((byte)'\n');
        var command = commandEnd < 0 ? head : head[..commandEnd];
        if (command.SequenceEqual("MESSAGE"u8))
        {
            if (head.IndexOf("\nsubscription:0"u8) >= 0) OnChatMessage(body);
            else if (head.IndexOf("\nsubscription:1"u8) >= 0) context.Tally.Ack();
            else context.Errors.Add("stomp error: " + System.Text.Encoding.UTF8.GetString(body));
        }
        else if (command.SequenceEqual("RECEIPT"u8) || command.SequenceEqual("CONNECTED"u8))
        {
            if (head.IndexOf("receipt-id:ready"u8) >= 0) _ready.TrySetResult();
        }
        else if (command.SequenceEqual("ERROR"u8))
        {
            var error = System.Text.Encoding.UTF8.GetString(frame).Replace('\n', ' ');
            context.Errors.Add("stomp ERROR: " + error);
            _ready.TrySetException(new InvalidOperationException(error));
        }
    }

    private void OnChatMessage(ReadOnlySpan<byte> body)
    {
        var reader = new Utf8JsonReader(body);
        ChatMessageJson.Read(ref reader, out var conversation, out var seq, out var textValue);
        context.Tally.Arrived(User.Index, textValue);
        if (seq >= 0 && !conversation.IsEmpty) _acks.Received(conversation, seq);
    }

    public Task CloseAsync() => CloseAsync(TimeSpan.FromSeconds(3));
}
