using System.Text.Json;
using Parley.Abstractions;
using Parley.Abstractions.Cluster;
using Parley.Core.Cluster;
using Parley.Core.Services;
using Parley.Protocol.MobileImSdk;

namespace Parley.Transports.MobileImSdk;

/// <summary>
/// The gateway across nodes: MobileIMSDK allows one session per user, so a login on one node ends the user's
/// session on the others (by the same firstLoginTime rule as on one node), and pushes and kicks reach the session
/// on whichever node holds it.
/// </summary>
public sealed partial class MobileImGateway
{
    private const string LoginChannel = "mim.login", PushChannel = "mim.push", KickChannel = "mim.kick";

    private readonly ClusterBus _bus;
    private readonly IPresence _presence;
    private readonly AccountDirectory _accounts;
    private readonly TimeSpan _requestTimeout;

    private void RegisterClusterChannels()
    {
        if (!_bus.IsClustered) return;
        _bus.Register(LoginChannel, OnRemoteLogin);
        _bus.RegisterRequest(PushChannel, OnRemotePushAsync);
        _bus.RegisterRequest(KickChannel, OnRemoteKickAsync);
    }

    /// <summary>Tells the other nodes holding the user that this node now has the user's MobileIMSDK session.</summary>
    private void AnnounceLogin(long accountId, string user, long firstLoginTime)
    {
        if (!_bus.IsClustered) return;
        var note = new MobileImLoginNote(user, firstLoginTime, _bus.NodeId);
        _bus.PublishToUser(LoginChannel, accountId, JsonSerializer.SerializeToUtf8Bytes(note, TransportBusJson.Default.MobileImLoginNote));
    }

    private void OnRemoteLogin(ReadOnlyMemory<byte> payload)
    {
        var note = JsonSerializer.Deserialize(payload.Span, TransportBusJson.Default.MobileImLoginNote);
        if (note is null || note.Node == _bus.NodeId || OnlineSession(note.User) is not { } existing) return;
        // The newer login wins across nodes. The same client moving to another node (same firstLoginTime) is
        // replaced silently; a different one is told why.
        var kick = note.FirstLoginTime != existing.FirstLoginTime;
        if (kick) Send(existing, ProtocalFactory.Kickout(existing.LoginUserId ?? note.User, MobileImKickoutCode.DuplicateLogin));
        Detach(existing, DisconnectCode.Replaced);
        if (!kick || existing.ClosesOnError) existing.Close();
    }

    private async Task<MobileImPushStatus> PushRemoteAsync(string user, string dataContent, int typeU, bool qos, string? fp)
    {
        var account = await _accounts.ResolveAsync(user);
        if (account is null) return MobileImPushStatus.Offline;
        var nodes = _presence.NodesOf(account.Id).Count(n => n != _bus.NodeId);
        if (nodes == 0) return MobileImPushStatus.Offline;
        // The answer comes after the client's ACK (or the loss): allow for the resend window on top.
        var timeout = _requestTimeout + TimeSpan.FromMilliseconds(_options.QosResendAfterMs * (_options.QosMaxResends + 1));
        var note = new MobileImPushNote(account.Name, dataContent, typeU, qos, fp);
        var reply = await _bus.RequestAsync(PushChannel, account.Id, JsonSerializer.SerializeToUtf8Bytes(note, TransportBusJson.Default.MobileImPushNote),
            nodes, timeout);
        return reply is null ? MobileImPushStatus.Offline : (MobileImPushStatus)JsonSerializer.Deserialize(reply, TransportBusJson.Default.StatusNote)!.Status;
    }

    private async ValueTask<byte[]?> OnRemotePushAsync(byte[] payload)
    {
        var note = JsonSerializer.Deserialize(payload, TransportBusJson.Default.MobileImPushNote);
        if (note is null || OnlineSession(note.User) is not { } session) return null;
        var status = await PushToSessionAsync(session, note.DataContent, note.TypeU, note.Qos, note.Fp);
        return JsonSerializer.SerializeToUtf8Bytes(new StatusNote((int)status), TransportBusJson.Default.StatusNote);
    }

    /// <summary>Kicks the user's MobileIMSDK session on whichever node holds it; false when there is none.</summary>
    internal async Task<bool> KickAsync(string user, string? reason)
    {
        if (Kick(user, reason)) return true;
        if (!_bus.IsClustered) return false;
        var account = await _accounts.ResolveAsync(user);
        if (account is null) return false;
        var nodes = _presence.NodesOf(account.Id).Count(n => n != _bus.NodeId);
        if (nodes == 0) return false;
        var note = new MobileImKickNote(account.Name, reason);
        var reply = await _bus.RequestAsync(KickChannel, account.Id, JsonSerializer.SerializeToUtf8Bytes(note, TransportBusJson.Default.MobileImKickNote),
            nodes, _requestTimeout);
        return reply is not null;
    }

    private ValueTask<byte[]?> OnRemoteKickAsync(byte[] payload)
    {
        var note = JsonSerializer.Deserialize(payload, TransportBusJson.Default.MobileImKickNote);
        var kicked = note is not null && Kick(note.User, note.Reason);
        return ValueTask.FromResult(kicked ? JsonSerializer.SerializeToUtf8Bytes(new StatusNote(1), TransportBusJson.Default.StatusNote) : null);
    }
}
