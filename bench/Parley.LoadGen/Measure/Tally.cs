using System.Buffers.Text;
using System.Diagnostics;

namespace Parley.LoadGen.Measure;

/// <summary>
/// The accounting of one run, shared by every client: what each sender sent, which of it each intended receiver
/// got (exactly: lost and duplicates are counted per (sender, receiver, seq)), and the end-to-end latency of the
/// deliveries inside the measurement window. A message's text carries its stamp: sender, seq and send time.
/// </summary>
public sealed class Tally
{
    private readonly long[] _sent;
    private readonly Dictionary<int, SeenSet>[] _seen;
    private readonly int[][] _routes;
    private long _delivered, _duplicates, _acked, _errors, _windowDelivered, _foreign;
    private volatile bool _measuring;

    public Tally(int users)
    {
        _sent = new long[users];
        _seen = new Dictionary<int, SeenSet>[users];
        for (var i = 0; i < users; i++) _seen[i] = [];
        _routes = new int[users][];
        for (var i = 0; i < users; i++) _routes[i] = [];
    }

    public LatencyHistogram Latency { get; } = new();

    /// <summary>Called on the receiving client's loop for each first arrival (the closed loop's credit).</summary>
    public Action<int>? FirstArrival { get; set; }

    public long Delivered => Interlocked.Read(ref _delivered);
    public long Duplicates => Interlocked.Read(ref _duplicates);
    public long Acked => Interlocked.Read(ref _acked);
    public long Errors => Interlocked.Read(ref _errors);
    public long WindowDelivered => Interlocked.Read(ref _windowDelivered);
    /// <summary>Deliveries whose text was not a stamp of this run, or from a sender to a receiver it never addressed.</summary>
    public long Foreign => Interlocked.Read(ref _foreign);
    public long TotalSent
    {
        get
        {
            long total = 0;
            for (var i = 0; i < _sent.Length; i++) total += Interlocked.Read(ref _sent[i]);
            return total;
        }
    }

    /// <summary>Who receives what <paramref name="sender"/> sends (set before it sends).</summary>
    public void Route(int sender, params int[] receivers) => _routes[sender] = receivers;

    public void StartWindow() => _measuring = true;
    public void StopWindow() => _measuring = false;

    /// <summary>Claims the next sequence number of <paramref name="sender"/> (one sending loop per sender).</summary>
    public long NextSeq(int sender) => Interlocked.Increment(ref _sent[sender]) - 1;

    public long SentBy(int sender) => Interlocked.Read(ref _sent[sender]);

    public void Ack() => Interlocked.Increment(ref _acked);

    public void Error() => Interlocked.Increment(ref _errors);

    /// <summary>Writes the stamp at the start of a message text; returns the bytes written.</summary>
    public static int WriteStamp(Span<byte> destination, int sender, long seq, long timestamp)
    {
        var n = 0;
        Utf8Formatter.TryFormat(sender, destination, out var w); n += w; destination[n++] = (byte)'.';
        Utf8Formatter.TryFormat(seq, destination[n..], out w); n += w; destination[n++] = (byte)'.';
        Utf8Formatter.TryFormat(timestamp, destination[n..], out w); n += w; destination[n++] = (byte)'.';
        return n;
    }

    public static bool TryReadStamp(ReadOnlySpan<byte> text, out int sender, out long seq, out long timestamp)
    {
        seq = timestamp = 0;
        if (!Utf8Parser.TryParse(text, out sender, out var n) || n >= text.Length || text[n] != '.') return false;
        text = text[(n + 1)..];
        if (!Utf8Parser.TryParse(text, out seq, out n) || n >= text.Length || text[n] != '.') return false;
        text = text[(n + 1)..];
        return Utf8Parser.TryParse(text, out timestamp, out n) && n < text.Length && text[n] == '.' && sender >= 0 && seq >= 0;
    }

    /// <summary>A delivery to <paramref name="receiver"/>; call only from that receiver's loop.</summary>
    public void Arrived(int receiver, ReadOnlySpan<byte> text)
    {
        if (!TryReadStamp(text, out var sender, out var seq, out var sentAt) || (uint)sender >= (uint)_sent.Length)
        {
            Interlocked.Increment(ref _foreign);
            return;
        }
        var now = Stopwatch.GetTimestamp();
        var map = _seen[receiver];
        SeenSet? set;
        lock (map)
        {
            if (!map.TryGetValue(sender, out set)) map[sender] = set = new SeenSet();
            if (!set.Mark(seq))
            {
                Interlocked.Increment(ref _duplicates);
                return;
            }
        }
        Interlocked.Increment(ref _delivered);
        if (_measuring)
        {
            Interlocked.Increment(ref _windowDelivered);
            Latency.RecordMicros((now - sentAt) * 1_000_000 / Stopwatch.Frequency);
        }
        FirstArrival?.Invoke(sender);
    }

    /// <summary>Messages sent and not (yet) received, over every sender's routes.</summary>
    public long Lost()
    {
        long lost = 0;
        for (var s = 0; s < _sent.Length; s++)
        {
            var sent = Interlocked.Read(ref _sent[s]);
            if (sent == 0) continue;
            foreach (var r in _routes[s])
            {
                var map = _seen[r];
                lock (map) lost += map.TryGetValue(s, out var set) ? set.MissingBelow(sent) : sent;
            }
        }
        return lost;
    }

    /// <summary>Deliveries expected over every route.</summary>
    public long Expected()
    {
        long expected = 0;
        for (var s = 0; s < _sent.Length; s++) expected += Interlocked.Read(ref _sent[s]) * _routes[s].Length;
        return expected;
    }
}
