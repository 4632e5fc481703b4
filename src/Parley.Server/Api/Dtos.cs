using System.Text.Json;
using Parley.Abstractions.Files;
using Parley.Abstractions.Model;
using Parley.Core.Services;

namespace Parley.Server.Api;

public sealed record RegisterRequest(string? Account, string? Password, string? DisplayName);
public sealed record LoginRequest(string? Account, string? Password);
public sealed record LoginResponse(string Token, DateTimeOffset ExpiresAt, UserProfile User);
public sealed record ProfileUpdate(string? DisplayName, string? AvatarUrl, string? Bio, DirectMessagePolicy? DirectMessages);
public sealed record PasswordChange(string? CurrentPassword, string? NewPassword);
public sealed record UserProfile(long Id, string Account, string DisplayName, string? AvatarUrl, string? Bio, DirectMessagePolicy DirectMessages, DateTimeOffset CreatedAt);
public sealed record UserSummary(long Id, string Account, string DisplayName, string? AvatarUrl, bool Online);
public sealed record FriendRequestCreate(string? User, string? Message);
public sealed record FriendRequestDto(long Id, UserSummary From, UserSummary To, string? Message, FriendRequestStatus Status, string Direction, DateTimeOffset CreatedAt);
public sealed record GroupCreate(string? Name, bool? InviteOnly);
public sealed record GroupUpdate(string? Name, bool? InviteOnly);
public sealed record GroupInvite(string? User);
public sealed record GroupDto(long Id, string Name, long OwnerId, bool InviteOnly, int MemberCount, DateTimeOffset CreatedAt);
public sealed record GroupMemberDto(long UserId, string Account, string DisplayName, GroupRole Role, DateTimeOffset JoinedAt, bool Online, string? AvatarUrl);
public sealed record GroupRef(long Id, string Name);
public sealed record ConversationDto(string Conversation, long LastSeq, long DeliveredSeq, long ReadSeq, int Unread, ChatMessage? LastMessage, UserSummary? Peer, GroupRef? Group,
    long? PeerDeliveredSeq, long? PeerReadSeq);
public sealed record HistoryDto(IReadOnlyList<ChatMessage> Messages, bool HasMore);
public sealed record ReadRequest(long? Seq);
/// <summary>A send over REST; <c>to</c> is an account name or a user id (as a string or a number).</summary>
public sealed record MessageCreate(JsonElement? To, long? Group, string? Conversation, string? Kind, string? Text, JsonElement? Payload, string? ClientMsgId);
public sealed record SendResultDto(string Conversation, long Seq, string MessageId, long Ts, bool Duplicate);
/// <summary>A live connection; a client connection has its kind and id (and user 0 with an empty account when its token names no user).</summary>
public sealed record ConnectionDto(long Id, long UserId, string Account, string Transport, string? RemoteAddress, DateTimeOffset ConnectedAt,
    string? ClientKind = null, string? ClientId = null);
public sealed record KickResult(int Closed);
public sealed record FileDto(string Id, string Kind, string Name, long Size, string ContentType, string Sha256, string Url, DateTimeOffset CreatedAt);

public static class Dto
{
    public static UserProfile Profile(Account a) => new(a.Id, a.Name, a.DisplayName, a.AvatarUrl, a.Bio, a.DirectMessages, a.CreatedAt);
    public static UserSummary Summary(UserView v) => new(v.Account.Id, v.Account.Name, v.Account.DisplayName, v.Account.AvatarUrl, v.Online);
    public static UserSummary Summary(Account a, bool online) => new(a.Id, a.Name, a.DisplayName, a.AvatarUrl, online);

    public static FriendRequestDto Request(FriendRequestView v, long me) => new(v.Request.Id, Summary(v.From), Summary(v.To), v.Request.Message,
        v.Request.Status, v.Request.ToUserId == me ? "incoming" : "outgoing", v.Request.CreatedAt);

    public static GroupDto Group(GroupView v) => new(v.Group.Id, v.Group.Name, v.Group.OwnerId, v.Group.InviteOnly, v.MemberCount, v.Group.CreatedAt);

    public static GroupMemberDto Member(MemberView v) => new(v.Member.UserId, v.Account.Name, v.Account.DisplayName, v.Member.Role, v.Member.JoinedAt, v.Online, v.Account.AvatarUrl);

    public static string FileUrl(StoredFile f) => "/api/files/" + f.Id;

    public static FileDto File(StoredFile f) => new(f.Id, f.Kind, f.Name, f.Size, f.ContentType, f.Sha256, FileUrl(f), f.CreatedAt);

    public static ConversationDto Conversation(ConversationView v) => new(v.State.ConversationId, v.State.LastSeq, v.State.DeliveredSeq, v.State.ReadSeq,
        v.State.UnreadCount, v.State.LastMessage, v.Peer is null ? null : Summary(v.Peer), v.Group is null ? null : new GroupRef(v.Group.Id, v.Group.Name),
        v.PeerDeliveredSeq, v.PeerReadSeq);
}
