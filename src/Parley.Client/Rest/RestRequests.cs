using System.Text.Json;

namespace Parley.Client.Rest;

internal sealed record RegisterRequest(string Account, string Password, string DisplayName);
internal sealed record LoginRequest(string Account, string Password);
internal sealed record PasswordChangeRequest(string CurrentPassword, string NewPassword);
internal sealed record FriendRequestCreate(string User, string? Message);
internal sealed record UserRefRequest(string User);
internal sealed record GroupCreateRequest(string Name, bool? InviteOnly);
internal sealed record GroupUpdateRequest(string? Name, bool? InviteOnly);
internal sealed record ReadRequest(long Seq);
internal sealed record KickRequest(string? Reason);
internal sealed record RestSendRequest(
    string? To, long? Group, string? Conversation, string? Kind, string? Text, JsonElement? Payload, string? ClientMsgId);

internal sealed record ProblemDetailsDto(
    string? Type, string? Title, int? Status, string? Detail, Dictionary<string, string[]>? Errors);

internal sealed record ClientTokenRequest(string Kind, string ClientId, string Secret);
