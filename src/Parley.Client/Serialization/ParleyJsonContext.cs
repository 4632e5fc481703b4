using System.Text.Json;
using System.Text.Json.Serialization;
using Parley.Client.Realtime;
using Parley.Client.Rest;

namespace Parley.Client.Serialization;

[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ClientFrame))]
[JsonSerializable(typeof(ServerFrame))]
[JsonSerializable(typeof(OnlineResult))]
[JsonSerializable(typeof(ChatMessage))]
[JsonSerializable(typeof(HistoryPage))]
[JsonSerializable(typeof(UserProfile))]
[JsonSerializable(typeof(UserSummary))]
[JsonSerializable(typeof(List<UserSummary>))]
[JsonSerializable(typeof(LoginResult))]
[JsonSerializable(typeof(FriendRequestInfo))]
[JsonSerializable(typeof(List<FriendRequestInfo>))]
[JsonSerializable(typeof(GroupInfo))]
[JsonSerializable(typeof(List<GroupInfo>))]
[JsonSerializable(typeof(List<GroupMemberInfo>))]
[JsonSerializable(typeof(List<ConversationInfo>))]
[JsonSerializable(typeof(SendResult))]
[JsonSerializable(typeof(UploadedFile))]
[JsonSerializable(typeof(List<AdminConnectionInfo>))]
[JsonSerializable(typeof(KickResult))]
[JsonSerializable(typeof(ProfileUpdate))]
[JsonSerializable(typeof(RegisterRequest))]
[JsonSerializable(typeof(LoginRequest))]
[JsonSerializable(typeof(PasswordChangeRequest))]
[JsonSerializable(typeof(FriendRequestCreate))]
[JsonSerializable(typeof(UserRefRequest))]
[JsonSerializable(typeof(GroupCreateRequest))]
[JsonSerializable(typeof(GroupUpdateRequest))]
[JsonSerializable(typeof(ReadRequest))]
[JsonSerializable(typeof(KickRequest))]
[JsonSerializable(typeof(RestSendRequest))]
[JsonSerializable(typeof(ProblemDetailsDto))]
[JsonSerializable(typeof(ClientTokenRequest))]
[JsonSerializable(typeof(ClientTokenResult))]
internal sealed partial class ParleyJsonContext : JsonSerializerContext
{
}
