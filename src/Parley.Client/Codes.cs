namespace Parley.Client;

/// <summary>Error codes of <c>error</c> frames (docs/protocol.md).</summary>
public static class ParleyErrorCodes
{
    /// <summary>Malformed frame or JSON.</summary>
    public const int MalformedFrame = 100;
    /// <summary>Unknown frame type.</summary>
    public const int UnknownType = 101;
    /// <summary>Missing or invalid field.</summary>
    public const int InvalidField = 102;
    /// <summary>Text or payload too large.</summary>
    public const int TooLarge = 103;
    /// <summary>No handler for the query's (or the server call's) method.</summary>
    public const int UnknownMethod = 104;
    /// <summary>Unknown user, group or conversation.</summary>
    public const int NotFound = 200;
    /// <summary>Not a member or participant.</summary>
    public const int NotMember = 201;
    /// <summary>Blocked.</summary>
    public const int Blocked = 202;
    /// <summary>The recipient accepts direct messages from friends only.</summary>
    public const int FriendsOnly = 203;
    /// <summary>Refused by a server hook.</summary>
    public const int RefusedByHook = 204;
    /// <summary>Rate limited: the frame was dropped.</summary>
    public const int RateLimited = 300;
    /// <summary>Server overloaded, retry later.</summary>
    public const int Overloaded = 301;
    /// <summary>Too many queries in flight on this connection.</summary>
    public const int TooManyInFlight = 302;
    /// <summary>Internal server error.</summary>
    public const int Internal = 500;
    /// <summary>Storage failed: resend with the same client message id.</summary>
    public const int StorageFailed = 501;
}

/// <summary>WebSocket close codes used by the server (docs/protocol.md).</summary>
public static class ParleyCloseCodes
{
    /// <summary>Normal closure.</summary>
    public const int Normal = 1000;
    /// <summary>Token expired or invalid: reconnect after a new login.</summary>
    public const int Unauthorized = 4001;
    /// <summary>The token was revoked: do not reconnect.</summary>
    public const int LoggedOut = 4002;
    /// <summary>Kicked by an administrator: do not reconnect.</summary>
    public const int Kicked = 4003;
    /// <summary>The account is disabled: do not reconnect.</summary>
    public const int AccountDisabled = 4004;
    /// <summary>Idle timeout.</summary>
    public const int IdleTimeout = 4008;
    /// <summary>A frame exceeded the server's limit.</summary>
    public const int FrameTooLarge = 4009;
    /// <summary>The outbound queue overflowed.</summary>
    public const int SlowConsumer = 4010;
    /// <summary>The server is shutting down.</summary>
    public const int ServerShutdown = 4011;
    /// <summary>Another connection logged in with the same client kind and id: do not reconnect.</summary>
    public const int Replaced = 4012;
    /// <summary>Far past the rate limit: reconnect later.</summary>
    public const int Flooding = 4029;
    /// <summary>Protocol error (binary frame, invalid UTF-8).</summary>
    public const int ProtocolError = 4030;

    /// <summary>Whether the client must not reconnect automatically after this close code.</summary>
    /// <param name="code">The close code.</param>
    /// <returns><see langword="true"/> for 1000, 4002, 4003, 4004 and 4012.</returns>
    public static bool IsTerminal(int code) => code is Normal or LoggedOut or Kicked or AccountDisabled or Replaced;
}
