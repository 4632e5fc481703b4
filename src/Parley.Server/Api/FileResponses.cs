using Microsoft.Net.Http.Headers;
using Parley.Abstractions.Files;
using Parley.Core.Files;

namespace Parley.Server.Api;

/// <summary>
/// Writes a stored file: its type, validators (a strong ETag from the content hash, Last-Modified), conditional
/// GET (304), one byte range (206, or 416 when it cannot be satisfied; several ranges get the whole file), and the
/// headers that keep a browser from treating an upload as something else (nosniff; attachments sandboxed).
/// </summary>
internal static class FileResponses
{
    public const string Revalidate = "private, no-cache";

    public static async Task<IResult> WriteAsync(HttpContext http, FileService files, StoredFile file, bool attachment, string cacheControl)
    {
        var request = http.Request;
        var response = http.Response;
        var etag = new EntityTagHeaderValue("\"" + file.Sha256 + "\"");
        var lastModified = DateTimeOffset.FromUnixTimeSeconds(file.CreatedAt.ToUnixTimeSeconds());
        var typed = response.GetTypedHeaders();
        typed.ETag = etag;
        typed.LastModified = lastModified;
        response.Headers.CacheControl = cacheControl;
        response.Headers.AcceptRanges = "bytes";
        response.Headers.XContentTypeOptions = "nosniff";

        var conditions = request.GetTypedHeaders();
        if (conditions.IfNoneMatch is { Count: > 0 } noneMatch
                ? noneMatch.Any(t => t.Equals(EntityTagHeaderValue.Any) || t.Compare(etag, useStrongComparison: false))
                : conditions.IfModifiedSince is { } since && lastModified <= since)
            return Results.StatusCode(StatusCodes.Status304NotModified);

        long start = 0, length = file.Size;
        var partial = false;
        if (conditions.Range is { } range && range.Unit.Equals("bytes", StringComparison.OrdinalIgnoreCase) && range.Ranges.Count == 1
            && RangeStillValid(conditions.IfRange, etag, lastModified))
        {
            var r = range.Ranges.First();
            if (r.From is { } from)
            {
                if (from >= file.Size) return Unsatisfiable(response, file.Size);
                start = from;
                length = Math.Min(r.To ?? long.MaxValue, file.Size - 1) - from + 1;
            }
            else if (r.To is { } suffix)
            {
                if (suffix == 0) return Unsatisfiable(response, file.Size);
                length = Math.Min(suffix, file.Size);
                start = file.Size - length;
            }
            partial = true;
        }

        var body = HttpMethods.IsHead(request.Method) ? null : await files.OpenAsync(file, start, length, http.RequestAborted);
        if (body is null && !HttpMethods.IsHead(request.Method)) return Results.Problem(statusCode: 404, title: "no such file");
        await using (body)
        {
            response.StatusCode = partial ? StatusCodes.Status206PartialContent : StatusCodes.Status200OK;
            if (partial) typed.ContentRange = new ContentRangeHeaderValue(start, start + length - 1, file.Size);
            response.ContentType = file.ContentType;
            response.ContentLength = length;
            var disposition = new ContentDispositionHeaderValue(attachment ? "attachment" : "inline");
            disposition.SetHttpFileName(file.Name);
            response.Headers.ContentDisposition = disposition.ToString();
            // An attachment opened in a tab must not run as a page of this origin, whatever it claims to be.
            if (attachment) response.Headers.ContentSecurityPolicy = "sandbox; default-src 'none'";
            try
            {
                if (body is not null) await body.CopyToAsync(response.Body, 64 * 1024, http.RequestAborted);
            }
            catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
            {
                // A player seeking or a tab closing drops the connection mid-file: not an error.
            }
        }
        return Results.Empty;
    }

    private static bool RangeStillValid(RangeConditionHeaderValue? ifRange, EntityTagHeaderValue etag, DateTimeOffset lastModified) =>
        ifRange is null
        || (ifRange.EntityTag is { } tag ? tag.Compare(etag, useStrongComparison: true) : ifRange.LastModified is { } date && date >= lastModified);

    private static IResult Unsatisfiable(HttpResponse response, long size)
    {
        response.GetTypedHeaders().ContentRange = new ContentRangeHeaderValue(size);
        return Results.StatusCode(StatusCodes.Status416RangeNotSatisfiable);
    }
}
