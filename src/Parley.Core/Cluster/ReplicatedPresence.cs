using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Parley.Abstractions.Cluster;

namespace Parley.Core.Cluster;

/// <summary>
/// Presence replicated over the cluster bus (RabbitMQ keeps no state, so every node keeps the table): each node
/// broadcasts its own users' connection counts as they change (absolute counts with a per-node version), a
/// heart-beat with its latest version every <see cref="ClusterOptions.HeartbeatMs"/>, and a full snapshot to any
/// node that asks (a newcomer, or one that noticed a version gap). A node not heard from for
/// <see cref="ClusterOptions.NodeTimeoutMs"/> is dead and its users go offline on every other node.
/// </summary>
public sealed class ReplicatedPresence : IPresence
{
    private const string DeltaChannel = "presence.delta", BeatChannel = "presence.beat", SnapshotChannel = "presence.snap",
        AskChannel = "presence.ask", ByeChannel = "presence.bye";

    private readonly ClusterBus _bus;
    private readonly ClusterOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _epoch = Guid.NewGuid().ToString("N");
    private readonly Lock _gate = new();
    private readonly Dictionary<long, int> _local = [];
    private readonly Dictionary<string, RemoteNode> _remotes = new(StringComparer.Ordinal);
    private readonly Dictionary<long, int> _holding = []; // nodes (this one included) holding each user
    private readonly Channel<(long User, bool Online)> _transitions =
        Channel.CreateUnbounded<(long, bool)>(new UnboundedChannelOptions { SingleReader = true });
    private long _version;
    private IPresenceObserver? _observer;
    private ITimer? _timer;
    private Task _loop = Task.CompletedTask;

    public ReplicatedPresence(ClusterBus bus, ClusterOptions options, TimeProvider time, ILogger<ReplicatedPresence> logger)
    {
        _bus = bus;
        _options = options;
        _time = time;
        _logger = logger;
        bus.Register(DeltaChannel, OnDelta);
        bus.Register(BeatChannel, OnBeat);
        bus.Register(SnapshotChannel, OnSnapshot);
        bus.Register(AskChannel, OnAsk);
        bus.Register(ByeChannel, OnBye);
        bus.OnConnectionChange(connected =>
        {
            if (connected) Beat();
        });
    }

    private string Node => _bus.NodeId;

    public async Task StartAsync(IPresenceObserver observer, CancellationToken ct)
    {
        _observer = observer;
        _loop = Task.Run(LoopAsync, CancellationToken.None);
        await _bus.StartAsync(ct);
        Beat();
        var period = TimeSpan.FromMilliseconds(_options.HeartbeatMs);
        _timer = _time.CreateTimer(_ => Tick(), null, period, period);
    }

    public void SetLocalConnections(long userId, int count)
    {
        count = Math.Max(0, count);
        lock (_gate)
        {
            var before = _local.GetValueOrDefault(userId);
            if (before == count) return;
            if (count > 0) _local[userId] = count;
            else _local.Remove(userId);
            _version++;
            if (before == 0) Hold(userId, +1);
            else if (count == 0) Hold(userId, -1);
            // Published under the lock so the bus carries deltas in version order.
            _bus.PublishToAll(DeltaChannel, JsonSerializer.SerializeToUtf8Bytes(new PresenceDelta(Node, _epoch, _version, userId, count), BusJson.Default.PresenceDelta));
        }
    }

    public bool IsOnline(long userId)
    {
        lock (_gate) return _holding.ContainsKey(userId);
    }

    public int ConnectionCount(long userId)
    {
        lock (_gate) return _local.GetValueOrDefault(userId) + _remotes.Values.Sum(r => r.Users.GetValueOrDefault(userId));
    }

    public IReadOnlyList<long> OnlineUserIds()
    {
        lock (_gate) return [.. _holding.Keys];
    }

    public IReadOnlyList<string> NodesOf(long userId)
    {
        lock (_gate)
        {
            var nodes = _remotes.Where(kv => kv.Value.Users.ContainsKey(userId)).Select(kv => kv.Key).ToList();
            if (_local.ContainsKey(userId)) nodes.Add(Node);
            return nodes;
        }
    }

    public IReadOnlyList<string> LiveNodes()
    {
        lock (_gate) return [Node, .. _remotes.Keys];
    }

    // ---- bus handlers (on the bus loop) ----

    private void OnDelta(ReadOnlyMemory<byte> payload)
    {
        var d = JsonSerializer.Deserialize(payload.Span, BusJson.Default.PresenceDelta)!;
        if (d.Node == Node) return;
        var ask = false;
        lock (_gate)
        {
            var remote = Remote(d.Node, d.Epoch);
            if (d.Version <= remote.Version) return; // older than what a snapshot already told us
            ask = remote.Version < 0 || d.Version != remote.Version + 1;
            remote.Version = d.Version;
            remote.LastSeen = _time.GetTimestamp();
            SetRemote(remote, d.User, d.Count);
        }
        if (ask) Ask(d.Node);
    }

    private void OnBeat(ReadOnlyMemory<byte> payload)
    {
        var b = JsonSerializer.Deserialize(payload.Span, BusJson.Default.PresenceBeat)!;
        if (b.Node == Node) return;
        bool ask;
        lock (_gate)
        {
            var remote = Remote(b.Node, b.Epoch);
            remote.LastSeen = _time.GetTimestamp();
            ask = remote.Version != b.Version;
        }
        if (ask) Ask(b.Node);
    }

