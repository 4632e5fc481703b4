using System.Buffers;
using System.Text;

namespace Parley.Transports.WebSockets.Direct;

public enum UpgradeHeadStatus
{
    /// <summary>So far a WebSocket upgrade to a mapped path; more bytes are needed to decide.</summary>
    Incomplete,
    /// <summary>Anything else: the connection goes to Kestrel's HTTP stack untouched, which answers it as it would.</summary>
    NotUpgrade,
    /// <summary>A complete, well-formed upgrade request to a mapped path.</summary>
    Upgrade,
}

/// <summary>
/// What the upgrade handshake needs from a request head; the head itself is not kept. <paramref name="Accept"/> is the
/// Sec-WebSocket-Accept answer to the client's key, computed once while the key is validated.
/// </summary>
public sealed record UpgradeHead(string Path, string? Query, string Accept, string? Host, string? Authorization, string? Origin, string? SubProtocols, int Length);

/// <summary>
/// Recognises an HTTP/1.1 WebSocket upgrade (RFC 6455 §4.2.1) at the start of a connection. It is deliberately
/// narrow: only a plain, well-formed <c>GET</c> to an exact mapped path with no body qualifies. Every doubt (another
/// method or path, a second request line form, obs-fold, bare CR or LF, non-ASCII, a repeated singleton header, a
/// body, an invalid key, a head over <see cref="MaxHeadBytes"/>) answers <see cref="UpgradeHeadStatus.NotUpgrade"/>,
/// so Kestrel sees the untouched bytes and gives the answer it always gives. Never throws on any input.
/// </summary>
public static class UpgradeHeadParser
{
    /// <summary>Heads longer than this go to Kestrel (whose limits then apply).</summary>
    public const int MaxHeadBytes = 8 * 1024;
    /// <summary>As Kestrel's default <c>MaxRequestHeaderCount</c>.</summary>
    public const int MaxHeaders = 100;

    private static ReadOnlySpan<byte> Get => "GET "u8;
    private static ReadOnlySpan<byte> Version => " HTTP/1.1"u8;
    private static ReadOnlySpan<byte> Crlf => "\r\n"u8;
    private static ReadOnlySpan<byte> EndOfHead => "\r\n\r\n"u8;

    /// <param name="input">The bytes received so far.</param>
    /// <param name="paths">The mapped paths (exact, ordinal); the path returned is the mapped string itself.</param>
    public static UpgradeHeadStatus Parse(ReadOnlySequence<byte> input, ReadOnlySpan<string> paths, out UpgradeHead? head)
    {
        head = null;
        var available = (int)Math.Min(input.Length, MaxHeadBytes);
        if (input.IsSingleSegment) return Parse(input.FirstSpan[..available], paths, out head);
        var copy = ArrayPool<byte>.Shared.Rent(available);
        try
        {
            input.Slice(0, available).CopyTo(copy);
            return Parse(copy.AsSpan(0, available), paths, out head);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(copy);
        }
    }

