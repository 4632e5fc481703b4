namespace Parley.LoadGen.Measure;

/// <summary>
/// Which sequence numbers (0, 1, 2 …) of one sender have arrived at one receiver: a growable bit set, so loss and
/// duplicates are counted exactly whatever the arrival order. Not thread-safe: one receiver's connection reads it.
/// </summary>
public sealed class SeenSet
{
    private ulong[] _bits = new ulong[2];

    /// <summary>Distinct sequence numbers marked.</summary>
    public long Count { get; private set; }

    /// <summary>Marks <paramref name="seq"/>; false when it was already marked (a duplicate).</summary>
    public bool Mark(long seq)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(seq);
        var word = (int)(seq >> 6);
        if (word >= _bits.Length) Array.Resize(ref _bits, Math.Max(word + 1, _bits.Length * 2));
        var mask = 1UL << (int)(seq & 63);
        if ((_bits[word] & mask) != 0) return false;
        _bits[word] |= mask;
        Count++;
        return true;
    }

    public bool Contains(long seq)
    {
        if (seq < 0) return false;
        var word = (int)(seq >> 6);
        return word < _bits.Length && (_bits[word] & (1UL << (int)(seq & 63))) != 0;
    }

    /// <summary>How many of 0 … <paramref name="sent"/> − 1 are not marked.</summary>
    public long MissingBelow(long sent)
    {
        long present = 0;
        var fullWords = (int)Math.Min(sent >> 6, _bits.Length);
        for (var i = 0; i < fullWords; i++) present += System.Numerics.BitOperations.PopCount(_bits[i]);
        for (var s = (long)fullWords << 6; s < sent; s++) if (Contains(s)) present++;
        return sent - present;
    }
}
