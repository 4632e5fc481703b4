namespace Parley.Transports.MobileImSdk;

/// <summary>
/// A map from a 64-bit key to a first-sight time, for <see cref="FingerprintWindow"/>: one array of 16-byte slots
/// probed linearly. At MobileIMSDK's message rates the window holds millions of fps; a <c>Dictionary</c> of them took
/// about 44 bytes an entry and two cache misses a look-up (its bucket and entry arrays), and the look-up was the
/// gateway's largest single cost. Not thread-safe: the window locks around it.
/// </summary>
internal sealed class FirstSightTable
{
    private const int MinCapacity = 1024;

    // Key 0 marks an empty slot; KeyOf never returns it.
    private Slot[] _slots = new Slot[MinCapacity];
    private int _count;

    public int Count => _count;

    public bool TryGetValue(ulong key, out long firstSeen)
    {
        var slots = _slots;
        var mask = slots.Length - 1;
        for (var i = (int)key & mask; ; i = (i + 1) & mask)
        {
            ref var slot = ref slots[i];
            if (slot.Key == key)
            {
                firstSeen = slot.FirstSeen;
                return true;
            }
            if (slot.Key == 0)
            {
                firstSeen = 0;
                return false;
            }
        }
    }

    /// <summary>Adds the key unless present; false (and the table unchanged) when it is.</summary>
    public bool TryAdd(ulong key, long firstSeen)
    {
        // Grown at three quarters full: a miss (every new fp is one) then probes a few slots of one or two cache lines.
        if (_count >= _slots.Length / 4 * 3) Resize(_slots.Length * 2);
        if (!Insert(_slots, key, firstSeen)) return false;
        _count++;
        return true;
    }

    /// <summary>Empties the table, giving back memory a burst left behind.</summary>
    public void Clear()
    {
        if (_count == 0) return;
        var fitting = Math.Max(MinCapacity, (int)Math.Min(1 << 30, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)_count * 2)));
        if (fitting < _slots.Length / 2) _slots = new Slot[fitting];
        else Array.Clear(_slots);
        _count = 0;
    }

    private void Resize(int capacity)
    {
        var slots = new Slot[capacity];
        foreach (var slot in _slots)
        {
            if (slot.Key != 0) Insert(slots, slot.Key, slot.FirstSeen);
        }
        _slots = slots;
    }

    private static bool Insert(Slot[] slots, ulong key, long firstSeen)
    {
        var mask = slots.Length - 1;
        for (var i = (int)key & mask; ; i = (i + 1) & mask)
        {
            ref var slot = ref slots[i];
            if (slot.Key == key) return false;
            if (slot.Key != 0) continue;
            slot = new Slot(key, firstSeen);
            return true;
        }
    }

    private readonly record struct Slot(ulong Key, long FirstSeen);
}
