namespace Parley.Transports.MobileImSdk;

/// <summary>
/// Server-to-client pushes and session control for the application (MobileIMSDK's server-side sending API).
/// Inject it anywhere; it is a singleton.
/// </summary>
public sealed class MobileImPush(MobileImGateway gateway)
{
    /// <summary>
    /// Sends a type-2 packet from "0" to the user's current MobileIMSDK session, on whichever node of the cluster holds it. With QoS the task completes when the
    /// client acknowledged it (<see cref="MobileImPushStatus.Received"/>) or after the resend window
    /// (<see cref="MobileImPushStatus.Lost"/>; the S2C hooks fire as well). Pushes are not stored: an offline user gets nothing.
    /// </summary>
    /// <param name="userId">The receiver's user id (account name).</param>
    /// <param name="dataContent">The text.</param>
    /// <param name="typeU">Application sub-type (-1 = unused).</param>
    /// <param name="qos">Resend until acknowledged.</param>
    /// <param name="fp">Fingerprint; a new UUID when null and QoS is on.</param>
    public Task<MobileImPushStatus> PushAsync(string userId, string dataContent, int typeU = -1, bool qos = true, string? fp = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        ArgumentNullException.ThrowIfNull(dataContent);
        return gateway.PushAsync(userId, dataContent, typeU, qos, fp);
    }

    /// <summary>Whether the user has a logged-in MobileIMSDK session on this node.</summary>
    public bool IsOnline(string userId) => gateway.OnlineSession(userId) is not null;

    /// <summary>Sends the kickout packet (code 2, "kicked by the administrator") and ends the user's MobileIMSDK session on this node.</summary>
    public bool Kick(string userId, string? reason = null) => gateway.Kick(userId, reason);

    /// <summary>As <see cref="Kick"/>, on whichever node of the cluster holds the user's session.</summary>
    public Task<bool> KickAsync(string userId, string? reason = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        return gateway.KickAsync(userId, reason);
    }
}
