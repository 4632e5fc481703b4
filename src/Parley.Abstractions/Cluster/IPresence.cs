namespace Parley.Abstractions.Cluster;

/// <summary>
/// Cluster-wide presence: which users have sessions on which live nodes. Each node reports its own connection
/// counts; every node answers <see cref="IsOnline"/> for the whole cluster from its view, and a node that stops
/// (or crashes) takes its users offline within a bounded, configured time.
/// </summary>
public interface IPresence : IAsyncDisposable
{
    /// <summary>Starts reporting and observing. <paramref name="observer"/> hears cluster-wide transitions.</summary>
    Task StartAsync(IPresenceObserver observer, CancellationToken ct);

    /// <summary>This node now has <paramref name="count"/> connections of the user (0 = none). Never blocks on I/O.</summary>
    void SetLocalConnections(long userId, int count);

    /// <summary>Whether the user has a session on any live node.</summary>
    bool IsOnline(long userId);

    /// <summary>The user's connections over all live nodes.</summary>
    int ConnectionCount(long userId);

    /// <summary>Users online anywhere (a snapshot).</summary>
    IReadOnlyList<long> OnlineUserIds();

    /// <summary>Live nodes holding sessions of the user.</summary>
    IReadOnlyList<string> NodesOf(long userId);

    /// <summary>Nodes currently considered alive (this one included).</summary>
    IReadOnlyList<string> LiveNodes();
}

/// <summary>Hears presence transitions as this node sees them.</summary>
public interface IPresenceObserver
{
    /// <summary>
    /// The user came online somewhere (first session in the cluster) or went offline everywhere (last session
    /// closed, or its node expired). Called without locks held; must not block.
    /// </summary>
    void OnPresenceChanged(long userId, bool online);
}
