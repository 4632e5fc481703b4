using System.Buffers;
using System.Buffers.Text;
using System.Diagnostics;
using System.Text.Json;
using Parley.LoadGen.Net;

namespace Parley.LoadGen.Clients;

/// <summary>Parley's native JSON protocol at /ws: send with a clientMsgId, durable ack, message, cumulative ack.</summary>
public sealed class NativeClient(LoadUser user, ClientContext context) : WebSocketConnection, ILoadClient
{
    private readonly TaskCompletionSource _welcome = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CumulativeAcks _acks = new(context.AckDelay);

    public LoadUser User { get; } = user;

    public async Task ConnectAsync(CancellationToken ct)
    {
        await UpgradeAsync(context.Endpoints.Http, context.Endpoints.SourceFor(User.Index), "/ws?access_token=" + User.Token, null, ct);
        await _welcome.Task.WaitAsync(ct);
    }

    public void SendDirect(LoadUser to, long seq, long timestamp) =>
        SendText((this, to.Id, 0L, seq, timestamp), static (w, s) => s.Item1.WriteSend(w, s.Item2, s.Item3, s.seq, s.timestamp));

    public void SendGroup(long groupId, long seq, long timestamp) =>
        SendText((this, 0L, groupId, seq, timestamp), static (w, s) => s.Item1.WriteSend(w, s.Item2, s.Item3, s.seq, s.timestamp));

    private void WriteSend(IBufferWriter<byte> w, long to, long group, long seq, long timestamp)
    {
        w.Write("{\"type\":\"send\","u8);
        if (group > 0) { w.Write("\"group\":"u8); WriteNumber(w, group); }
        else { w.Write("\"to\":"u8); WriteNumber(w, to); }
        w.Write(",\"clientMsgId\":\""u8);
        WriteClientMsgId(w, User.Index, seq, timestamp);
        w.Write("\",\"text\":\""u8);
        MessageText.Write(w, User.Index, seq, timestamp, context.TextLength);
        w.Write("\"}"u8);
    }

    /// <summary>
    /// A client message id that starts with the send time, as the C# SDK's UUIDv7 ids do (then the user and the
    /// sequence, for uniqueness): ids sort in the order they were made.
    /// </summary>
    internal static void WriteClientMsgId(IBufferWriter<byte> w, int user, long seq, long timestamp)
    {
        Utf8Formatter.TryFormat(timestamp, w.GetSpan(16), out var n, new StandardFormat('X', 16));
        w.Advance(n);
        w.Write("-"u8);
        WriteNumber(w, user);
        w.Write("-"u8);
        WriteNumber(w, seq);
    }

    internal static void WriteNumber(IBufferWriter<byte> w, long value)
    {
        Utf8Formatter.TryFormat(value, w.GetSpan(20), out var n);
        w.Advance(n);
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
                w.Write("{\"type\":\"ack\",\"conversation\":\""u8);
                MessageText.WriteAscii(w, s.conversation);
                w.Write("\",\"seq\":"u8);
                WriteNumber(w, s.seq);
                w.Write("}"u8);
            });
        }
    }

    protected override void OnMessage(ReadOnlySpan<byte> payload, bool text)
    {
        var reader = new Utf8JsonReader(payload);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return;
        if (!reader.Read() || !reader.ValueTextEquals("type"u8) || !reader.Read()) return;
        if (reader.ValueTextEquals("message"u8)) OnChatMessage(ref reader);
        else if (reader.ValueTextEquals("ack"u8)) context.Tally.Ack();
        else if (reader.ValueTextEquals("welcome"u8)) _welcome.TrySetResult();
        else if (reader.ValueTextEquals("error"u8)) context.Errors.Add("native error: " + System.Text.Encoding.UTF8.GetString(payload));
    }

    private void OnChatMessage(ref Utf8JsonReader reader)
    {
        ChatMessageJson.Read(ref reader, out var conversation, out var seq, out var textValue);
        context.Tally.Arrived(User.Index, textValue);
        if (seq >= 0 && !conversation.IsEmpty) _acks.Received(conversation, seq);
    }

    public Task CloseAsync() => CloseAsync(TimeSpan.FromSeconds(3));
}
