using System.Text.Json;
using System.Text.Json.Serialization;
using Parley.Abstractions.Model;

namespace Parley.Transports.Json;

/// <summary>
/// The one JSON shape of a message, shared by the native protocol, STOMP bodies and the REST API
/// (documented in docs/protocol.md). The payload is raw JSON and is written as JSON, not as a string.
/// </summary>
public sealed class ChatMessageJsonConverter : JsonConverter<ChatMessage>
{
    public override ChatMessage Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        throw new NotSupportedException("messages are written by the server, not read");

    public override void Write(Utf8JsonWriter writer, ChatMessage value, JsonSerializerOptions options) => WriteMessage(writer, value);

    public static void WriteMessage(Utf8JsonWriter writer, ChatMessage m)
    {
        writer.WriteStartObject();
        writer.WriteString("id"u8, m.Id);
        writer.WriteString("conversation"u8, m.ConversationId);
        writer.WriteNumber("seq"u8, m.Seq);
        writer.WriteNumber("from"u8, m.SenderId);
        writer.WriteString("fromName"u8, m.SenderName);
        if (m.RecipientId is { } to) writer.WriteNumber("to"u8, to);
        if (m.GroupId is { } group) writer.WriteNumber("group"u8, group);
        writer.WriteString("kind"u8, m.Kind);
        if (m.Text is not null) writer.WriteString("text"u8, m.Text);
        if (m.Payload is not null)
        {
            writer.WritePropertyName("payload"u8);
            writer.WriteRawValue(m.Payload, skipInputValidation: true);
        }
        if (m.ClientMsgId is not null) writer.WriteString("clientMsgId"u8, m.ClientMsgId);
        writer.WriteNumber("ts"u8, m.Timestamp);
        writer.WriteEndObject();
    }
}

/// <summary>Serializer settings for everything Parley writes as JSON.</summary>
public static class ParleyJson
{
    public static JsonSerializerOptions Options { get; } = Create();

    public static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        };
        options.Converters.Add(new ChatMessageJsonConverter());
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
        return options;
    }

    /// <summary>Applies the Parley converters to options the host owns (ASP.NET's HTTP JSON options).</summary>
    public static void Configure(JsonSerializerOptions options)
    {
        options.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        options.Converters.Add(new ChatMessageJsonConverter());
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
    }
}
