namespace Parley.Abstractions;

/// <summary>
/// Reply errors: the request failed, the connection stays open. Ranges: 1xx the request itself, 2xx who may do what,
/// 3xx load, 5xx the server. Every transport reports these numbers (native "error" frames, STOMP
/// /user/queue/errors, MobileIMSDK error responses use their own codes where the protocol fixes them).
/// </summary>
public static class ErrorCodes
{
    /// <summary>Malformed frame or JSON.</summary>
    public const int BadRequest = 100;
    /// <summary>Unknown frame type or command.</summary>
    public const int UnknownType = 101;
    /// <summary>A field is missing or invalid.</summary>
    public const int InvalidField = 102;
    /// <summary>The text or payload exceeds the configured maximum.</summary>
    public const int TooLarge = 103;
    /// <summary>No handler for the query's method (for this client kind).</summary>
    public const int UnknownMethod = 104;
    /// <summary>The content type is not allowed for this kind, or the content contradicts the claimed type.</summary>
    public const int UnsupportedMediaType = 105;
    /// <summary>Unknown user, group or conversation.</summary>
    public const int NotFound = 200;
    /// <summary>Not a member of the group or conversation.</summary>
    public const int Forbidden = 201;
    /// <summary>The recipient blocked the sender (or the sender blocked the recipient).</summary>
    public const int Blocked = 202;
    /// <summary>The recipient accepts direct messages from friends only.</summary>
    public const int NotFriends = 203;
    /// <summary>A server hook refused the request.</summary>
    public const int RejectedByHook = 204;
    /// <summary>Too many frames; slow down.</summary>
    public const int RateLimited = 300;
    /// <summary>The server is shedding load; retry later.</summary>
    public const int Overloaded = 301;
    /// <summary>Too many queries or calls in flight on this connection; wait for some to finish.</summary>
    public const int TooManyInFlight = 302;
    /// <summary>Unexpected server failure (details only in the server log).</summary>
    public const int Internal = 500;
    /// <summary>Storage failed; the message was not stored and may be resent with the same client message id.</summary>
    public const int StorageFailed = 501;
}

/// <summary>
/// Why the server closed a connection. WebSocket close codes are 4000 + the value; <see cref="DisconnectCodes.ShouldReconnect"/>
/// tells clients whether reconnecting can help.
/// </summary>
public enum DisconnectCode
{
    /// <summary>Normal close requested by the client.</summary>
    Normal = 0,
    /// <summary>Token missing, invalid or expired.</summary>
    Unauthorized = 1,
    /// <summary>The token was revoked by logout.</summary>
    LoggedOut = 2,
    /// <summary>An administrator kicked the user.</summary>
    Kicked = 3,
    /// <summary>The account is disabled.</summary>
    AccountDisabled = 4,
    /// <summary>A login hook refused the connection.</summary>
    LoginRefused = 5,
    /// <summary>No frame within the idle timeout.</summary>
    IdleTimeout = 8,
    /// <summary>A frame exceeded the maximum size.</summary>
    FrameTooLarge = 9,
    /// <summary>The outbound queue overflowed; reconnect and sync.</summary>
    SlowConsumer = 10,
    /// <summary>The server is shutting down.</summary>
    ServerShutdown = 11,
    /// <summary>The same session logged in elsewhere (protocols with single-login semantics).</summary>
    Replaced = 12,
    /// <summary>Sustained flooding beyond the rate limit.</summary>
    Flooding = 29,
    /// <summary>Protocol violation that makes the stream unusable.</summary>
    ProtocolError = 30,
}

/// <summary>Helpers on <see cref="DisconnectCode"/>.</summary>
public static class DisconnectCodes
{
    /// <summary>WebSocket close status used for the code (4000 + value; Normal maps to 1000).</summary>
    public static int ToWebSocketStatus(this DisconnectCode code) => code == DisconnectCode.Normal ? 1000 : 4000 + (int)code;

    /// <summary>Whether a client should reconnect after this code.</summary>
    public static bool ShouldReconnect(this DisconnectCode code) => code switch
    {
        DisconnectCode.IdleTimeout or DisconnectCode.SlowConsumer or DisconnectCode.ServerShutdown => true,
        _ => false,
    };

    /// <summary>Stable snake_case name used in close reasons and logs.</summary>
    public static string ToReason(this DisconnectCode code) => code switch
    {
        DisconnectCode.Normal => "normal",
        DisconnectCode.Unauthorized => "unauthorized",
        DisconnectCode.LoggedOut => "logged_out",
        DisconnectCode.Kicked => "kicked",
        DisconnectCode.AccountDisabled => "account_disabled",
        DisconnectCode.LoginRefused => "login_refused",
        DisconnectCode.IdleTimeout => "idle_timeout",
        DisconnectCode.FrameTooLarge => "frame_too_large",
        DisconnectCode.SlowConsumer => "slow_consumer",
        DisconnectCode.ServerShutdown => "server_shutdown",
        DisconnectCode.Replaced => "replaced",
        DisconnectCode.Flooding => "flooding",
        DisconnectCode.ProtocolError => "protocol_error",
        _ => "unknown",
    };
}
