using System.Buffers;
using System.Globalization;
using System.Text;

namespace Parley.Protocol.MobileImSdk;

/// <summary>
/// The envelope straight to UTF-8, byte-identical to <see cref="GsonWriter"/>'s text encoded as UTF-8 (lone
/// surrogates become U+FFFD). Every packet the gateway writes passes here; the text path cost a builder, a string
/// and a transcoding per packet.
/// </summary>
internal static class GsonUtf8Writer
{
    // What Gson escapes: quote, backslash, controls, and its HTML-safe set.
    private static readonly SearchValues<char> Escaped = SearchValues.Create(
        "\"\\<>&='\u2028\u2029\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\b\t\n\u000b\f\r\u000e\u000f\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001a\u001b\u001c\u001d\u001e\u001f");

    private const int KeptCapacity = 16 * 1024;

    [ThreadStatic] private static ArrayBufferWriter<byte>? t_buffer;

    public static byte[] Encode(Protocal packet)
    {
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(512);
        buffer.ResetWrittenCount();
        Write(buffer, packet);
        var bytes = buffer.WrittenSpan.ToArray();
        // One huge packet must not pin its buffer to the thread.
        if (buffer.Capacity > KeptCapacity) t_buffer = null;
        return bytes;
    }

    public static void Write(IBufferWriter<byte> w, Protocal packet)
    {
        Literal(w, packet.Bridge ? "{\"bridge\":true,\"type\":"u8 : "{\"bridge\":false,\"type\":"u8);
        Number(w, packet.Type);
        OptionalString(w, ",\"dataContent\":"u8, packet.DataContent);
        OptionalString(w, ",\"from\":"u8, packet.From);
        OptionalString(w, ",\"to\":"u8, packet.To);
        OptionalString(w, ",\"fp\":"u8, packet.Fp);
        Literal(w, packet.QoS ? ",\"QoS\":true,\"typeu\":"u8 : ",\"QoS\":false,\"typeu\":"u8);
        Number(w, packet.TypeU);
        Literal(w, ",\"sm\":"u8);
        Number(w, packet.Sm);
        Literal(w, "}"u8);
    }

    private static void OptionalString(IBufferWriter<byte> w, ReadOnlySpan<byte> name, string? value)
    {
        if (value is null) return;
        Literal(w, name);
        Literal(w, "\""u8);
        var rest = value.AsSpan();
        while (true)
        {
            var at = rest.IndexOfAny(Escaped);
            Utf8(w, at < 0 ? rest : rest[..at]);
            if (at < 0) break;
            Escape(w, rest[at]);
            rest = rest[(at + 1)..];
        }
        Literal(w, "\""u8);
    }

    private static void Utf8(IBufferWriter<byte> w, ReadOnlySpan<char> chars)
    {
        if (chars.IsEmpty) return;
        // Escaped characters are never surrogates, so a pair is never split between two runs.
        var span = w.GetSpan(Encoding.UTF8.GetMaxByteCount(chars.Length));
        w.Advance(Encoding.UTF8.GetBytes(chars, span));
    }

    private static void Escape(IBufferWriter<byte> w, char c)
    {
        switch (c)
        {
            case '"': Literal(w, "\\\""u8); break;
            case '\\': Literal(w, "\\\\"u8); break;
            case '\t': Literal(w, "\\t"u8); break;
            case '\b': Literal(w, "\\b"u8); break;
            case '\n': Literal(w, "\\n"u8); break;
            case '\r': Literal(w, "\\r"u8); break;
            case '\f': Literal(w, "\\f"u8); break;
            default:
                var span = w.GetSpan(6);
                "\\u"u8.CopyTo(span);
                ((int)c).TryFormat(span[2..], out _, "x4", CultureInfo.InvariantCulture);
                w.Advance(6);
                break;
        }
    }

    private static void Number(IBufferWriter<byte> w, long value)
    {
        var span = w.GetSpan(20);
        value.TryFormat(span, out var written, default, CultureInfo.InvariantCulture);
        w.Advance(written);
    }

    private static void Literal(IBufferWriter<byte> w, ReadOnlySpan<byte> bytes) => w.Write(bytes);
}
