using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Parley.Transports.MobileImSdk;

/// <summary>
/// The client message id a MobileIMSDK sender's fp is stored under, remembered for as long as the sender may resend
/// that fp. The Java SDK's fps are random UUIDs; stored as they are, each one lands on a random page of the store's
/// idempotency index, so every commit dirtied (and often first read) one index page per message. Here the stored id
/// is time-first — <c>~</c>, the first sight in Unix ms as 11 hex digits, then the fp — and appends at the index's
/// right edge. A resend must find the same id, so the fp's first sight is kept in memory for the resend window,
/// and reloaded from the store's own index after a restart (<see cref="Load"/>).
/// </summary>
/// <remarks>
/// Two generations, swapped every window: an entry lives between one and two windows, with no per-entry sweep.
/// An entry is a 64-bit keyed hash of the sender's id and the fp: 21-43 bytes in a <see cref="FirstSightTable"/>.
/// Two fps whose hashes collide share a first sight: each still gets an id of its own (the id ends with the fp),
/// with the other's time in front, and a resend of either finds the same id again.
/// </remarks>
internal sealed class FingerprintWindow(long windowMs)
{
    public const char Marker = '~';
    private const int TimeDigits = 11;
    private const int Prefix = 1 + TimeDigits;
    private const int MaxClientMsgId = 64;
    private const int MaxFp = MaxClientMsgId - Prefix;
    // Ids stamped before the clock was set back (an NTP step across the restart) are reloaded too.
    private const long ClockSkewMs = 60_000;

    private readonly Lock _gate = new();
    private FirstSightTable _current = new();
    private FirstSightTable _previous = new();
    private long _rotatedAtMs = long.MinValue;

    public int Count
    {
        get { lock (_gate) return _current.Count + _previous.Count; }
    }

    /// <summary>The client message id for this fp: the one its first copy got if seen within the window, else a new one.</summary>
    public string ClientMsgIdOf(long userId, string fp, long nowMs)
    {
        // Keyed on the form that is stored, so that ids reloaded from the store (Load) are found again.
        var kept = Kept(fp);
        var key = KeyOf(userId, Digest(kept));
        long firstSeen;
        lock (_gate)
        {
            Rotate(nowMs);
            if (!_current.TryGetValue(key, out firstSeen) && !_previous.TryGetValue(key, out firstSeen))
            {
                firstSeen = nowMs;
                _current.TryAdd(key, nowMs);
            }
        }
        return string.Concat(Marker.ToString(), Hex(firstSeen), kept);
    }

    /// <summary>Remembers ids the store already holds (after a restart); ids of another form are ignored.</summary>
    public void Load(IEnumerable<(long SenderId, string ClientMsgId)> stored, long nowMs)
    {
        lock (_gate)
        {
            Rotate(nowMs);
            foreach (var (sender, id) in stored)
            {
                if (!TryParse(id, out var firstSeen, out var fp) || nowMs - firstSeen > windowMs) continue;
                _current.TryAdd(KeyOf(sender, Digest(fp)), firstSeen);
            }
        }
    }

    /// <summary>The range of stored ids that can still be resent at <paramref name="nowMs"/>: [from, to).</summary>
    public (string From, string To) LoadRange(long nowMs) =>
        (Marker + Hex(Math.Max(0, nowMs - windowMs)), Marker + Hex(nowMs + ClockSkewMs) + Marker);

    /// <summary>The fp inside a time-first id, or the id itself when it is of another form.</summary>
    public static string FpOf(string clientMsgId) => TryParse(clientMsgId, out _, out var fp) ? fp : clientMsgId;

    // Too long for the store's 64 characters: a digest stands in, as for long ids before (the receiver then gets the
    // message id as its fp).
    private static string Kept(string fp) =>
        fp.Length <= MaxFp ? fp : "h" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(fp)))[..(MaxFp - 1)];

    private static bool TryParse(string id, out long firstSeenMs, out string fp)
    {
        firstSeenMs = 0;
        fp = "";
        if (id.Length <= Prefix || id[0] != Marker) return false;
        if (!long.TryParse(id.AsSpan(1, TimeDigits), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out firstSeenMs)) return false;
        fp = id[Prefix..];
        return true;
    }

    private static string Hex(long ms) => ms.ToString("x11", CultureInfo.InvariantCulture);

    private static Guid Digest(string fp)
    {
        if (fp.Length == 36 && Guid.TryParseExact(fp, "D", out var guid)) return guid;
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(fp), hash);
        return new Guid(hash[..16]);
    }

    // HashCode's seed is random per process, so fps chosen to collide cannot be prepared in advance; the table is
    // rebuilt from the store after a restart (Load), under the new seed.
    private static ulong KeyOf(long userId, Guid digest)
    {
        Span<ulong> fp = stackalloc ulong[2];
        digest.TryWriteBytes(System.Runtime.InteropServices.MemoryMarshal.AsBytes(fp));
        var key = (ulong)(uint)Mix(userId, fp[0], fp[1], 1) << 32 | (uint)Mix(userId, fp[0], fp[1], 2);
        return key == 0 ? 1 : key;
    }

    private static int Mix(long userId, ulong a, ulong b, int salt)
    {
        var hash = new HashCode();
        hash.Add(salt);
        hash.Add((int)userId);
        hash.Add((int)(userId >> 32));
        hash.Add((int)a);
        hash.Add((int)(a >> 32));
        hash.Add((int)b);
        hash.Add((int)(b >> 32));
        return hash.ToHashCode();
    }

    private void Rotate(long nowMs)
    {
        if (_rotatedAtMs == long.MinValue)
        {
            _rotatedAtMs = nowMs;
            return;
        }
        if (nowMs - _rotatedAtMs < windowMs) return;
        // More than two windows since the last swap: both generations are out of date.
        if (nowMs - _rotatedAtMs >= 2 * windowMs) _current.Clear();
        (_previous, _current) = (_current, _previous);
        _current.Clear();
        _rotatedAtMs = nowMs;
    }
}
