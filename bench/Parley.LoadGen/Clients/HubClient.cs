using System.Buffers;
using System.Diagnostics;
using System.Text.Json;
using Parley.LoadGen.Net;

namespace Parley.LoadGen.Clients;

/// <summary>
/// The baseline's client: the SignalR JSON hub protocol over a plain WebSocket (no negotiate): handshake, then
/// invocation records separated by 0x1E. Send(to, text) and SendGroup(group, text) are fire-and-forget, as the
/// baseline guarantees nothing; deliveries arrive as the "m" target.
/// </summary>
public sealed class HubClient(LoadUser user, ClientContext context) : WebSocketConnection, ILoadClient
{
    public const string Group = "g";
    private const byte RecordSeparator = 0x1E;
    private static readonly long PingEvery = Stopwatch.Frequency * 10;
    private readonly TaskCompletionSource _handshake = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _joined = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _lastSent = Stopwatch.GetTimestamp();

    public LoadUser User { get; } = user;

    public async Task ConnectAsync(CancellationToken ct)
    {
        await UpgradeAsync(context.Endpoints.Http, context.Endpoints.SourceFor(User.Index), "/hub?user=" + User.Name, null, ct);
        SendRecord("{\"protocol\":\"json\",\"version\":1}"u8.ToArray());
        await _handshake.Task.WaitAsync(ct);
    }

    /// <summary>Joins the fan-out group; completes when the hub confirmed.</summary>
    public Task JoinGroupAsync(CancellationToken ct)
    {
        SendRecord("{\"type\":1,\"invocationId\":\"join\",\"target\":\"Join\",\"arguments\":[\"g\"]}"u8.ToArray());
        return _joined.Task.WaitAsync(ct);
    }

    private void SendRecord(byte[] json) => SendText(json, static (w, s) =>
    {
        w.Write(s);
        w.Write([RecordSeparator]);
    });

    public void SendDirect(LoadUser to, long seq, long timestamp)
    {
        Volatile.Write(ref _lastSent, timestamp);
        SendText((this, to.Name, seq, timestamp), static (w, s) =>
        {
            w.Write("{\"type\":1,\"target\":\"Send\",\"arguments\":[\""u8);
            MessageText.WriteAscii(w, s.Name);
            w.Write("\",\""u8);
            MessageText.Write(w, s.Item1.User.Index, s.seq, s.timestamp, s.Item1.TextLength);
            w.Write("\"]}\u001e"u8);
        });
    }

    public void SendGroup(long groupId, long seq, long timestamp)
    {
        Volatile.Write(ref _lastSent, timestamp);
        SendText((this, seq, timestamp), static (w, s) =>
        {
            w.Write("{\"type\":1,\"target\":\"SendGroup\",\"arguments\":[\"g\",\""u8);
            MessageText.Write(w, s.Item1.User.Index, s.seq, s.timestamp, s.Item1.TextLength);
            w.Write("\"]}\u001e"u8);
        });
    }

    private int TextLength => context.TextLength;

    /// <summary>The hub closes a client silent for 30 s: ping every 10 s when not sending.</summary>
    public void Tick(long now)
    {
        if (now - Volatile.Read(ref _lastSent) < PingEvery) return;
        Volatile.Write(ref _lastSent, now);
        SendRecord("{\"type\":6}"u8.ToArray());
    }

    protected override void OnMessage(ReadOnlySpan<byte> payload, bool text)
    {
        while (!payload.IsEmpty)
        {
            var end = payload.IndexOf(RecordSeparator);
            if (end < 0) return;
            OnRecord(payload[..end]);
            payload = payload[(end + 1)..];
        }
    }

    private void OnRecord(ReadOnlySpan<byte> record)
    {
        if (!_handshake.Task.IsCompleted)
        {
            if (record.SequenceEqual("{}"u8)) _handshake.TrySetResult();
            else _handshake.TrySetException(new InvalidOperationException("hub handshake: " + System.Text.Encoding.UTF8.GetString(record)));
            return;
        }
        var reader = new Utf8JsonReader(record);
        int type = 0;
        string? target = null;
        ReadOnlySpan<byte> lastString = default;
        var argument = 0;
        var inArguments = false;
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 1)
            {
                if (reader.ValueTextEquals("type"u8)) { reader.Read(); type = reader.GetInt32(); }
                else if (reader.ValueTextEquals("target"u8)) { reader.Read(); target = reader.GetString(); }
                else if (reader.ValueTextEquals("arguments"u8)) inArguments = true;
                else if (reader.ValueTextEquals("error"u8)) { reader.Read(); context.Errors.Add("hub error: " + reader.GetString()); }
            }
            else if (inArguments && reader.TokenType == JsonTokenType.String && reader.CurrentDepth == 2)
            {
                if (argument++ == 1) lastString = reader.ValueSpan;
            }
            else if (inArguments && reader.TokenType == JsonTokenType.EndArray && reader.CurrentDepth == 1) inArguments = false;
        }
        switch (type)
        {
            case 1 when target == "m":
                context.Tally.Arrived(User.Index, lastString);
                break;
            case 3:
                _joined.TrySetResult();
                break;
            case 7:
                context.Errors.Add("hub close: " + System.Text.Encoding.UTF8.GetString(record));
                break;
        }
    }

    public Task CloseAsync() => CloseAsync(TimeSpan.FromSeconds(3));
}
