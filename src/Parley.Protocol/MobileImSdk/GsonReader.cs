using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace Parley.Protocol.MobileImSdk;

/// <summary>Handles one property value; the reader is positioned on the value token. Returns false to reject.</summary>
internal delegate bool GsonFieldHandler(string name, ref Utf8JsonReader reader);

/// <summary>
/// Reads a JSON object with Gson's tolerance for the reflective adapter: unknown fields skipped, null keeps the
/// default, numbers and booleans accepted as strings, strings accepted from numbers/booleans, last duplicate wins.
/// </summary>
internal static class GsonReader
{
    private static readonly JsonReaderOptions Options = new() { MaxDepth = 16 };

    // The field names the envelope and its payloads use, as shared strings: a packet's names cost no allocation.
    private static readonly (byte[] Utf8, string Name)[] KnownNames =
        new[] { "bridge", "type", "dataContent", "from", "to", "fp", "QoS", "typeu", "sm", "loginUserId", "loginToken", "extra",
                "firstLoginTime", "code", "errorCode", "errorMsg", "reason" }
            .Select(n => (Encoding.UTF8.GetBytes(n), n)).ToArray();

    /// <summary>Returns null on success, else an error message. Never throws on bad input.</summary>
    public static string? ReadObject(ReadOnlySpan<byte> json, GsonFieldHandler handler)
    {
        if (!Utf8.IsValid(json))
        {
            return "not valid UTF-8";
        }

        try
        {
            var reader = new Utf8JsonReader(json, Options);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return "not a JSON object";
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = NameOf(ref reader);
                reader.Read();
                if (!handler(name, ref reader))
                {
                    return $"field '{name}' has an unusable value";
                }
            }

            // Gson rejects a document that was not fully consumed; Read() throws on trailing tokens.
            while (reader.Read())
            {
            }

            return null;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return "invalid JSON: " + e.Message;
        }
    }

    private static string NameOf(ref Utf8JsonReader reader)
    {
        if (!reader.ValueIsEscaped && !reader.HasValueSequence)
        {
            var span = reader.ValueSpan;
            foreach (var (utf8, name) in KnownNames)
            {
                if (span.SequenceEqual(utf8)) return name;
            }
        }
        return reader.GetString()!;
    }

    public static bool Skip(ref Utf8JsonReader reader)
    {
        reader.Skip();
        return true;
    }

    public static bool TryString(ref Utf8JsonReader reader, out string? value)
    {
        value = reader.TokenType switch
        {
            JsonTokenType.String => reader.GetString(),
            JsonTokenType.Number => Encoding.UTF8.GetString(reader.ValueSpan),
            JsonTokenType.True => "true",
            JsonTokenType.False => "false",
            _ => null,
        };
        return reader.TokenType is not (JsonTokenType.StartObject or JsonTokenType.StartArray);
    }

    public static bool TryBool(ref Utf8JsonReader reader, ref bool value)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.True: value = true; return true;
            case JsonTokenType.False: value = false; return true;
            case JsonTokenType.Null: return true;
            case JsonTokenType.String:
                value = string.Equals(reader.GetString(), "true", StringComparison.OrdinalIgnoreCase);
                return true;
            default: return false;
        }
    }

    public static bool TryInt(ref Utf8JsonReader reader, ref int value)
    {
        long wide = value;
        if (!TryLong(ref reader, ref wide) || wide is < int.MinValue or > int.MaxValue)
        {
            return false;
        }

        value = (int)wide;
        return true;
    }

    public static bool TryLong(ref Utf8JsonReader reader, ref long value)
    {
        string text;
        switch (reader.TokenType)
        {
            case JsonTokenType.Null: return true;
            case JsonTokenType.Number when reader.TryGetInt64(out var exact):
                value = exact;
                return true;
            case JsonTokenType.Number: text = Encoding.UTF8.GetString(reader.ValueSpan); break;
            case JsonTokenType.String: text = reader.GetString()!; break;
            default: return false;
        }

        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed))
        {
            value = parsed;
            return true;
        }

        // Like Gson's nextInt/nextLong: a double literal is accepted when it holds an exact integer.
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d)
            && double.IsFinite(d) && Math.Floor(d) == d && d >= long.MinValue && d < 9.2233720368547758E18)
        {
            value = (long)d;
            return true;
        }

        return false;
    }
}
