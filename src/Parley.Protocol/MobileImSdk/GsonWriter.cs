using System.Globalization;
using System.Text;

namespace Parley.Protocol.MobileImSdk;

/// <summary>Writes one flat JSON object exactly like Gson's defaults: no whitespace, nulls omitted, HTML-safe escaping.</summary>
internal sealed class GsonWriter
{
    private readonly StringBuilder builder = new(128);
    private bool first = true;

    public GsonWriter() => builder.Append('{');

    public GsonWriter String(string name, string? value)
    {
        if (value is not null)
        {
            AppendQuoted(Name(name), value);
        }

        return this;
    }

    public GsonWriter Bool(string name, bool value)
    {
        Name(name).Append(value ? "true" : "false");
        return this;
    }

    public GsonWriter Number(string name, long value)
    {
        Name(name).Append(value.ToString(CultureInfo.InvariantCulture));
        return this;
    }

    public string Finish() => builder.Append('}').ToString();

    private StringBuilder Name(string name)
    {
        if (!first)
        {
            builder.Append(',');
        }

        first = false;
        return builder.Append('"').Append(name).Append("\":");
    }

    public static void AppendQuoted(StringBuilder sb, string value)
    {
        sb.Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\t': sb.Append("\\t"); break;
                case '\b': sb.Append("\\b"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\f': sb.Append("\\f"); break;
                case '<' or '>' or '&' or '=' or '\'' or '\u2028' or '\u2029':
                    sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    break;
                default:
                    if (c < ' ')
                    {
                        sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        sb.Append(c);
                    }

                    break;
            }
        }

        sb.Append('"');
    }
}
