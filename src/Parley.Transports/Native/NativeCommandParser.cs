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
            string? id = null;
            if (root.TryGetProperty("id", out var idElement))
            {
                if (idElement.ValueKind != JsonValueKind.String || idElement.GetString()!.Length > 64)
                    return Fail(ErrorCodes.InvalidField, "id must be a string of at most 64 characters", null);
                id = idElement.GetString();
            }
            if (!root.TryGetProperty("type", out var typeElement) || typeElement.ValueKind != JsonValueKind.String)
                return Fail(ErrorCodes.BadRequest, "type is required", id);
            var type = typeElement.GetString()!;
            if (!KnownTypes.Contains(type)) return Fail(ErrorCodes.UnknownType, "unknown type", id);
            try
            {
                var call = type is "callResult" or "callError";
                return new NativeParseResult(new NativeCommand
                {
                    Type = type,
                    Method = type == "query" ? String(root, "method") : null,
                    Arguments = type == "query" ? Detached(root, "payload") : null,
                    CallId = call ? CallId(root) : null,
                    Data = type == "callResult" ? Detached(root, "data") : null,
                    Code = type == "callError" ? (int?)SignedInt32(root, "code") : null,
                    Message = type == "callError" ? Truncate(String(root, "message"), MaxErrorMessageChars) : null,
                    Id = id,
                    To = UserReference(root),
                    Group = Int64(root, "group"),
                    Conversation = String(root, "conversation"),
                    ClientMsgId = String(root, "clientMsgId"),
                    Kind = String(root, "kind"),
                    Text = String(root, "text"),
                    Payload = !call && type != "query" && root.TryGetProperty("payload", out var p) && p.ValueKind != JsonValueKind.Null ? p.GetRawText() : null,
                    Seq = Int64(root, "seq"),
                    Before = Int64(root, "before"),
                    After = Int64(root, "after"),
                    Limit = (int?)Int64(root, "limit", int.MaxValue),
                    Cursors = Cursors(root),
                }, 0, null, id);
            }
            catch (FieldException ex)
            {
                return Fail(ErrorCodes.InvalidField, ex.Message, id);
            }
        }
    }

    private static NativeParseResult Fail(int code, string error, string? id) => new(null, code, error, id);

    private static string? String(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var e) || e.ValueKind == JsonValueKind.Null) return null;
        return e.ValueKind == JsonValueKind.String ? e.GetString() : throw new FieldException($"{name} must be a string");
    }

    private static long? Int64(JsonElement root, string name, long max = long.MaxValue)
    {
        if (!root.TryGetProperty(name, out var e) || e.ValueKind == JsonValueKind.Null) return null;
        if (e.ValueKind == JsonValueKind.Number && e.TryGetInt64(out var v) && v >= 0 && v <= max) return v;
        throw new FieldException($"{name} must be a non-negative integer");
    }

    /// <summary>A JSON value that outlives the parsed document; null when absent or JSON null.</summary>
    private static JsonElement? Detached(JsonElement root, string name) =>
        root.TryGetProperty(name, out var e) && e.ValueKind != JsonValueKind.Null ? e.Clone() : null;

    private static int? SignedInt32(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var e) || e.ValueKind == JsonValueKind.Null) return null;
        return e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out var v) ? v : throw new FieldException($"{name} must be an integer");
    }

    private static string? Truncate(string? text, int max) => text is { Length: > 0 } && text.Length > max ? text[..max] : text;

    /// <summary>The server sends call ids as strings of digits; a number is accepted too.</summary>
    private static long CallId(JsonElement root)
    {
        if (root.TryGetProperty("callId", out var e))
        {
            if (e.ValueKind == JsonValueKind.String && long.TryParse(e.GetString(), System.Globalization.NumberStyles.None,
                    System.Globalization.CultureInfo.InvariantCulture, out var parsed) && parsed > 0) return parsed;
            if (e.ValueKind == JsonValueKind.Number && e.TryGetInt64(out var number) && number > 0) return number;
        }
        throw new FieldException("callId is required: the id of the call being answered");
    }

    /// <summary>"to" may be an account name or a numeric user id.</summary>
    private static string? UserReference(JsonElement root)
    {
        if (!root.TryGetProperty("to", out var e) || e.ValueKind == JsonValueKind.Null) return null;
        return e.ValueKind switch
        {
            JsonValueKind.String => e.GetString(),
            JsonValueKind.Number when e.TryGetInt64(out var id) && id > 0 => id.ToString(System.Globalization.CultureInfo.InvariantCulture),
            _ => throw new FieldException("to must be an account name or a user id"),
        };
    }

    private static Dictionary<string, long>? Cursors(JsonElement root)
    {
        if (!root.TryGetProperty("cursors", out var e) || e.ValueKind == JsonValueKind.Null) return null;
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
