using System.Text.Json;
using Parley.Abstractions.Calls;
using Parley.Abstractions.Cluster;
using Parley.Core.Clients;

namespace Parley.Core.Cluster;

/// <summary>
/// Server-to-client calls on any node: a target connected here is called here; otherwise the call goes to the node
/// that holds it, which runs it on its <see cref="LocalClientCallDispatcher"/> and sends the outcome back. A user's
/// nodes (from presence) are asked one at a time, so one call reaches one connection; a client identity is asked of
/// every node (only the one holding it answers). A single node is exactly the local dispatcher.
/// </summary>
public sealed class ClusterClientCallDispatcher : IClientCallDispatcher
{
    internal const string CallChannel = "call";
    // The remote node answers within the call's own timeout; this covers the round trip over the bus.
    private static readonly TimeSpan ReplySlack = TimeSpan.FromSeconds(2);

    private readonly LocalClientCallDispatcher _local;
    private readonly ClusterBus _bus;
    private readonly IPresence _presence;

    public ClusterClientCallDispatcher(LocalClientCallDispatcher local, ClusterBus bus, IPresence presence)
    {
        _local = local;
        _bus = bus;
        _presence = presence;
        if (bus.IsClustered) bus.RegisterRequest(CallChannel, OnRemoteCallAsync);
    }

    public async Task<ClientCallResult> DispatchAsync(ClientCallRequest request, CancellationToken ct)
    {
        if (!_bus.IsClustered || _local.IsLocal(request.Target)) return await _local.DispatchAsync(request, ct);
        var target = request.Target;
        var note = new CallNote(target.UserId, target.Client?.Kind, target.Client?.Id, request.Method, request.Payload, (long)request.Timeout.TotalMilliseconds);
        var payload = JsonSerializer.SerializeToUtf8Bytes(note, BusJson.Default.CallNote);
        var wait = request.Timeout + ReplySlack;
        byte[]? reply = null;
        if (target.Client is not null)
        {
            var others = _presence.LiveNodes().Count(n => n != _bus.NodeId);
            reply = await _bus.RequestAllAsync(CallChannel, payload, others, wait, ct);
        }
        else
        {
            foreach (var node in _presence.NodesOf(target.UserId))
            {
                if (node == _bus.NodeId) continue;
                reply = await _bus.RequestNodeAsync(CallChannel, node, payload, wait, ct);
                if (reply is not null) break;
            }
        }
        if (reply is null) return ClientCallResult.Fail(ClientCallStatus.NotConnected, $"{target} is not connected");
        var r = JsonSerializer.Deserialize(reply, BusJson.Default.CallReplyNote)!;
        return new ClientCallResult((ClientCallStatus)r.Status, r.Data, r.ErrorCode, r.ErrorMessage);
    }

    private async ValueTask<byte[]?> OnRemoteCallAsync(byte[] payload)
    {
        var note = JsonSerializer.Deserialize(payload, BusJson.Default.CallNote);
        if (note is null || note.TimeoutMs <= 0) return null;
        var target = note is { ClientKind: { } kind, ClientId: { } id } ? ClientTarget.ClientOf(kind, id) : ClientTarget.User(note.UserId);
        if (!_local.IsLocal(target)) return null; // not here (or gone): the caller asks elsewhere or reports not connected
        var result = await _local.DispatchAsync(new ClientCallRequest(target, note.Method, note.Payload, TimeSpan.FromMilliseconds(note.TimeoutMs)),
            CancellationToken.None);
        return JsonSerializer.SerializeToUtf8Bytes(new CallReplyNote((int)result.Status, result.Data, result.ErrorCode, result.ErrorMessage),
            BusJson.Default.CallReplyNote);
    }
}
