using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Parley.Client.Serialization;

/// <summary>Reads a timestamp written either as an ISO 8601 string or as Unix milliseconds; writes ISO 8601.</summary>
internal sealed class FlexibleTimestampConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType switch
        {
            JsonTokenType.Number => DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64()),
            JsonTokenType.String => DateTimeOffset.Parse(reader.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal),
            JsonTokenType.Null => default,
            _ => throw new JsonException("Expected a timestamp."),
        };

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value);
}
