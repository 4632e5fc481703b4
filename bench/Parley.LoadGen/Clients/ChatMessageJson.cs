using System.Text.Json;

namespace Parley.LoadGen.Clients;

/// <summary>
/// The fields a load client needs from a chat message object (native <c>message</c> frames and STOMP MESSAGE
/// bodies alike), read without allocating.
/// </summary>
internal static class ChatMessageJson
{
    /// <summary>
    /// Reads on until the first object the reader enters is closed, taking that object's own <c>conversation</c>,
    /// <c>seq</c> (-1 when absent) and <c>text</c>.
    /// </summary>
    public static void Read(ref Utf8JsonReader reader, out ReadOnlySpan<byte> conversation, out long seq, out ReadOnlySpan<byte> text)
    {
        conversation = default;
        text = default;
        seq = -1;
        var depth = 0;
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.StartObject or JsonTokenType.StartArray: depth++; break;
                case JsonTokenType.EndObject or JsonTokenType.EndArray: depth--; break;
                case JsonTokenType.PropertyName when depth == 1:
                    if (reader.ValueTextEquals("conversation"u8)) { reader.Read(); conversation = reader.ValueSpan; }
                    else if (reader.ValueTextEquals("seq"u8)) { reader.Read(); seq = reader.GetInt64(); }
                    else if (reader.ValueTextEquals("text"u8)) { reader.Read(); text = reader.ValueSpan; }
                    break;
            }
            if (depth == 0 && reader.TokenType == JsonTokenType.EndObject) break;
        }
    }
}
