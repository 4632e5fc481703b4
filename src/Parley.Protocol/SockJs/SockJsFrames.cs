using System.Buffers;
using System.Globalization;
using System.Text;

namespace Parley.Protocol.SockJs;

/// <summary>SockJS server→client frames (without any transport-specific suffix such as the xhr <c>\n</c>).</summary>
public static class SockJsFrames
{
    /// <summary>Open frame <c>o</c>.</summary>
    public static ReadOnlySpan<byte> Open => "o"u8;

    /// <summary>Heartbeat frame <c>h</c>.</summary>
    public static ReadOnlySpan<byte> Heartbeat => "h"u8;

    /// <summary>Close code and reason SockJS uses when the session is closed normally.</summary>
    public const int GoAwayCode = 3000;

    public const string GoAwayReason = "Go away!";

    /// <summary>A close code for a session that is already taken by another connection.</summary>
    public const int AnotherConnectionStillOpenCode = 2010;

    public static void WriteOpen(IBufferWriter<byte> output) => output.Write(Open);

    public static void WriteHeartbeat(IBufferWriter<byte> output) => output.Write(Heartbeat);

    /// <summary>Writes <c>a["m1","m2"]</c>.</summary>
    public static void WriteMessages(IBufferWriter<byte> output, IEnumerable<string> messages) =>
        WriteUtf8(output, MessagesFrame(messages));

    /// <summary>Writes <c>c[code,"reason"]</c>.</summary>
    public static void WriteClose(IBufferWriter<byte> output, int code = GoAwayCode, string reason = GoAwayReason) =>
        WriteUtf8(output, CloseFrame(code, reason));

    /// <summary>The text of <c>a[...]</c> for the given messages.</summary>
    public static string MessagesFrame(IEnumerable<string> messages)
    {
        var builder = new StringBuilder("a[");
        var first = true;
        foreach (var message in messages)
        {
            if (!first)
            {
                builder.Append(',');
            }

            SockJsJson.AppendQuoted(builder, message);
            first = false;
        }

        return builder.Append(']').ToString();
    }

    /// <summary>The text of <c>c[code,"reason"]</c>.</summary>
    public static string CloseFrame(int code = GoAwayCode, string reason = GoAwayReason) =>
        "c[" + code.ToString(CultureInfo.InvariantCulture) + "," + SockJsJson.Quote(reason) + "]";

    private static void WriteUtf8(IBufferWriter<byte> output, string text)
    {
        var span = output.GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length));
        output.Advance(Encoding.UTF8.GetBytes(text, span));
    }
}
