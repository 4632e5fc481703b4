using System.Net.Http.Headers;
using Parley.Client.Rest;

namespace Parley.Client;

public sealed partial class ParleyApiClient
{
    /// <summary>
    /// Uploads a file as a raw streamed body (never buffered whole). Send it afterwards as a message of kind
    /// <paramref name="kind"/> (or <c>file</c>) with payload <c>{"fileId": id}</c>.
    /// </summary>
    /// <param name="content">The bytes; read to the end, not disposed.</param>
    /// <param name="kind"><c>image</c>, <c>audio</c>, <c>video</c> or <c>file</c>.</param>
    /// <param name="fileName">Name shown to others and offered on download.</param>
    /// <param name="contentType">The media type you claim; the server checks it against the content.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The stored file.</returns>
    /// <exception cref="ParleyApiException">413 over the kind's limit, 415 a type the kind does not allow or the content contradicts.</exception>
    public Task<UploadedFile> UploadFileAsync(Stream content, string kind, string fileName, string? contentType = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        return SendCoreAsync(HttpMethod.Post, "api/files" + Query(("kind", kind), ("name", fileName)), Stream(content, contentType), Json.UploadedFile,
            cancellationToken);
    }

    /// <summary>Downloads a file (one you uploaded, or one sent in a conversation you can read) into <paramref name="destination"/>.</summary>
    /// <param name="fileId">The id from <see cref="UploadFileAsync"/> or a media message's payload.</param>
    /// <param name="destination">Where the bytes go; not disposed.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The served media type.</returns>
    /// <exception cref="ParleyApiException">404 when the file does not exist or is not yours to see.</exception>
    public async Task<string?> DownloadFileAsync(string fileId, Stream destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_baseUri, "api/files/" + Seg(fileId)));
        if (AccessToken is { } token) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode) throw await ToExceptionAsync(response, cancellationToken).ConfigureAwait(false);
        await response.Content.CopyToAsync(destination, cancellationToken).ConfigureAwait(false);
        return response.Content.Headers.ContentType?.MediaType;
    }

    /// <summary>Sets the caller's avatar from an image (PNG, JPEG, GIF, WebP, BMP, AVIF).</summary>
    /// <param name="image">The image bytes; read to the end, not disposed.</param>
    /// <param name="contentType">Its media type.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The profile, whose <c>AvatarUrl</c> now points at the image.</returns>
    public Task<UserProfile> SetAvatarAsync(Stream image, string contentType, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(image);
        return SendCoreAsync(HttpMethod.Put, "api/me/avatar", Stream(image, contentType), Json.UserProfile, cancellationToken);
    }

    /// <summary>Removes the caller's avatar.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when it is gone.</returns>
    public Task RemoveAvatarAsync(CancellationToken cancellationToken = default) => SendAsync(HttpMethod.Delete, "api/me/avatar", cancellationToken);

    /// <summary>Removes a message (yours, or any in a group you own): it becomes a tombstone of kind <c>removed</c>.</summary>
    /// <param name="conversation">Conversation id.</param>
    /// <param name="seq">The message's sequence number.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when it is removed.</returns>
    public Task RemoveMessageAsync(string conversation, long seq, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, $"api/conversations/{Seg(conversation)}/messages/{seq.ToString(System.Globalization.CultureInfo.InvariantCulture)}",
            cancellationToken);

    private static StreamContent Stream(Stream content, string? contentType)
    {
        var body = new StreamContent(content, 64 * 1024);
        if (contentType is not null) body.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        if (content.CanSeek) body.Headers.ContentLength = content.Length - content.Position;
        return body;
    }
}
