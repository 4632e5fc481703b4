using System.Text.Json.Serialization;
using Parley.Client.Serialization;

namespace Parley.Client;

/// <summary>The full profile of the signed-in user (or of a newly registered one).</summary>
/// <param name="Id">User id.</param>
/// <param name="Account">Account name (lower-case).</param>
/// <param name="DisplayName">Display name.</param>
/// <param name="AvatarUrl">Avatar URL, if set.</param>
/// <param name="Bio">Biography, if set.</param>
/// <param name="DirectMessages">Who may send direct messages: <c>anyone</c> or <c>friendsOnly</c>.</param>
/// <param name="CreatedAt">When the account was created.</param>
public sealed record UserProfile(
    long Id,
    string Account,
    string DisplayName,
    string? AvatarUrl,
    string? Bio,
    string? DirectMessages,
    [property: JsonConverter(typeof(FlexibleTimestampConverter))] DateTimeOffset CreatedAt);

/// <summary>A short public description of a user.</summary>
/// <param name="Id">User id.</param>
/// <param name="Account">Account name.</param>
/// <param name="DisplayName">Display name.</param>
/// <param name="AvatarUrl">Avatar URL, if set.</param>
/// <param name="Online">Whether the user is online (when the caller may know).</param>
public sealed record UserSummary(long Id, string Account, string DisplayName, string? AvatarUrl, bool Online);

/// <summary>The result of a successful login.</summary>
/// <param name="Token">The bearer token (JWT).</param>
/// <param name="ExpiresAt">When the token expires.</param>
/// <param name="User">The signed-in user's profile.</param>
public sealed record LoginResult(
    string Token,
    [property: JsonConverter(typeof(FlexibleTimestampConverter))] DateTimeOffset ExpiresAt,
    UserProfile User);

/// <summary>A friend request.</summary>
/// <param name="Id">Request id.</param>
/// <param name="From">Who sent the request.</param>
/// <param name="To">Who received it.</param>
/// <param name="Message">Optional message of the sender.</param>
/// <param name="Status">Status (<c>pending</c>, <c>accepted</c>, <c>declined</c> …).</param>
/// <param name="Direction"><c>incoming</c> or <c>outgoing</c>, seen from the caller.</param>
/// <param name="CreatedAt">When the request was made.</param>
public sealed record FriendRequestInfo(
    long Id,
    UserSummary From,
    UserSummary To,
    string? Message,
    string Status,
    string? Direction,
    [property: JsonConverter(typeof(FlexibleTimestampConverter))] DateTimeOffset CreatedAt);

/// <summary>A group.</summary>
/// <param name="Id">Group id.</param>
/// <param name="Name">Group name.</param>
/// <param name="OwnerId">User id of the owner.</param>
/// <param name="InviteOnly">Whether joining needs an invitation.</param>
/// <param name="MemberCount">Number of members.</param>
/// <param name="CreatedAt">When the group was created.</param>
public sealed record GroupInfo(
    long Id,
    string Name,
    long OwnerId,
    bool InviteOnly,
    int MemberCount,
    [property: JsonConverter(typeof(FlexibleTimestampConverter))] DateTimeOffset CreatedAt);

/// <summary>A member of a group.</summary>
/// <param name="UserId">User id.</param>
/// <param name="Account">Account name.</param>
/// <param name="DisplayName">Display name.</param>
/// <param name="Role"><c>owner</c> or <c>member</c>.</param>
/// <param name="JoinedAt">When the user joined.</param>
/// <param name="Online">Whether the member is online.</param>
public sealed record GroupMemberInfo(
    long UserId,
    string Account,
    string DisplayName,
    string Role,
    [property: JsonConverter(typeof(FlexibleTimestampConverter))] DateTimeOffset JoinedAt,
    bool Online);

/// <summary>A short reference to a group.</summary>
/// <param name="Id">Group id.</param>
/// <param name="Name">Group name.</param>
public sealed record GroupRef(long Id, string Name);

