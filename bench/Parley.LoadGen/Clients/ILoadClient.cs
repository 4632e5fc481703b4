using System.Buffers;
using System.Net;
using Parley.LoadGen.Measure;

namespace Parley.LoadGen.Clients;

/// <summary>A user of the run: its index (the stamp's sender number), the server's id and name for it, a token.</summary>
public sealed record LoadUser(int Index, long Id, string Name, string Token);

/// <summary>Where the server under test listens, and the 127.0.0.x source addresses clients spread over.</summary>
public sealed record TargetEndpoints(IPEndPoint Http, IPEndPoint? MimUdp, IPEndPoint? MimTcp, IReadOnlyList<IPAddress>? SourceAddresses)
{
    public IPAddress? SourceFor(int index) => SourceAddresses is { Count: > 0 } s ? s[index % s.Count] : null;
}

/// <summary>The wire protocols the load generator speaks.</summary>
public enum WireProtocol
{
    Native,
    Stomp,
    MimUdp,
    MimTcp,
    MimWs,
    Hub,
}

/// <summary>One connected user, cheap enough to hold tens of thousands.</summary>
public interface ILoadClient
{
    LoadUser User { get; }

    /// <summary>Connects and authenticates; completes once the server accepted the user.</summary>
    Task ConnectAsync(CancellationToken ct);

    /// <summary>Queues a direct message stamped (sender, seq, timestamp) to <paramref name="to"/>.</summary>
    void SendDirect(LoadUser to, long seq, long timestamp);

    /// <summary>Queues a group message.</summary>
    void SendGroup(long groupId, long seq, long timestamp);

    /// <summary>Periodic work: keep-alives, delayed cumulative acks.</summary>
    void Tick(long now);

    bool IsClosed { get; }

    string? CloseReason { get; }

    Task CloseAsync();
}

/// <summary>What every client shares in a run.</summary>
public sealed record ClientContext(Tally Tally, TargetEndpoints Endpoints, int TextLength, TimeSpan AckDelay, ErrorLog Errors);

/// <summary>Message text: the stamp, then 'x' up to the configured length (JSON-safe, no escaping needed).</summary>
public static class MessageText
{
    public static void Write(IBufferWriter<byte> w, int sender, long seq, long timestamp, int length)
    {
        var span = w.GetSpan(Math.Max(length, 64));
        var n = Tally.WriteStamp(span, sender, seq, timestamp);
        if (length > n)
        {
            span[n..length].Fill((byte)'x');
            n = length;
        }
        w.Advance(n);
    }

    /// <summary>Writes a string of ASCII (names, ids, frames of the protocols) as bytes.</summary>
    public static void WriteAscii(IBufferWriter<byte> w, string s)
    {
        var span = w.GetSpan(s.Length);
        for (var i = 0; i < s.Length; i++) span[i] = (byte)s[i];
        w.Advance(s.Length);
    }

    public static string AsString(int sender, long seq, long timestamp, int length)
    {
        var w = new ArrayBufferWriter<byte>(Math.Max(length, 64));
        Write(w, sender, seq, timestamp, length);
        return System.Text.Encoding.ASCII.GetString(w.WrittenSpan);
    }
}

/// <summary>Errors reported by servers or connections: counted, and the first few distinct ones kept for the report.</summary>
public sealed class ErrorLog
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, int> _distinct = [];
    private long _count;

    public long Count => Interlocked.Read(ref _count);

    public void Add(string error)
    {
        Interlocked.Increment(ref _count);
        lock (_gate)
        {
            if (_distinct.TryGetValue(error, out var n)) _distinct[error] = n + 1;
            else if (_distinct.Count < 20) _distinct[error] = 1;
        }
    }

    public IReadOnlyList<string> Top()
    {
        lock (_gate) return _distinct.OrderByDescending(e => e.Value).Take(5).Select(e => $"{e.Value}x {e.Key}").ToList();
    }
}
