using Parley.Abstractions.Model;

namespace Parley.Abstractions.Hooks;

/// <summary>A live connection as hooks and administrators see it.</summary>
public interface IConnectionInfo
{
    /// <summary>Process-unique connection id.</summary>
    long Id { get; }
    /// <summary>Authenticated user.</summary>
    long UserId { get; }
    /// <summary>The user's account name.</summary>
    string UserName { get; }
    /// <summary>"ws", "stomp", "mobileimsdk-udp" …</summary>
    string Transport { get; }
    /// <summary>Peer address, if known.</summary>
    string? RemoteAddress { get; }
    /// <summary>When it connected.</summary>
    DateTimeOffset ConnectedAt { get; }
    /// <summary>The client kind of a device or program connection; null for a plain user connection.</summary>
    string? ClientKind => null;
    /// <summary>The client id within <see cref="ClientKind"/>; null for a plain user connection.</summary>
    string? ClientId => null;
}

/// <summary>Outcome of a hook that may refuse.</summary>
public readonly record struct HookDecision(bool Allowed, string? Reason)
{
    /// <summary>Go ahead.</summary>
    public static HookDecision Allow => new(true, null);
    /// <summary>Refuse; <paramref name="reason"/> is shown to the client.</summary>
    public static HookDecision Reject(string reason) => new(false, reason);
}

/// <summary>What a login hook sees: a valid token or password for an enabled account.</summary>
public sealed record LoginContext(Account Account, string Transport, string? RemoteAddress);

/// <summary>What a client-kind login hook sees: a valid client token; <paramref name="Account"/> when it also names a user.</summary>
public sealed record ClientLoginContext(string Kind, string ClientId, Account? Account, string Transport, string? RemoteAddress);

/// <summary>A message about to be accepted.</summary>
public sealed record MessageDraft(long SenderId, string SenderName, string ConversationId, long? RecipientId, long? GroupId, string Kind, string? Text, string? Payload, string Transport);

/// <summary>Why a message could not be handed to a recipient in real time.</summary>
public enum DeliveryFailure
{
    /// <summary>The recipient has no live connection; the message waits in storage for their next sync.</summary>
    Offline = 0,
    /// <summary>A connection's outbound queue was full; it was closed and will recover by sync.</summary>
    SlowConsumer = 1,
}

/// <summary>
/// Server-side extension points, the moments of MobileIMSDK's ServerEventListener and more. Override what you
/// need; every default allows or does nothing. Calls that cannot refuse run off the hot path: a slow
/// implementation delays only itself.
/// </summary>
public class ParleyHooks
{
    /// <summary>After the token or password was verified: may refuse the login.</summary>
    public virtual ValueTask<HookDecision> VerifyLoginAsync(LoginContext context, CancellationToken ct) => ValueTask.FromResult(HookDecision.Allow);

    /// <summary>
    /// After a client-kind token was verified (and, when it names a user, after <see cref="VerifyLoginAsync"/>): may
    /// refuse the connection (HTTP 403 before the upgrade).
    /// </summary>
    public virtual ValueTask<HookDecision> VerifyClientLoginAsync(ClientLoginContext context, CancellationToken ct) => ValueTask.FromResult(HookDecision.Allow);

    /// <summary>A connection was registered; <paramref name="firstForUser"/> when the user just came online (always false for a client connection without a user).</summary>
    public virtual ValueTask OnOnlineAsync(IConnectionInfo connection, bool firstForUser) => ValueTask.CompletedTask;

    /// <summary>A connection ended; <paramref name="lastForUser"/> when the user just went offline.</summary>
    public virtual ValueTask OnOfflineAsync(IConnectionInfo connection, DisconnectCode code, bool lastForUser) => ValueTask.CompletedTask;

    /// <summary>
    /// Before a message is stored: may refuse it (the sender gets <see cref="ErrorCodes.RejectedByHook"/>). A resend
    /// of a stored message (same client message id) may be offered again; it is answered as stored whatever this says.
    /// </summary>
    public virtual ValueTask<HookDecision> BeforeSendAsync(MessageDraft draft, CancellationToken ct) => ValueTask.FromResult(HookDecision.Allow);

    /// <summary>A committed message was handed to <paramref name="connections"/> live connections of a recipient.</summary>
    public virtual ValueTask AfterDeliveredAsync(ChatMessage message, long recipientId, int connections) => ValueTask.CompletedTask;

    /// <summary>A committed message could not be handed to a recipient in real time.</summary>
    public virtual ValueTask OnDeliveryFailedAsync(ChatMessage message, long recipientId, DeliveryFailure failure) => ValueTask.CompletedTask;

    /// <summary>
    /// May this connection subscribe (<paramref name="publish"/> false) or publish (true) to a free pub/sub
    /// destination (STOMP <c>/topic/...</c> or <c>/queue/...</c> outside the reserved prefixes, which the server
    /// authorises itself)? The default allows both.
    /// </summary>
    public virtual ValueTask<bool> AuthorizeTopicAsync(IConnectionInfo connection, string destination, bool publish, CancellationToken ct) =>
        ValueTask.FromResult(true);

    /// <summary>
    /// MobileIMSDK gateway: after the token or password of a login was verified (and <see cref="VerifyLoginAsync"/>
    /// allowed it). Return 0 to accept, or an application code (1025 and above recommended) that the client receives
    /// in its login response.
    /// </summary>
    public virtual ValueTask<int> VerifyMobileImLoginAsync(MobileImLoginContext context, CancellationToken ct) => ValueTask.FromResult(0);

    /// <summary>
    /// MobileIMSDK gateway: a client sent data to the server (<c>to</c> = "0"). Runs after the QoS acknowledgement was
    /// sent and never for a resent duplicate. Return a reply to answer the sender, or null.
    /// </summary>
    public virtual ValueTask<MobileImReply?> OnMobileImC2SDataAsync(MobileImC2SData data, CancellationToken ct) => ValueTask.FromResult<MobileImReply?>(null);

    /// <summary>MobileIMSDK gateway: a server-to-client QoS packet was acknowledged by its receiver.</summary>
    public virtual ValueTask OnMobileImS2CReceivedAsync(MobileImS2CPacket packet) => ValueTask.CompletedTask;

    /// <summary>
    /// MobileIMSDK gateway: server-to-client QoS packets were not acknowledged within the resend window. Chat messages
    /// among them stay undelivered in storage and are replayed at the receiver's next login.
    /// </summary>
    public virtual ValueTask OnMobileImS2CLostAsync(IReadOnlyList<MobileImS2CPacket> packets) => ValueTask.CompletedTask;
}
