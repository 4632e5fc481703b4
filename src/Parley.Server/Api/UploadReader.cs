using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;
using Parley.Abstractions;
using Parley.Abstractions.Files;
using Parley.Core;

namespace Parley.Server.Api;

/// <summary>
/// Finds the upload in a request without buffering it: a raw body (its Content-Type is the claim, <c>?name=</c> the
/// file name) or the part named <c>file</c> of a <c>multipart/form-data</c> body, read with
/// <see cref="MultipartReader"/> straight from the socket. A declared length over the limit is refused before a
/// byte is read; an undeclared one is cut off where it passes the limit.
/// </summary>
internal static class UploadReader
{
    /// <summary>Room for boundaries, part headers and small form fields around the file in a multipart body.</summary>
    public const long MultipartOverheadBytes = 64 * 1024;

    public delegate Task<StoredFile> Store(Stream content, string? claimedType, string? name);

    public static async Task<StoredFile> ReadAsync(HttpContext http, string kind, long limit, Store store)
    {
        var request = http.Request;
        var multipart = MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType)
            && mediaType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase);
        var allowed = limit + (multipart ? MultipartOverheadBytes : 0);
        if (request.ContentLength is { } declared && declared > allowed)
            throw new ParleyException(ParleyErrorKind.TooLarge, ErrorCodes.TooLarge, $"a {kind} upload may be at most {limit} bytes");
        // Kestrel's global cap (Parley:Http:MaxRequestBodyBytes) is for JSON; an upload gets its kind's limit. Kestrel counts
        // what it buffered ahead of the reader, so its cap sits a little higher: the upload stream, which stops one byte
        // past the limit, is the one to say 413 with a message naming the kind.
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size) size.MaxRequestBodySize = allowed + 1024 * 1024;

        if (!multipart) return await store(request.Body, request.ContentType, request.Query["name"].FirstOrDefault());

        var boundary = HeaderUtilities.RemoveQuotes(mediaType!.Boundary).Value;
        if (string.IsNullOrEmpty(boundary) || boundary.Length > 200) throw Invalid("multipart/form-data needs a boundary of at most 200 characters");
        var reader = new MultipartReader(boundary, request.Body) { HeadersCountLimit = 16, HeadersLengthLimit = 16 * 1024 };
        long skipped = 0;
        try
        {
            while (await reader.ReadNextSectionAsync(http.RequestAborted) is { } section)
            {
                if (ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)
                    && disposition.DispositionType.Equals("form-data", StringComparison.OrdinalIgnoreCase)
                    && HeaderUtilities.RemoveQuotes(disposition.Name).Equals("file", StringComparison.Ordinal))
                {
                    var name = disposition.FileNameStar.HasValue ? disposition.FileNameStar.Value : HeaderUtilities.RemoveQuotes(disposition.FileName).Value;
                    return await store(section.Body, section.ContentType, name);
                }
                // Other fields are skipped, within the overhead allowance.
                skipped += await DrainAsync(section.Body, MultipartOverheadBytes - skipped + 1, http.RequestAborted);
                if (skipped > MultipartOverheadBytes) throw Invalid("only one part, named file, is read; the others are too large");
            }
        }
        catch (InvalidDataException ex)
        {
            throw Invalid("malformed multipart body: " + ex.Message);
        }
        catch (IOException ex) when (ex.Message.StartsWith("Unexpected end of", StringComparison.Ordinal))
        {
            throw Invalid("malformed multipart body: " + ex.Message);
        }
        throw Invalid("the multipart body has no part named file");
    }

    private static async Task<long> DrainAsync(Stream body, long max, CancellationToken ct)
    {
        var buffer = new byte[4096];
        long total = 0;
        int n;
        while (total <= max && (n = await body.ReadAsync(buffer, ct)) > 0) total += n;
        return total;
    }

    private static ParleyException Invalid(string why) => ParleyException.Invalid("file", why);
}