    private void OnSnapshot(ReadOnlyMemory<byte> payload)
    {
        var s = JsonSerializer.Deserialize(payload.Span, BusJson.Default.PresenceSnapshot)!;
        if (s.Node == Node || s.Users.Length != s.Counts.Length) return;
        lock (_gate)
        {
            var remote = Remote(s.Node, s.Epoch);
            if (s.Version < remote.Version) return;
            remote.Version = s.Version;
            remote.LastSeen = _time.GetTimestamp();
            var fresh = new Dictionary<long, int>(s.Users.Length);
            for (var i = 0; i < s.Users.Length; i++)
            {
                if (s.Counts[i] > 0) fresh[s.Users[i]] = s.Counts[i];
            }
            foreach (var user in remote.Users.Keys.Where(u => !fresh.ContainsKey(u)).ToList()) SetRemote(remote, user, 0);
            foreach (var (user, count) in fresh) SetRemote(remote, user, count);
        }
    }

    private void OnAsk(ReadOnlyMemory<byte> payload)
    {
        var a = JsonSerializer.Deserialize(payload.Span, BusJson.Default.PresenceAsk)!;
        if (a.From == Node) return;
        lock (_gate)
        {
            var snapshot = new PresenceSnapshot(Node, _epoch, _version, [.. _local.Keys], [.. _local.Values]);
            _bus.PublishToNode(SnapshotChannel, a.From, JsonSerializer.SerializeToUtf8Bytes(snapshot, BusJson.Default.PresenceSnapshot));
        }
    }

    private void OnBye(ReadOnlyMemory<byte> payload)
    {
        var b = JsonSerializer.Deserialize(payload.Span, BusJson.Default.PresenceBye)!;
        if (b.Node == Node) return;
        lock (_gate)
        {
            if (!_remotes.TryGetValue(b.Node, out var remote) || remote.Epoch != b.Epoch) return;
            Drop(remote);
        }
        ClusterLog.NodeLeft(_logger, b.Node);
    }

    // ---- state (callers hold _gate) ----

    private RemoteNode Remote(string node, string epoch)
    {
        if (_remotes.TryGetValue(node, out var remote))
        {
            if (remote.Epoch == epoch) return remote;
            Drop(remote); // the node restarted: what it held before is gone
        }
        remote = new RemoteNode(node, epoch) { LastSeen = _time.GetTimestamp() };
        _remotes[node] = remote;
        ClusterLog.NodeJoined(_logger, node);
        return remote;
    }

    private void SetRemote(RemoteNode remote, long user, int count)
    {
        var before = remote.Users.GetValueOrDefault(user);
        if (count > 0) remote.Users[user] = count;
        else remote.Users.Remove(user);
        if (before == 0 && count > 0) Hold(user, +1);
        else if (before > 0 && count == 0) Hold(user, -1);
    }

    private void Drop(RemoteNode remote)
    {
        _remotes.Remove(remote.Node);
        foreach (var user in remote.Users.Keys) Hold(user, -1);
        remote.Users.Clear();
    }

    private void Hold(long user, int delta)
    {
        var before = _holding.GetValueOrDefault(user);
        var after = Math.Max(0, before + delta);
        if (after == 0) _holding.Remove(user);
        else _holding[user] = after;
        if (before == 0 && after > 0) _transitions.Writer.TryWrite((user, true));
        else if (before > 0 && after == 0) _transitions.Writer.TryWrite((user, false));
    }

    private void Ask(string node) =>
        _bus.PublishToNode(AskChannel, node, JsonSerializer.SerializeToUtf8Bytes(new PresenceAsk(Node), BusJson.Default.PresenceAsk));

    private void Beat()
    {
        lock (_gate)
        {
            _bus.PublishToAll(BeatChannel, JsonSerializer.SerializeToUtf8Bytes(new PresenceBeat(Node, _epoch, _version), BusJson.Default.PresenceBeat));
        }
    }

    private void Tick()
    {
        try
        {
            Beat();
            var now = _time.GetTimestamp();
            List<(string Node, int Users)>? expired = null;
            lock (_gate)
            {
                foreach (var remote in _remotes.Values.ToList())
                {
                    if (_time.GetElapsedTime(remote.LastSeen, now).TotalMilliseconds <= _options.NodeTimeoutMs) continue;
                    (expired ??= []).Add((remote.Node, remote.Users.Count));
                    Drop(remote);
                }
            }
            if (expired is null) return;
            foreach (var (node, users) in expired) ClusterLog.NodeExpired(_logger, node, _options.NodeTimeoutMs, users);
        }
        catch (Exception ex)
        {
            ClusterLog.BusMessageFailed(_logger, ex);
        }
    }

    private async Task LoopAsync()
    {
        await foreach (var (user, online) in _transitions.Reader.ReadAllAsync())
        {
            try { _observer?.OnPresenceChanged(user, online); }
            catch (Exception ex) { ClusterLog.BusMessageFailed(_logger, ex); }
        }
    }

    private int _disposed;

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        if (_timer is not null) await _timer.DisposeAsync();
        _bus.PublishToAll(ByeChannel, JsonSerializer.SerializeToUtf8Bytes(new PresenceBye(Node, _epoch), BusJson.Default.PresenceBye));
        _transitions.Writer.TryComplete();
        await _loop;
    }

    private sealed class RemoteNode(string node, string epoch)
    {
        public string Node { get; } = node;
        public string Epoch { get; } = epoch;
        public long Version { get; set; } = -1;
        public long LastSeen { get; set; }
        public Dictionary<long, int> Users { get; } = [];
    }
}
