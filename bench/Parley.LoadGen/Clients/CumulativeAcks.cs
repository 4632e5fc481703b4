using System.Diagnostics;

namespace Parley.LoadGen.Clients;

/// <summary>
/// The highest seq received per conversation, sent as one cumulative ack per conversation at most every
/// <c>delay</c> (as the C# SDK does with its AckDelay); zero delay = after every receive batch.
/// </summary>
internal sealed class CumulativeAcks(TimeSpan delay)
{
    private readonly long _delayTicks = (long)(delay.TotalSeconds * Stopwatch.Frequency);
    private readonly Lock _gate = new();
    private Dictionary<string, long>? _due;
    private long _lastFlush;

    public void Received(ReadOnlySpan<byte> conversation, long seq)
    {
        lock (_gate)
        {
            _due ??= new Dictionary<string, long>(StringComparer.Ordinal);
            var lookup = _due.GetAlternateLookup<ReadOnlySpan<char>>();
            Span<char> chars = stackalloc char[conversation.Length];
            for (var i = 0; i < conversation.Length; i++) chars[i] = (char)conversation[i];
            if (!lookup.TryGetValue(chars, out var current) || seq > current) lookup[chars] = seq;
        }
    }

    /// <summary>The acks to send now, if any are due.</summary>
    public List<(string Conversation, long Seq)>? TakeDue(long now)
    {
        lock (_gate)
        {
            if (_due is not { Count: > 0 } || now - _lastFlush < _delayTicks) return null;
            _lastFlush = now;
            var list = _due.Select(e => (e.Key, e.Value)).ToList();
            _due.Clear();
            return list;
        }
    }
}
