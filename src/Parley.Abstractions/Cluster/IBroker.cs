namespace Parley.Abstractions.Cluster;

/// <summary>
/// The cross-node bus: carries opaque, already-serialised events between the nodes of one Parley service. A node
/// never receives what it published itself; local delivery is the caller's job. Delivery is best effort and in
/// publish order per publishing node: durable state lives in the store, and nodes repair what the bus lost
/// (see <see cref="IBrokerHandler.OnConnectionChanged"/>).
/// </summary>
public interface IBroker : IAsyncDisposable
{
    /// <summary>This node's id, unique in the cluster.</summary>
    string NodeId { get; }

    /// <summary>
    /// False when no other node can exist (the single-node in-memory default): callers skip serialising and
    /// publishing altogether, so one node pays nothing for the cluster machinery.
    /// </summary>
    bool IsClustered { get; }

    /// <summary>Whether publishing currently reaches the other nodes.</summary>
    bool IsConnected { get; }

    /// <summary>Connects (or keeps retrying in the background) and starts handing messages to <paramref name="handler"/>.</summary>
    Task StartAsync(IBrokerHandler handler, CancellationToken ct);

    /// <summary>
    /// Publishes to every other node holding sessions of the user (see <see cref="SubscribeUserAsync"/>).
    /// False when the bus is unreachable or its outbound queue is full; the payload was then not sent.
    /// </summary>
    bool PublishToUser(long userId, ReadOnlyMemory<byte> payload);

    /// <summary>Publishes to one node (false as for <see cref="PublishToUser"/>).</summary>
    bool PublishToNode(string nodeId, ReadOnlyMemory<byte> payload);

    /// <summary>Publishes to every other node (false as for <see cref="PublishToUser"/>).</summary>
    bool PublishToAll(ReadOnlyMemory<byte> payload);

    /// <summary>
    /// This node now holds sessions of the user: messages published to the user reach it from the moment the
    /// returned task completes. While the bus is down the interest is kept and applied on reconnection.
    /// </summary>
    ValueTask SubscribeUserAsync(long userId, CancellationToken ct = default);

    /// <summary>This node no longer holds sessions of the user.</summary>
    ValueTask UnsubscribeUserAsync(long userId, CancellationToken ct = default);
}

/// <summary>Receives what other nodes published.</summary>
public interface IBrokerHandler
{
    /// <summary>
    /// One message from another node. <paramref name="payload"/> is valid only during the call (the broker may
    /// reuse its memory): decode it before returning. Calls are sequential per broker.
    /// </summary>
    void OnMessage(ReadOnlyMemory<byte> payload);

    /// <summary>
    /// The bus was lost (<paramref name="connected"/> false) or is back (true). Whatever was published between the
    /// two was lost for this node: on reconnection the node resynchronises its caches and its clients.
    /// </summary>
    void OnConnectionChanged(bool connected);
}