/// <summary>A conversation of the signed-in user with its cursors.</summary>
/// <param name="Conversation">Conversation id.</param>
/// <param name="LastSeq">Seq of the newest message.</param>
/// <param name="DeliveredSeq">The user's delivered cursor.</param>
/// <param name="ReadSeq">The user's read cursor.</param>
/// <param name="Unread">Number of unread messages.</param>
/// <param name="LastMessage">The newest message, if any.</param>
/// <param name="Peer">The other user of a direct conversation.</param>
/// <param name="Group">The group of a group conversation.</param>
public sealed record ConversationInfo(
    string Conversation,
    long LastSeq,
    long DeliveredSeq,
    long ReadSeq,
    long Unread,
    ChatMessage? LastMessage,
    UserSummary? Peer,
    GroupRef? Group);

/// <summary>The result of sending a message over REST; the message is durable when this is returned.</summary>
/// <param name="Conversation">Conversation id.</param>
/// <param name="Seq">Assigned sequence number.</param>
/// <param name="MessageId">Assigned message id.</param>
/// <param name="Ts">Server timestamp in Unix milliseconds.</param>
/// <param name="Duplicate">Whether the server had already stored a message with this client message id.</param>
public sealed record SendResult(string Conversation, long Seq, string MessageId, long Ts, bool Duplicate);

/// <summary>An uploaded file.</summary>
/// <param name="Id">File id (for message payloads and <c>/api/files/{id}</c>).</param>
/// <param name="Kind"><c>image</c>, <c>audio</c>, <c>video</c> or <c>file</c>.</param>
/// <param name="Name">Sanitised file name.</param>
/// <param name="Size">Length in bytes.</param>
/// <param name="ContentType">The media type it is served with.</param>
/// <param name="Sha256">Lower-case hex SHA-256 of the content.</param>
/// <param name="Url">Relative download address.</param>
/// <param name="CreatedAt">Upload time.</param>
public sealed record UploadedFile(string Id, string Kind, string Name, long Size, string ContentType, string Sha256, string Url, DateTimeOffset CreatedAt);

/// <summary>A live connection, as listed to administrators.</summary>
/// <param name="Id">Connection id.</param>
/// <param name="UserId">User id.</param>
/// <param name="Account">Account name.</param>
/// <param name="Transport">Transport name.</param>
/// <param name="RemoteAddress">Remote address, if known.</param>
/// <param name="ConnectedAt">When the connection was opened.</param>
/// <param name="ClientKind">Client kind of a device or program connection, else null.</param>
/// <param name="ClientId">Client id of a device or program connection, else null.</param>
public sealed record AdminConnectionInfo(
    long Id,
    long UserId,
    string Account,
    string Transport,
    string? RemoteAddress,
    [property: JsonConverter(typeof(FlexibleTimestampConverter))] DateTimeOffset ConnectedAt,
    string? ClientKind = null,
    string? ClientId = null);

/// <summary>The result of kicking a user.</summary>
/// <param name="Closed">Number of connections closed.</param>
public sealed record KickResult(int Closed);

/// <summary>Fields to change on the signed-in user's profile; <see langword="null"/> leaves a field unchanged.</summary>
/// <param name="DisplayName">New display name.</param>
/// <param name="AvatarUrl">New avatar URL.</param>
/// <param name="Bio">New biography.</param>
/// <param name="DirectMessages"><c>anyone</c> or <c>friendsOnly</c>.</param>
public sealed record ProfileUpdate(
    string? DisplayName = null,
    string? AvatarUrl = null,
    string? Bio = null,
    string? DirectMessages = null);

/// <summary>A client token from <see cref="ParleyApiClient.GetClientTokenAsync"/>.</summary>
/// <param name="Token">The JWT to connect with.</param>
/// <param name="ExpiresAt">Expiry.</param>
/// <param name="Kind">Client kind.</param>
/// <param name="ClientId">Client id.</param>
/// <param name="UserId">The user the token names, if any.</param>
public sealed record ClientTokenResult(
    string Token,
    [property: JsonConverter(typeof(FlexibleTimestampConverter))] DateTimeOffset ExpiresAt,
    string Kind,
    string ClientId,
    long? UserId);
