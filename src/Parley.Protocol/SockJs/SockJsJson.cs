using System.Globalization;
using System.Text;

namespace Parley.Protocol.SockJs;

/// <summary>JSON string quoting the way sockjs-node does it: JSON.stringify, then \uXXXX for the ranges browsers mangle.</summary>
public static class SockJsJson
{
    /// <summary>Appends <paramref name="value"/> as a quoted JSON string.</summary>
    public static void AppendQuoted(StringBuilder builder, string value)
    {
        builder.Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': builder.Append("\\\""); break;
                case '\\': builder.Append("\\\\"); break;
                case '\n': builder.Append("\\n"); break;
                case '\r': builder.Append("\\r"); break;
                case '\t': builder.Append("\\t"); break;
                case '\b': builder.Append("\\b"); break;
                case '\f': builder.Append("\\f"); break;
                default:
                    if (NeedsUnicodeEscape(c))
                    {
                        builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        builder.Append(c);
                    }

                    break;
            }
        }

        builder.Append('"');
    }

    /// <summary>Returns <paramref name="value"/> as a quoted JSON string.</summary>
    public static string Quote(string value)
    {
        var builder = new StringBuilder(value.Length + 2);
        AppendQuoted(builder, value);
        return builder.ToString();
    }

    // sockjs-node's "escapable" set: controls, surrogates, and zero-width / separator / specials ranges.
    private static bool NeedsUnicodeEscape(char c) =>
        c < '\u0020'
        || c is >= '\u200c' and <= '\u200f'
        || c is >= '\u2028' and <= '\u202f'
        || c is >= '\u2060' and <= '\u206f'
        || c is >= '\ud800' and <= '\udfff'
        || c >= '\ufff0';
}
