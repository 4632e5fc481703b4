using System.Buffers;
using System.Globalization;
using System.Text;

namespace Parley.Protocol.Stomp;

/// <summary>Writes STOMP 1.2 frames and heart-beats.</summary>
public static class StompWriter
{
    /// <summary>
    /// Writes <paramref name="frame"/>: command, headers (escaped unless CONNECT/STOMP/CONNECTED),
    /// a <c>content-length</c> computed from the body when it is non-empty (any given one is replaced), the body and NUL.
    /// </summary>
    /// <exception cref="ArgumentException">A header of an unescaped frame contains CR/LF, or a name contains ':' there.</exception>
    public static void Write(IBufferWriter<byte> output, StompFrame frame) =>
        Write(output, frame.Command, frame.Headers, frame.Body.Span);

    /// <inheritdoc cref="Write(IBufferWriter{byte}, StompFrame)"/>
    public static void Write(
        IBufferWriter<byte> output, StompCommand command, IEnumerable<KeyValuePair<string, string>> headers, ReadOnlySpan<byte> body)
    {
        output.Write(command.ToUtf8());
        WriteByte(output, (byte)'\n');
        var escape = command.UsesHeaderEscaping();
        foreach (var (name, value) in headers)
        {
            if (name == StompHeaders.ContentLength)
            {
                continue;
            }

            WriteText(output, escape ? StompHeaderCodec.Escape(name) : CheckRaw(name, isName: true));
            WriteByte(output, (byte)':');
            WriteText(output, escape ? StompHeaderCodec.Escape(value) : CheckRaw(value, isName: false));
            WriteByte(output, (byte)'\n');
        }

        if (!body.IsEmpty)
        {
            WriteText(output, StompHeaders.ContentLength + ":" + body.Length.ToString(CultureInfo.InvariantCulture));
            WriteByte(output, (byte)'\n');
        }

        WriteByte(output, (byte)'\n');
        output.Write(body);
        WriteByte(output, 0);
    }

    /// <summary>Serializes a frame to a new array (serialize once, send to many).</summary>
    public static byte[] ToArray(StompFrame frame)
    {
        var buffer = new ArrayBufferWriter<byte>(256 + frame.Body.Length);
        Write(buffer, frame);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Writes one heart-beat EOL (<c>\n</c>).</summary>
    public static void WriteHeartbeat(IBufferWriter<byte> output) => WriteByte(output, (byte)'\n');

    private static string CheckRaw(string text, bool isName)
    {
        if (text.AsSpan().IndexOfAny('\r', '\n') >= 0 || (isName && text.Contains(':')))
        {
            throw new ArgumentException($"header '{text}' cannot be written unescaped");
        }

        return text;
    }

    private static void WriteText(IBufferWriter<byte> output, string text)
    {
        var span = output.GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length));
        output.Advance(Encoding.UTF8.GetBytes(text, span));
    }

    private static void WriteByte(IBufferWriter<byte> output, byte value)
    {
        output.GetSpan(1)[0] = value;
        output.Advance(1);
    }
}
