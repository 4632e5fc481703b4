using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Parley.Abstractions.Stores;
using Parley.Core;

namespace Parley.Server.Api;

/// <summary>
/// Turns refusals into RFC 7807 problem details with the right status; anything unexpected becomes a 500 whose
/// detail is shown only in Development.
/// </summary>
public sealed class ProblemMapping(IProblemDetailsService problems, IHostEnvironment environment) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        var problem = exception switch
        {
            ParleyException p => FromParley(p),
            StorageUnavailableException => new ProblemDetails
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Title = "Storage unavailable",
                Detail = "storage is unavailable, nothing was changed; retry later",
                Extensions = { ["code"] = Abstractions.ErrorCodes.StorageFailed },
            },
            BadHttpRequestException b => new ProblemDetails { Status = b.StatusCode, Title = b.StatusCode == 413 ? "Payload too large" : "Bad request", Detail = b.Message },
            _ => new ProblemDetails
            {
                Status = StatusCodes.Status500InternalServerError,
                Title = "Internal server error",
                Detail = environment.IsDevelopment() ? exception.ToString() : null,
            },
        };
        context.Response.StatusCode = problem.Status ?? 500;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem, Exception = exception });
    }

    public static ProblemDetails FromParley(ParleyException p)
    {
        var status = p.Kind switch
        {
            ParleyErrorKind.Validation => 400,
            ParleyErrorKind.Unauthorized => 401,
            ParleyErrorKind.Forbidden => 403,
            ParleyErrorKind.NotFound => 404,
            ParleyErrorKind.Conflict => 409,
            ParleyErrorKind.TooLarge => 413,
            ParleyErrorKind.UnsupportedMediaType => 415,
            ParleyErrorKind.RateLimited => 429,
            _ => 503,
        };
        var problem = p.Errors is { Count: > 0 }
            ? new ValidationProblemDetails(p.Errors) { Status = status, Title = p.Message }
            : new ProblemDetails { Status = status, Title = p.Message };
        problem.Extensions["code"] = p.Code;
        return problem;
    }

    /// <summary>A problem result for an engine error code (sends, history, online).</summary>
    public static IResult FromCode(int code, string message)
    {
        var status = code switch
        {
            Abstractions.ErrorCodes.NotFound => 404,
            Abstractions.ErrorCodes.Forbidden or Abstractions.ErrorCodes.Blocked or Abstractions.ErrorCodes.NotFriends or Abstractions.ErrorCodes.RejectedByHook => 403,
            Abstractions.ErrorCodes.TooLarge => 413,
            Abstractions.ErrorCodes.UnsupportedMediaType => 415,
            Abstractions.ErrorCodes.RateLimited => 429,
            Abstractions.ErrorCodes.Overloaded or Abstractions.ErrorCodes.StorageFailed => 503,
            Abstractions.ErrorCodes.Internal => 500,
            _ => 400,
        };
        return Results.Problem(statusCode: status, title: message, extensions: new Dictionary<string, object?> { ["code"] = code });
    }
}
