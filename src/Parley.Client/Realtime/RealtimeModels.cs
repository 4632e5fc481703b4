using System.Text.Json;

namespace Parley.Client;

/// <summary>State of a <see cref="ParleyClient"/>'s connection.</summary>
public enum ConnectionState
{
    /// <summary>Not connected and not trying to.</summary>
    Disconnected,
    /// <summary>Opening the first connection.</summary>
    Connecting,
    /// <summary>Connected (the <c>welcome</c> frame arrived).</summary>
    Connected,
    /// <summary>The connection was lost; trying again.</summary>
    Reconnecting,
}

/// <summary>Raised when the connection state changes.</summary>
/// <param name="State">The new state.</param>
/// <param name="CloseCode">WebSocket close code that caused the change, if any.</param>
/// <param name="Reason">Close reason or error description, if any.</param>
public sealed record ConnectionStateChange(ConnectionState State, int? CloseCode, string? Reason);

/// <summary>The server's acknowledgement of a sent message: it is durably stored.</summary>
/// <param name="Conversation">Conversation id.</param>
/// <param name="Seq">Assigned seq.</param>
/// <param name="MessageId">Assigned message id.</param>
/// <param name="Ts">Server timestamp in Unix milliseconds.</param>
/// <param name="Duplicate">True when the server already had this client message id (a resend).</param>
/// <param name="ClientMsgId">The idempotency key that was sent.</param>
public sealed record SendReceipt(string Conversation, long Seq, string MessageId, long Ts, bool Duplicate, string ClientMsgId);

/// <summary>Another participant's delivered or read cursor moved.</summary>
/// <param name="Conversation">Conversation id.</param>
/// <param name="Seq">The cursor's new position.</param>
/// <param name="User">User id.</param>
/// <param name="UserName">Account name.</param>
/// <param name="Status"><c>delivered</c> or <c>read</c>.</param>
public sealed record ReceiptInfo(string Conversation, long Seq, long User, string? UserName, string Status);

/// <summary>A friend or fellow group member came online or went offline.</summary>
/// <param name="User">User id.</param>
/// <param name="UserName">Account name.</param>
/// <param name="Online">Whether the user is now online.</param>
public sealed record PresenceInfo(long User, string? UserName, bool Online);

/// <summary>Someone is typing in a conversation.</summary>
/// <param name="Conversation">Conversation id.</param>
/// <param name="User">User id.</param>
/// <param name="UserName">Account name.</param>
public sealed record TypingInfo(string Conversation, long User, string? UserName);

/// <summary>A message was removed: it is now a tombstone (kind <c>removed</c>, no text or payload).</summary>
/// <param name="Conversation">Conversation id.</param>
/// <param name="Seq">The removed message's seq.</param>
/// <param name="MessageId">The removed message's id.</param>
/// <param name="By">Who removed it (user id): its sender, or the group's owner.</param>
/// <param name="ByName">Their account name.</param>
public sealed record RemovalInfo(string Conversation, long Seq, string MessageId, long By, string? ByName);

/// <summary>
/// Someone else changed this user's friends or groups (a <c>notice</c> frame). Live only: after a reconnect, read the
/// current state (friend requests, friends, groups) through <see cref="ParleyApiClient"/>.
/// </summary>
/// <param name="Kind">What happened: <c>friendRequest</c>, <c>friendAccepted</c>, <c>friendDeclined</c>,
/// <c>friendCancelled</c>, <c>friendRemoved</c>, <c>groupInvited</c>, <c>groupRemoved</c>, <c>groupDissolved</c>,
/// <c>memberJoined</c>, <c>memberLeft</c> or <c>groupOwnerChanged</c>; kinds added later arrive as they are.</param>
/// <param name="User">Who did it (user id); for <c>memberJoined</c> and <c>memberLeft</c>, the member; for
/// <c>groupOwnerChanged</c>, the new owner.</param>
/// <param name="UserName">Their account name.</param>
/// <param name="RequestId">The friend request, for the friend request kinds.</param>
/// <param name="Group">The group, for the group kinds.</param>
/// <param name="GroupName">The group's name, for the group kinds.</param>
public sealed record NoticeInfo(string Kind, long User, string? UserName, long? RequestId, long? Group, string? GroupName);

