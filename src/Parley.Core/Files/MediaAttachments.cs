using System.Buffers;
using System.Text;
using System.Text.Json;
using Parley.Abstractions;
using Parley.Abstractions.Model;
using Parley.Abstractions.Stores;
using Parley.Core.Messaging;

namespace Parley.Core.Files;

/// <summary>A media message's checked payload and the file it refers to.</summary>
public sealed record MediaPayload(string FileId, string Json);

/// <summary>
/// Checks the payload of image/audio/video/file messages for every transport: the file must exist and the sender
/// must have uploaded it or be able to see it already; name, size and type come from the stored record, width,
/// height and duration from the client. Also keeps the message → file references that grant access.
/// </summary>
public sealed class MediaAttachments(IFileStore files, FileService service)
{
    private const int MaxDimension = 100_000;
    private const long MaxDurationMs = 10L * 24 * 3600 * 1000;
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 16 };

    public async ValueTask<Access<MediaPayload>> PrepareAsync(long senderId, string kind, string? payload, CancellationToken ct)
    {
        if (payload is null) return Invalid($"a {kind} message needs a payload with fileId");
        JsonDocument document;
        try { document = JsonDocument.Parse(payload, DocumentOptions); }
        catch (JsonException) { return Invalid("payload must be JSON"); }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return Invalid($"a {kind} message's payload must be an object with fileId");
            if (!root.TryGetProperty("fileId", out var idElement) || idElement.ValueKind != JsonValueKind.String)
                return Invalid("payload.fileId is required (the id from POST /api/files)");
            if (!Dimension(root, "width", out var width)) return Invalid($"payload.width must be an integer from 1 to {MaxDimension}");
            if (!Dimension(root, "height", out var height)) return Invalid($"payload.height must be an integer from 1 to {MaxDimension}");
            if (!Duration(root, out var durationMs)) return Invalid("payload.durationMs must be a non-negative integer (milliseconds)");

            var fileId = idElement.GetString();
            var file = FileService.IsFileId(fileId) ? await files.GetAsync(fileId!, ct) : null;
            if (file is null || !await service.CanReadAsync(senderId, file, ct))
                return Access<MediaPayload>.Deny(ErrorCodes.NotFound, "no such file");
            if (kind != MessageKinds.File && file.Kind != kind)
                return Invalid($"file {file.Id} was uploaded as {file.Kind}, not {kind} (send it as kind file, or upload it as {kind})");

            var buffer = new ArrayBufferWriter<byte>(256);
            using (var w = new Utf8JsonWriter(buffer))
            {
                w.WriteStartObject();
                w.WriteString("fileId"u8, file.Id);
                w.WriteString("name"u8, file.Name);
                w.WriteNumber("size"u8, file.Size);
                w.WriteString("contentType"u8, file.ContentType);
                if (width is { } wv) w.WriteNumber("width"u8, wv);
                if (height is { } hv) w.WriteNumber("height"u8, hv);
                if (durationMs is { } d) w.WriteNumber("durationMs"u8, d);
                w.WriteEndObject();
            }
            return Access<MediaPayload>.Allow(new MediaPayload(file.Id, Encoding.UTF8.GetString(buffer.WrittenSpan)));
        }
    }

    /// <summary>Records that the message refers to the file; false if the file went away meanwhile.</summary>
    public Task<bool> ReferenceAsync(string fileId, ChatMessage message, CancellationToken ct) =>
        files.AddReferenceAsync(fileId, message.Id, message.ConversationId, ct);

    /// <summary>Drops the message's references (removed, or never committed).</summary>
    public Task ForgetAsync(string messageId, CancellationToken ct) => files.RemoveMessageReferencesAsync(messageId, ct);

    /// <summary>Drops every reference from a conversation (a dissolved group): its files become orphans unless used elsewhere.</summary>
    public Task ForgetConversationAsync(string conversationId, CancellationToken ct) => files.RemoveConversationReferencesAsync(conversationId, ct);

    private static Access<MediaPayload> Invalid(string error) => Access<MediaPayload>.Deny(ErrorCodes.InvalidField, error);

    private static bool Dimension(JsonElement root, string name, out int? value)
    {
        value = null;
        if (!root.TryGetProperty(name, out var e) || e.ValueKind == JsonValueKind.Null) return true;
        if (e.ValueKind != JsonValueKind.Number || !e.TryGetInt32(out var v) || v < 1 || v > MaxDimension) return false;
        value = v;
        return true;
    }

    private static bool Duration(JsonElement root, out long? value)
    {
        value = null;
        if (!root.TryGetProperty("durationMs", out var e) || e.ValueKind == JsonValueKind.Null) return true;
        if (e.ValueKind != JsonValueKind.Number || !e.TryGetInt64(out var v) || v < 0 || v > MaxDurationMs) return false;
        value = v;
        return true;
    }
}
