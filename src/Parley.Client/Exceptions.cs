using System.Net;

namespace Parley.Client;

/// <summary>A REST call failed; carries the HTTP status and the RFC 7807 problem details.</summary>
public sealed class ParleyApiException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="statusCode">HTTP status code of the response.</param>
    /// <param name="title">Problem title, if any.</param>
    /// <param name="detail">Problem detail, if any.</param>
    /// <param name="errors">Validation errors by field, if any.</param>
    public ParleyApiException(HttpStatusCode statusCode, string? title, string? detail, IReadOnlyDictionary<string, string[]>? errors = null)
        : base(BuildMessage(statusCode, title, detail))
    {
        StatusCode = statusCode;
        Title = title;
        Detail = detail;
        Errors = errors ?? new Dictionary<string, string[]>();
    }

    /// <summary>HTTP status code of the response.</summary>
    public HttpStatusCode StatusCode { get; }

    /// <summary>Problem-details title, if any.</summary>
    public string? Title { get; }

    /// <summary>Problem-details detail, if any.</summary>
    public string? Detail { get; }

    /// <summary>Validation errors by field name (empty when none).</summary>
    public IReadOnlyDictionary<string, string[]> Errors { get; }

    private static string BuildMessage(HttpStatusCode status, string? title, string? detail) =>
        $"HTTP {(int)status} {title ?? status.ToString()}" + (detail is null ? "" : $": {detail}");
}

/// <summary>The server answered a WebSocket request with an <c>error</c> frame (the connection stays open).</summary>
public sealed class ParleyRequestException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="code">Protocol error code (see <see cref="ParleyErrorCodes"/>).</param>
    /// <param name="message">Error message of the server.</param>
    public ParleyRequestException(int code, string? message)
        : base($"Parley error {code}: {message}")
    {
        Code = code;
        ServerMessage = message;
    }

    /// <summary>Protocol error code (see <see cref="ParleyErrorCodes"/>).</summary>
    public int Code { get; }

    /// <summary>Error message of the server.</summary>
    public string? ServerMessage { get; }
}

/// <summary>The connection is not open, was lost before a reply, or could not be established.</summary>
public sealed class ParleyConnectionException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">Description.</param>
    /// <param name="closeCode">WebSocket close code, if the server closed the connection.</param>
    /// <param name="httpStatus">HTTP status of a refused upgrade, if any.</param>
    /// <param name="inner">Underlying exception, if any.</param>
    public ParleyConnectionException(string message, int? closeCode = null, HttpStatusCode? httpStatus = null, Exception? inner = null)
        : base(message, inner)
    {
        CloseCode = closeCode;
        HttpStatus = httpStatus;
    }

    /// <summary>WebSocket close code, if the server closed the connection.</summary>
    public int? CloseCode { get; }

    /// <summary>HTTP status of a refused WebSocket upgrade (401, 403 …), if any.</summary>
    public HttpStatusCode? HttpStatus { get; }
}

/// <summary>
/// Thrown by a server-call handler (<see cref="ParleyClient.RegisterCallHandler"/>) to answer the call with an error
/// code and message; the server's caller receives them as the client's failure.
/// </summary>
public sealed class ParleyCallException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="code">Error code for the server (application codes: 1000 and above).</param>
    /// <param name="message">Message for the server (at most 1024 characters are kept).</param>
    public ParleyCallException(int code, string message)
        : base(message)
    {
        Code = code;
    }

    /// <summary>Error code for the server.</summary>
    public int Code { get; }
}
