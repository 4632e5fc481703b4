using System.Text;
using System.Text.Unicode;

namespace Parley.Protocol.Stomp;

/// <summary>STOMP 1.2 header line decoding and value escaping.</summary>
internal static class StompHeaderCodec
{
    /// <summary>Decodes <c>name:value</c>; returns an error message or null.</summary>
    public static string? TryDecode(ReadOnlySpan<byte> line, bool unescape, out KeyValuePair<string, string> header)
    {
        header = default;
        var colon = line.IndexOf((byte)':');
        if (colon < 0)
        {
            return "header line without ':'";
        }

        if (colon == 0)
        {
            return "empty header name";
        }

        if (!Utf8.IsValid(line))
        {
            return "header is not valid UTF-8";
        }

        var name = Encoding.UTF8.GetString(line[..colon]);
        var value = Encoding.UTF8.GetString(line[(colon + 1)..]);
        if (unescape)
        {
            if (!TryUnescape(name, out name) || !TryUnescape(value, out value))
            {
                return "invalid escape sequence in header";
            }
        }

        header = new KeyValuePair<string, string>(name, value);
        return null;
    }

    private static bool TryUnescape(string raw, out string result)
    {
        result = raw;
        if (!raw.Contains('\\'))
        {
            return true;
        }

        var builder = new StringBuilder(raw.Length);
        for (var i = 0; i < raw.Length; i++)
        {
            var c = raw[i];
            if (c != '\\')
            {
                builder.Append(c);
                continue;
            }

            if (++i == raw.Length)
            {
                return false;
            }

            switch (raw[i])
            {
                case 'r': builder.Append('\r'); break;
                case 'n': builder.Append('\n'); break;
                case 'c': builder.Append(':'); break;
                case '\\': builder.Append('\\'); break;
                default: return false;
            }
        }

        result = builder.ToString();
        return true;
    }

    /// <summary>Escapes <c>\ CR LF :</c> for frames that use escaping.</summary>
    public static string Escape(string value)
    {
        if (value.AsSpan().IndexOfAny("\\\r\n:") < 0)
        {
            return value;
        }

        var builder = new StringBuilder(value.Length + 8);
        foreach (var c in value)
        {
            switch (c)
            {
                case '\\': builder.Append("\\\\"); break;
                case '\r': builder.Append("\\r"); break;
                case '\n': builder.Append("\\n"); break;
                case ':': builder.Append("\\c"); break;
                default: builder.Append(c); break;
            }
        }

        return builder.ToString();
    }
}