/// <summary>An <c>error</c> frame that no pending request claimed.</summary>
/// <param name="RequestId">The failed request's id, if any.</param>
/// <param name="Code">Error code (see <see cref="ParleyErrorCodes"/>).</param>
/// <param name="Message">Error message.</param>
public sealed record ServerError(string? RequestId, int Code, string? Message);

/// <summary>A user in a group's live view.</summary>
/// <param name="Id">User id.</param>
/// <param name="Name">Account name.</param>
public sealed record OnlineMember(long Id, string Name);

/// <summary>The session data of the <c>welcome</c> frame.</summary>
/// <param name="UserId">The signed-in user's id.</param>
/// <param name="UserName">The signed-in user's account name.</param>
/// <param name="ConnectionId">Server connection id.</param>
/// <param name="HeartbeatMs">How often the client should send something.</param>
/// <param name="IdleTimeoutMs">After how long a silent connection is closed.</param>
/// <param name="MaxFrameBytes">Largest frame the server accepts.</param>
/// <param name="ServerTime">Server time in Unix milliseconds.</param>
public sealed record WelcomeInfo(long UserId, string? UserName, long ConnectionId, int HeartbeatMs, int IdleTimeoutMs, int MaxFrameBytes, long ServerTime)
{
    /// <summary>The client kind, when connected with a client token; null for a plain user connection.</summary>
    public string? ClientKind { get; init; }

    /// <summary>The client id within <see cref="ClientKind"/>.</summary>
    public string? ClientId { get; init; }

    /// <summary>True when the connection has a user (<see cref="UserId"/> &gt; 0) and may chat.</summary>
    public bool HasUser => UserId > 0;
}

/// <summary>A call from the server to this client, as a handler registered with <see cref="ParleyClient.RegisterCallHandler"/> sees it.</summary>
/// <param name="CallId">The server's correlation id.</param>
/// <param name="Method">Method name.</param>
/// <param name="Payload">Arguments, or null.</param>
/// <param name="Timeout">How long the server waits for the answer; the handler's cancellation token fires then.</param>
public sealed record ServerCall(string CallId, string Method, JsonElement? Payload, TimeSpan Timeout);

/// <summary>Handles a server call: returns the answer data (null = none), or throws <see cref="ParleyCallException"/> to answer with an error.</summary>
/// <param name="call">The call.</param>
/// <param name="cancellationToken">Cancelled at the call's timeout, when the server stops waiting (its caller gave up), or when the connection is lost.</param>
/// <returns>The answer data.</returns>
public delegate Task<JsonElement?> ServerCallHandler(ServerCall call, CancellationToken cancellationToken);

/// <summary>Whom a message or typing notice is for: a user, a group or a conversation.</summary>
public readonly record struct ParleyTarget
{
    private ParleyTarget(string? user, long? group, string? conversation)
    {
        User = user;
        Group = group;
        Conversation = conversation;
    }

    /// <summary>Recipient account name or id as digits, for direct messages.</summary>
    public string? User { get; }

    /// <summary>Group id.</summary>
    public long? Group { get; }

    /// <summary>Conversation id.</summary>
    public string? Conversation { get; }

    /// <summary>A direct target.</summary>
    /// <param name="user">Account name or id as digits.</param>
    /// <returns>The target.</returns>
    public static ParleyTarget ToUser(string user) => new(user ?? throw new ArgumentNullException(nameof(user)), null, null);

    /// <summary>A group target.</summary>
    /// <param name="groupId">Group id.</param>
    /// <returns>The target.</returns>
    public static ParleyTarget ToGroup(long groupId) => new(null, groupId, null);

    /// <summary>A conversation target.</summary>
    /// <param name="conversation">Conversation id.</param>
    /// <returns>The target.</returns>
    public static ParleyTarget ToConversation(string conversation) => new(null, null, conversation ?? throw new ArgumentNullException(nameof(conversation)));
}
