namespace Parley.Core.Cluster;

/// <summary>
/// What in-memory brokers and presences of one process share. The default hub is private to one node (the
/// single-node server); tests create one shared hub to run several engines in one process as a cluster.
/// </summary>
public sealed class InMemoryClusterHub
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, InMemoryBroker> _brokers = new(StringComparer.Ordinal);
    private readonly Dictionary<long, HashSet<string>> _userNodes = [];
    private readonly Dictionary<string, InMemoryPresence> _presences = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<long, int>> _counts = new(StringComparer.Ordinal);
    private readonly Dictionary<long, int> _totals = [];

    /// <param name="shared">True when several nodes will join (their brokers then serialise and publish).</param>
    public InMemoryClusterHub(bool shared = true) => IsShared = shared;

    /// <summary>Whether several nodes may join this hub.</summary>
    public bool IsShared { get; }

    // ---- broker ----

    internal void Join(InMemoryBroker broker)
    {
        lock (_gate) _brokers[broker.NodeId] = broker;
    }

    internal void Leave(InMemoryBroker broker)
    {
        lock (_gate)
        {
            if (_brokers.TryGetValue(broker.NodeId, out var current) && current == broker) _brokers.Remove(broker.NodeId);
            foreach (var nodes in _userNodes.Values) nodes.Remove(broker.NodeId);
        }
    }

    internal void Bind(long userId, string nodeId, bool bound)
    {
        lock (_gate)
        {
            if (bound)
            {
                if (!_userNodes.TryGetValue(userId, out var nodes)) _userNodes[userId] = nodes = new HashSet<string>(StringComparer.Ordinal);
                nodes.Add(nodeId);
            }
            else if (_userNodes.TryGetValue(userId, out var nodes))
            {
                nodes.Remove(nodeId);
                if (nodes.Count == 0) _userNodes.Remove(userId);
            }
        }
    }

    internal bool Route(string from, ReadOnlyMemory<byte> payload, long? userId, string? nodeId)
    {
        InMemoryBroker[] targets;
        lock (_gate)
        {
            if (!_brokers.TryGetValue(from, out var sender) || !sender.IsConnected) return false;
            IEnumerable<InMemoryBroker> selected = userId is { } u
                ? _userNodes.TryGetValue(u, out var nodes) ? nodes.Select(n => _brokers.GetValueOrDefault(n)).OfType<InMemoryBroker>() : []
                : nodeId is not null
                    ? _brokers.TryGetValue(nodeId, out var one) ? [one] : []
                    : _brokers.Values;
            targets = selected.Where(b => b.NodeId != from).ToArray();
        }
        if (targets.Length == 0) return true;
        var copy = payload.ToArray(); // the publisher may reuse its buffer; receivers only read
        foreach (var target in targets) target.Receive(copy);
        return true;
    }

    /// <summary>Cuts a node off the bus (as if its broker connection dropped) until <see cref="Reconnect"/>.</summary>
    public void Disconnect(string nodeId)
    {
        InMemoryBroker? broker;
        lock (_gate) _brokers.TryGetValue(nodeId, out broker);
        broker?.SetConnected(false);
    }

    /// <summary>Puts a node back on the bus.</summary>
    public void Reconnect(string nodeId)
    {
        InMemoryBroker? broker;
        lock (_gate) _brokers.TryGetValue(nodeId, out broker);
        broker?.SetConnected(true);
    }

    // ---- presence ----

    internal void Join(InMemoryPresence presence)
    {
        lock (_gate)
        {
            _presences[presence.NodeId] = presence;
            _counts.TryAdd(presence.NodeId, []);
        }
    }

    /// <summary>Removes a node and its users (graceful stop or crash: in one process both are immediate).</summary>
    internal void Leave(string nodeId)
    {
        List<long> offline = [];
        InMemoryPresence[] observers;
        lock (_gate)
        {
            _presences.Remove(nodeId);
            if (_counts.Remove(nodeId, out var users))
            {
                foreach (var (user, count) in users)
                {
                    if (count > 0 && Adjust(user, -1) == 0) offline.Add(user);
                }
            }
            observers = [.. _presences.Values];
        }
        foreach (var user in offline)
        {
            foreach (var p in observers) p.Notify(user, online: false);
        }
    }

    /// <summary>Drops a node without it saying goodbye (what a crash looks like to the others).</summary>
    public void Crash(string nodeId) => Leave(nodeId);

    internal void SetCount(string nodeId, long userId, int count)
    {
        bool? transition = null;
        InMemoryPresence[] observers;
        lock (_gate)
        {
            if (!_counts.TryGetValue(nodeId, out var users)) return; // the node left (or crashed)
            var before = users.GetValueOrDefault(userId);
            if (count > 0) users[userId] = count;
            else users.Remove(userId);
            if (before == 0 && count > 0 && Adjust(userId, +1) == 1) transition = true;
            else if (before > 0 && count == 0 && Adjust(userId, -1) == 0) transition = false;
            if (transition is null) return;
            observers = [.. _presences.Values];
        }
        foreach (var p in observers) p.Notify(userId, transition.Value);
    }

    // Number of nodes holding the user; maintained under _gate.
    private int Adjust(long userId, int delta)
    {
        var n = _totals.GetValueOrDefault(userId) + delta;
        if (n <= 0) _totals.Remove(userId);
        else _totals[userId] = n;
        return Math.Max(0, n);
    }

    internal bool IsOnline(long userId)
    {
        lock (_gate) return _totals.ContainsKey(userId);
    }

    internal int ConnectionCount(long userId)
    {
        lock (_gate) return _counts.Values.Sum(users => users.GetValueOrDefault(userId));
    }

    internal IReadOnlyList<long> OnlineUserIds()
    {
        lock (_gate) return [.. _totals.Keys];
    }

    internal IReadOnlyList<string> NodesOf(long userId)
    {
        lock (_gate) return [.. _counts.Where(kv => kv.Value.ContainsKey(userId)).Select(kv => kv.Key)];
    }

    internal IReadOnlyList<string> LiveNodes()
    {
        lock (_gate) return [.. _counts.Keys];
    }
}
