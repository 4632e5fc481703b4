using System.Text.Json;

namespace Parley.Protocol.SockJs;

/// <summary>Why a client→server SockJS payload was rejected.</summary>
public enum SockJsPayloadError
{
    None,
    Empty,
    TooLarge,
    InvalidJson,
    NotAnArray,
    NotAString,
}

/// <summary>Result of <see cref="SockJsMessageParser.Parse"/>; <see cref="Messages"/> is empty unless <see cref="IsSuccess"/>.</summary>
public readonly record struct SockJsPayloadResult(SockJsPayloadError Error, IReadOnlyList<string> Messages, string? ErrorMessage)
{
    public bool IsSuccess => Error == SockJsPayloadError.None;

    /// <summary>Maps to <see cref="ParseStatus"/> (Complete, Malformed or TooLarge).</summary>
    public ParseStatus Status => Error switch
    {
        SockJsPayloadError.None => ParseStatus.Complete,
        SockJsPayloadError.TooLarge => ParseStatus.TooLarge,
        _ => ParseStatus.Malformed,
    };
}

/// <summary>Parses client→server SockJS bodies (xhr_send, jsonp_send, websocket messages): a JSON array of strings.</summary>
public static class SockJsMessageParser
{
    private static readonly JsonReaderOptions Options = new() { MaxDepth = 4 };

    /// <summary>Parses <paramref name="payload"/>; never throws. Error texts follow sockjs-node where it has one.</summary>
    public static SockJsPayloadResult Parse(ReadOnlySpan<byte> payload, int maxBytes)
    {
        if (payload.Length > maxBytes)
        {
            return Fail(SockJsPayloadError.TooLarge, $"payload exceeds {maxBytes} bytes");
        }

        if (payload.Trim(" \t\r\n"u8).IsEmpty)
        {
            return Fail(SockJsPayloadError.Empty, "Payload expected.");
        }

        try
        {
            var reader = new Utf8JsonReader(payload, Options);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
            {
                return Fail(SockJsPayloadError.NotAnArray, "Payload must be a JSON array of strings.");
            }

            var messages = new List<string>();
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                if (reader.TokenType != JsonTokenType.String)
                {
                    return Fail(SockJsPayloadError.NotAString, "Payload must be a JSON array of strings.");
                }

                messages.Add(reader.GetString()!);
            }

            // Trailing content after the array makes the document invalid; Read() reports it.
            while (reader.Read())
            {
            }

            return new SockJsPayloadResult(SockJsPayloadError.None, messages, null);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return Fail(SockJsPayloadError.InvalidJson, "Broken JSON encoding.");
        }
    }

    private static SockJsPayloadResult Fail(SockJsPayloadError error, string message) => new(error, [], message);
}
