using System.Text.Json;
using Parley.Abstractions;
using Parley.Abstractions.Calls;
using Parley.Abstractions.Cluster;
using Parley.Core.Clients;
using Parley.Core.Options;
using Parley.Core.Sessions;

namespace Parley.Core.Cluster;

/// <summary>
/// A client kind's duplicate rule across nodes: an identity is connected once in the whole cluster. With
/// <see cref="DuplicateClientPolicy.ReplaceOld"/> a connection on another node is closed (4012) when the identity
/// connects here; with <see cref="DuplicateClientPolicy.RejectNew"/> the other nodes are asked first and a new
/// connection is refused while one holds it.
/// </summary>
public sealed class ClusterClients
{
    private const string OpenedChannel = "client.opened", HeldChannel = "client.held";
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(2);

    private readonly SessionRegistry _registry;
    private readonly ClusterBus _bus;
    private readonly IPresence _presence;
    private readonly ClientKinds _kinds;

    public ClusterClients(SessionRegistry registry, ClusterBus bus, IPresence presence, ClientKinds kinds)
    {
        _registry = registry;
        _bus = bus;
        _presence = presence;
        _kinds = kinds;
        if (!bus.IsClustered) return;
        bus.Register(OpenedChannel, OnOpened);
        bus.RegisterRequest(HeldChannel, body =>
        {
            var note = JsonSerializer.Deserialize(body, BusJson.Default.ClientNote);
            var held = note is not null && _registry.GetClient(new ClientIdentity(note.Kind, note.Id)) is { IsClosed: false };
            return ValueTask.FromResult<byte[]?>(held ? [1] : null);
        });
    }

    /// <summary>Whether the identity may connect here (false: another node holds it and its kind refuses a second).</summary>
    public async ValueTask<bool> MayOpenAsync(ClientIdentity identity, DuplicateClientPolicy policy, CancellationToken ct = default)
    {
        if (!_bus.IsClustered || policy != DuplicateClientPolicy.RejectNew) return true;
        var others = _presence.LiveNodes().Count(n => n != _bus.NodeId);
        if (others == 0) return true;
        var note = JsonSerializer.SerializeToUtf8Bytes(new ClientNote(identity.Kind, identity.Id, _bus.NodeId), BusJson.Default.ClientNote);
        return await _bus.RequestAllAsync(HeldChannel, note, others, AskTimeout, ct) is null;
    }

    /// <summary>The identity connected here: the other nodes drop theirs if the kind replaces old connections.</summary>
    public void Opened(ClientIdentity identity)
    {
        if (!_bus.IsClustered) return;
        _bus.PublishToAll(OpenedChannel, JsonSerializer.SerializeToUtf8Bytes(new ClientNote(identity.Kind, identity.Id, _bus.NodeId), BusJson.Default.ClientNote));
    }

    private void OnOpened(ReadOnlyMemory<byte> payload)
    {
        var note = JsonSerializer.Deserialize(payload.Span, BusJson.Default.ClientNote);
        if (note is null || note.Node == _bus.NodeId) return;
        if (_kinds.Find(note.Kind) is not { OnDuplicate: DuplicateClientPolicy.ReplaceOld }) return;
        _registry.GetClient(new ClientIdentity(note.Kind, note.Id))?.Close(DisconnectCode.Replaced);
    }
}
