namespace Parley.Core;

/// <summary>What went wrong, in terms every front end can map (HTTP status, reply error code).</summary>
public enum ParleyErrorKind
{
    Validation,
    Unauthorized,
    Forbidden,
    NotFound,
    Conflict,
    TooLarge,
    UnsupportedMediaType,
    RateLimited,
    Unavailable,
}

/// <summary>
/// A refusal the caller caused or may retry, with a message safe to show to clients. Anything else thrown is a
/// server fault and is reported without its text.
/// </summary>
public sealed class ParleyException(ParleyErrorKind kind, int code, string message, IDictionary<string, string[]>? errors = null)
    : Exception(message)
{
    public ParleyErrorKind Kind { get; } = kind;
    /// <summary>One of <see cref="Parley.Abstractions.ErrorCodes"/>.</summary>
    public int Code { get; } = code;
    public IDictionary<string, string[]>? Errors { get; } = errors;

    public static ParleyException NotFound(string what) => new(ParleyErrorKind.NotFound, Abstractions.ErrorCodes.NotFound, what);
    public static ParleyException Forbidden(string why) => new(ParleyErrorKind.Forbidden, Abstractions.ErrorCodes.Forbidden, why);
    public static ParleyException Conflict(string why) => new(ParleyErrorKind.Conflict, Abstractions.ErrorCodes.InvalidField, why);
    public static ParleyException Invalid(string field, string why) =>
        new(ParleyErrorKind.Validation, Abstractions.ErrorCodes.InvalidField, why, new Dictionary<string, string[]> { [field] = [why] });
}