    public static UpgradeHeadStatus Parse(ReadOnlySpan<byte> input, ReadOnlySpan<string> paths, out UpgradeHead? head)
    {
        head = null;
        if (input.Length > MaxHeadBytes) input = input[..MaxHeadBytes];
        var prefix = Math.Min(input.Length, Get.Length);
        if (!input[..prefix].SequenceEqual(Get[..prefix])) return UpgradeHeadStatus.NotUpgrade;
        // Only the head is checked: what follows it belongs to the WebSocket.
        var headEnd = input.IndexOf(EndOfHead);
        if (HasBareLineBreak(headEnd < 0 ? input : input[..(headEnd + EndOfHead.Length)])) return UpgradeHeadStatus.NotUpgrade;

        var lineEnd = input.IndexOf(Crlf);
        if (lineEnd < 0) return MoreOrGiveUp(input);
        var line = input[..lineEnd];
        if (!line.EndsWith(Version)) return UpgradeHeadStatus.NotUpgrade;
        var target = line[Get.Length..^Version.Length];
        if (target.IsEmpty || target[0] != (byte)'/' || !IsVisibleAscii(target)) return UpgradeHeadStatus.NotUpgrade;
        var q = target.IndexOf((byte)'?');
        var pathBytes = q < 0 ? target : target[..q];
        string? path = null;
        foreach (var mapped in paths)
        {
            if (Matches(pathBytes, mapped))
            {
                path = mapped;
                break;
            }
        }
        if (path is null) return UpgradeHeadStatus.NotUpgrade;

        var end = headEnd;
        if (end < 0) return MoreOrGiveUp(input);
        var length = end + EndOfHead.Length;
        var fields = input[(lineEnd + Crlf.Length)..(end + Crlf.Length)];

        string? key = null, host = null, authorization = null, origin = null, protocols = null;
        bool version = false, upgrade = false, connectionUpgrade = false;
        var count = 0;
        while (!fields.IsEmpty)
        {
            var next = fields.IndexOf(Crlf);
            var field = fields[..next];
            fields = fields[(next + Crlf.Length)..];
            if (++count > MaxHeaders) return UpgradeHeadStatus.NotUpgrade;
            var colon = field.IndexOf((byte)':');
            if (colon <= 0 || !IsToken(field[..colon])) return UpgradeHeadStatus.NotUpgrade;
            var name = field[..colon];
            var value = field[(colon + 1)..].Trim(" \t"u8);
            if (!IsFieldValue(value)) return UpgradeHeadStatus.NotUpgrade;
            if (Is(name, "host"))
            {
                if (host is not null || value.IsEmpty) return UpgradeHeadStatus.NotUpgrade;
                host = Encoding.ASCII.GetString(value);
            }
            else if (Is(name, "upgrade")) upgrade |= HasToken(value, "websocket");
            else if (Is(name, "connection")) connectionUpgrade |= HasToken(value, "upgrade");
            else if (Is(name, "sec-websocket-key"))
            {
                if (key is not null) return UpgradeHeadStatus.NotUpgrade;
                key = Encoding.ASCII.GetString(value);
            }
            else if (Is(name, "sec-websocket-version"))
            {
                if (version || !value.SequenceEqual("13"u8)) return UpgradeHeadStatus.NotUpgrade;
                version = true;
            }
            else if (Is(name, "authorization"))
            {
                if (authorization is not null) return UpgradeHeadStatus.NotUpgrade;
                authorization = Encoding.ASCII.GetString(value);
            }
            else if (Is(name, "origin"))
            {
                if (origin is not null) return UpgradeHeadStatus.NotUpgrade;
                origin = Encoding.ASCII.GetString(value);
            }
            else if (Is(name, "sec-websocket-protocol"))
            {
                var offered = Encoding.ASCII.GetString(value);
                protocols = protocols is null ? offered : protocols + ", " + offered;
            }
            // A body on an upgrade request is legal HTTP but nothing a WebSocket client sends: Kestrel decides.
            else if (Is(name, "content-length") || Is(name, "transfer-encoding")) return UpgradeHeadStatus.NotUpgrade;
        }
        if (host is null || !version || !upgrade || !connectionUpgrade || key is null || WebSocketAcceptor.AcceptKey(key) is not { } accept)
            return UpgradeHeadStatus.NotUpgrade;
        var query = q < 0 ? null : Encoding.ASCII.GetString(target[(q + 1)..]);
        head = new UpgradeHead(path, query, accept, host, authorization, origin, protocols, length);
        return UpgradeHeadStatus.Upgrade;
    }

    /// <summary>A CR not followed by LF or an LF not preceded by CR: decided now, not by waiting for a CRLF.</summary>
    private static bool HasBareLineBreak(ReadOnlySpan<byte> input)
    {
        for (var i = input.IndexOfAny((byte)'\r', (byte)'\n'); i >= 0;)
        {
            if (input[i] == '\n' || (i + 1 < input.Length && input[i + 1] != '\n')) return true;
            i += 2;
            if (i >= input.Length) break;
            var next = input[i..].IndexOfAny((byte)'\r', (byte)'\n');
            i = next < 0 ? -1 : i + next;
        }
        return false;
    }

    private static UpgradeHeadStatus MoreOrGiveUp(ReadOnlySpan<byte> input) =>
        input.Length >= MaxHeadBytes ? UpgradeHeadStatus.NotUpgrade : UpgradeHeadStatus.Incomplete;

    private static bool Matches(ReadOnlySpan<byte> bytes, string path)
    {
        if (bytes.Length != path.Length) return false;
        for (var i = 0; i < bytes.Length; i++)
            if (bytes[i] != path[i]) return false;
        return true;
    }

    /// <summary>ASCII case-insensitive comparison with a name of lower-case letters and dashes.</summary>
    private static bool Is(ReadOnlySpan<byte> name, string lower)
    {
        if (name.Length != lower.Length) return false;
        for (var i = 0; i < name.Length; i++)
            if ((name[i] | 0x20) != lower[i]) return false;
        return true;
    }

    /// <summary>Whether a comma-separated list holds <paramref name="lower"/> as one of its elements.</summary>
    private static bool HasToken(ReadOnlySpan<byte> list, string lower)
    {
        foreach (var range in list.Split((byte)','))
            if (Is(list[range].Trim(" \t"u8), lower)) return true;
        return false;
    }

    private static bool IsVisibleAscii(ReadOnlySpan<byte> s)
    {
        foreach (var b in s)
            if (b is < 0x21 or > 0x7E) return false;
        return true;
    }

    private static bool IsFieldValue(ReadOnlySpan<byte> s)
    {
        foreach (var b in s)
            if (b != (byte)'\t' && b is < 0x20 or > 0x7E) return false;
        return true;
    }

    // RFC 9110 §5.6.2 tchar.
    private static bool IsToken(ReadOnlySpan<byte> s)
    {
        foreach (var b in s)
        {
            var ok = b is >= (byte)'a' and <= (byte)'z' or >= (byte)'A' and <= (byte)'Z' or >= (byte)'0' and <= (byte)'9'
                || "!#$%&'*+-.^_`|~"u8.Contains(b);
            if (!ok) return false;
        }
        return true;
    }
}
