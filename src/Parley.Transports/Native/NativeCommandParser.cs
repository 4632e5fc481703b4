using System.Text.Json;
using Parley.Abstractions;

namespace Parley.Transports.Native;

/// <summary>
/// Parses one native client frame. Never throws on hostile input: malformed JSON, wrong types, unknown fields of
/// the wrong shape and over-deep nesting all become an error result with a code from <see cref="ErrorCodes"/>.
/// </summary>
public static class NativeCommandParser
{
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 32, CommentHandling = JsonCommentHandling.Disallow };
    private const int MaxCursors = 10_000;

    private const int MaxErrorMessageChars = 1024;

    public static readonly HashSet<string> KnownTypes = ["send", "ack", "read", "typing", "sync", "history", "online", "remove", "ping", "query", "callResult", "callError"];

    public static NativeParseResult Parse(ReadOnlyMemory<byte> frame)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(frame, DocumentOptions);
        }
        catch (JsonException)
        {
            return Fail(ErrorCodes.BadRequest, "malformed JSON", null);
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return Fail(ErrorCodes.BadRequest, "a frame must be a JSON object", null);
            // One pass over the properties (the last of a repeated name wins, as with TryGetProperty): a frame is
            // looked at once, not once per field the command might have.
            var f = new Fields();
            foreach (var property in root.EnumerateObject()) f.Take(property);
            string? id = null;
            if (f.Id is { } idElement)
            {
                if (idElement.ValueKind != JsonValueKind.String || idElement.GetString()!.Length > 64)
                    return Fail(ErrorCodes.InvalidField, "id must be a string of at most 64 characters", null);
                id = idElement.GetString();
            }
            if (f.Type is not { ValueKind: JsonValueKind.String } typeElement) return Fail(ErrorCodes.BadRequest, "type is required", id);
            var type = typeElement.GetString()!;
            if (!KnownTypes.Contains(type)) return Fail(ErrorCodes.UnknownType, "unknown type", id);
            try
            {
                var call = type is "callResult" or "callError";
                return new NativeParseResult(new NativeCommand
                {
                    Type = type,
                    Method = type == "query" ? String(f.Method, "method") : null,
                    Arguments = type == "query" ? Detached(f.Payload) : null,
                    CallId = call ? CallId(f.CallId) : null,
                    Data = type == "callResult" ? Detached(f.Data) : null,
                    Code = type == "callError" ? SignedInt32(f.Code, "code") : null,
                    Message = type == "callError" ? Truncate(String(f.Message, "message"), MaxErrorMessageChars) : null,
                    Id = id,
                    To = UserReference(f.To),
                    Group = Int64(f.Group, "group"),
                    Conversation = String(f.Conversation, "conversation"),
                    ClientMsgId = String(f.ClientMsgId, "clientMsgId"),
                    Kind = String(f.Kind, "kind"),
                    Text = String(f.Text, "text"),
                    Payload = !call && type != "query" && f.Payload is { ValueKind: not JsonValueKind.Null } p ? p.GetRawText() : null,
                    Seq = Int64(f.Seq, "seq"),
                    Before = Int64(f.Before, "before"),
                    After = Int64(f.After, "after"),
                    Limit = (int?)Int64(f.Limit, "limit", int.MaxValue),
                    Cursors = Cursors(f.Cursors),
                }, 0, null, id);
            }
            catch (FieldException ex)
            {
                return Fail(ErrorCodes.InvalidField, ex.Message, id);
            }
        }
    }

    /// <summary>The properties a command may have, as found in the frame.</summary>
    private struct Fields
    {
        public JsonElement? Id, Type, Method, Payload, CallId, Data, Code, Message, To, Group, Conversation, ClientMsgId, Kind, Text,
            Seq, Before, After, Limit, Cursors;

        public void Take(JsonProperty property)
        {
            var v = property.Value;
            if (property.NameEquals("type"u8)) Type = v;
            else if (property.NameEquals("id"u8)) Id = v;
            else if (property.NameEquals("to"u8)) To = v;
            else if (property.NameEquals("clientMsgId"u8)) ClientMsgId = v;
            else if (property.NameEquals("text"u8)) Text = v;
            else if (property.NameEquals("conversation"u8)) Conversation = v;
            else if (property.NameEquals("seq"u8)) Seq = v;
            else if (property.NameEquals("group"u8)) Group = v;
            else if (property.NameEquals("kind"u8)) Kind = v;
            else if (property.NameEquals("payload"u8)) Payload = v;
            else if (property.NameEquals("before"u8)) Before = v;
            else if (property.NameEquals("after"u8)) After = v;
            else if (property.NameEquals("limit"u8)) Limit = v;
            else if (property.NameEquals("cursors"u8)) Cursors = v;
            else if (property.NameEquals("method"u8)) Method = v;
            else if (property.NameEquals("callId"u8)) CallId = v;
            else if (property.NameEquals("data"u8)) Data = v;
            else if (property.NameEquals("code"u8)) Code = v;
            else if (property.NameEquals("message"u8)) Message = v;
        }
    }

    private static NativeParseResult Fail(int code, string error, string? id) => new(null, code, error, id);

    private static string? String(JsonElement? element, string name)
    {
        if (element is not { ValueKind: not JsonValueKind.Null } e) return null;
        return e.ValueKind == JsonValueKind.String ? e.GetString() : throw new FieldException($"{name} must be a string");
    }

    private static long? Int64(JsonElement? element, string name, long max = long.MaxValue)
    {
        if (element is not { ValueKind: not JsonValueKind.Null } e) return null;
        if (e.ValueKind == JsonValueKind.Number && e.TryGetInt64(out var v) && v >= 0 && v <= max) return v;
        throw new FieldException($"{name} must be a non-negative integer");
    }

    /// <summary>A JSON value that outlives the parsed document; null when absent or JSON null.</summary>
    private static JsonElement? Detached(JsonElement? element) =>
        element is { ValueKind: not JsonValueKind.Null } e ? e.Clone() : null;

    private static int? SignedInt32(JsonElement? element, string name)
    {
        if (element is not { ValueKind: not JsonValueKind.Null } e) return null;
        return e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out var v) ? v : throw new FieldException($"{name} must be an integer");
    }

    private static string? Truncate(string? text, int max) => text is { Length: > 0 } && text.Length > max ? text[..max] : text;

    /// <summary>The server sends call ids as strings of digits; a number is accepted too.</summary>
    private static long CallId(JsonElement? element)
    {
        if (element is { } e)
        {
            if (e.ValueKind == JsonValueKind.String && long.TryParse(e.GetString(), System.Globalization.NumberStyles.None,
                    System.Globalization.CultureInfo.InvariantCulture, out var parsed) && parsed > 0) return parsed;
            if (e.ValueKind == JsonValueKind.Number && e.TryGetInt64(out var number) && number > 0) return number;
        }
        throw new FieldException("callId is required: the id of the call being answered");
    }

    /// <summary>"to" may be an account name or a numeric user id.</summary>
    private static string? UserReference(JsonElement? element)
    {
        if (element is not { ValueKind: not JsonValueKind.Null } e) return null;
        return e.ValueKind switch
        {
            JsonValueKind.String => e.GetString(),
            JsonValueKind.Number when e.TryGetInt64(out var id) && id > 0 => id.ToString(System.Globalization.CultureInfo.InvariantCulture),
            _ => throw new FieldException("to must be an account name or a user id"),
        };
    }

    private static Dictionary<string, long>? Cursors(JsonElement? element)
    {
        if (element is not { ValueKind: not JsonValueKind.Null } e) return null;
        if (e.ValueKind != JsonValueKind.Object) throw new FieldException("cursors must be an object of conversation to seq");
        var result = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var property in e.EnumerateObject())
        {
            if (result.Count >= MaxCursors) throw new FieldException("too many cursors");
            if (property.Value.ValueKind != JsonValueKind.Number || !property.Value.TryGetInt64(out var seq) || seq < 0)
                throw new FieldException("cursor values must be non-negative integers");
            result[property.Name] = seq;
        }
        return result;
    }

    private sealed class FieldException(string message) : Exception(message);
}
