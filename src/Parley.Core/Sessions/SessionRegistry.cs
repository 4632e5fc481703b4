using Parley.Abstractions.Calls;

namespace Parley.Core.Sessions;

/// <summary>
/// Live connections indexed by user, sharded so that connects, disconnects and fan-out lookups on different
/// users do not contend on one lock. A send looks up its recipients' connections directly; nothing scans.
/// Client connections (a kind and an id) have a second index, by identity, with one connection per identity;
/// those that also name a user are in both.
/// </summary>
public sealed class SessionRegistry
{
    private const int ShardCount = 64;
    private readonly Shard[] _shards = Enumerable.Range(0, ShardCount).Select(_ => new Shard()).ToArray();
    private long _nextId;
    private int _count;

    /// <summary>
    /// Told the user's new connection count on this node after every add and remove, under the user's shard lock, so
    /// calls for one user arrive in the order the registry changed (presence and broker interest rely on that).
    /// Must not block.
    /// </summary>
    internal Action<long, int>? CountChanged { get; set; }

    /// <summary>Number of live connections.</summary>
    public int Count => Volatile.Read(ref _count);

    internal long NextConnectionId() => Interlocked.Increment(ref _nextId);

    private Shard ShardOf(long userId) => _shards[(int)((ulong)userId % ShardCount)];

    private Shard ShardOf(ClientIdentity client) => _shards[(int)((uint)client.GetHashCode() % ShardCount)];

    /// <summary>Adds a connection to the user index; returns true when it is the user's first (the user came online).</summary>
    public bool Add(ClientConnection connection)
    {
        var shard = ShardOf(connection.UserId);
        lock (shard)
        {
            // A client connection was counted when it entered the client index.
            if (connection.Client is null) Interlocked.Increment(ref _count);
            if (shard.ByUser.TryGetValue(connection.UserId, out var list))
            {
                shard.ByUser[connection.UserId] = [.. list, connection];
                CountChanged?.Invoke(connection.UserId, list.Length + 1);
                return false;
            }
            shard.ByUser[connection.UserId] = [connection];
            CountChanged?.Invoke(connection.UserId, 1);
            return true;
        }
    }

    /// <summary>Removes a connection; returns true when it was the user's last (the user went offline).</summary>
    public bool Remove(ClientConnection connection, out bool removed)
    {
        var shard = ShardOf(connection.UserId);
        lock (shard)
        {
            removed = false;
            if (!shard.ByUser.TryGetValue(connection.UserId, out var list)) return false;
            var index = Array.IndexOf(list, connection);
            if (index < 0) return false;
            removed = true;
            if (connection.Client is null) Interlocked.Decrement(ref _count);
            if (list.Length == 1)
            {
                shard.ByUser.Remove(connection.UserId);
                CountChanged?.Invoke(connection.UserId, 0);
                return true;
            }
            var copy = new ClientConnection[list.Length - 1];
            Array.Copy(list, 0, copy, 0, index);
            Array.Copy(list, index + 1, copy, index, list.Length - index - 1);
            shard.ByUser[connection.UserId] = copy;
            CountChanged?.Invoke(connection.UserId, copy.Length);
            return false;
        }
    }

    /// <summary>The user's connections (an immutable snapshot; empty when offline).</summary>
    public ClientConnection[] Get(long userId)
    {
        var shard = ShardOf(userId);
        lock (shard)
        {
            return shard.ByUser.TryGetValue(userId, out var list) ? list : [];
        }
    }

    public bool IsOnline(long userId) => Get(userId).Length > 0;

    /// <summary>
    /// Adds a client connection to the identity index. When the identity is already connected, either the new one
    /// replaces it (<paramref name="replaced"/> is the old one, for the caller to close) or, without
    /// <paramref name="replaceExisting"/>, nothing changes and the result is false.
    /// </summary>
    public bool TryAddClient(ClientConnection connection, bool replaceExisting, out ClientConnection? replaced)
    {
        var client = connection.Client ?? throw new ArgumentException("not a client connection", nameof(connection));
        var shard = ShardOf(client);
        lock (shard)
        {
            replaced = null;
            if (shard.ByClient.TryGetValue(client, out var existing))
            {
                // A closing connection not yet unregistered never blocks its successor; the slot (and count) is taken over.
                if (!existing.IsClosed)
                {
                    if (!replaceExisting) return false;
                    replaced = existing;
                }
            }
            else
            {
                Interlocked.Increment(ref _count);
            }
            shard.ByClient[client] = connection;
            return true;
        }
    }

    /// <summary>Removes a client connection from the identity index unless another connection replaced it there.</summary>
    public bool RemoveClient(ClientConnection connection)
    {
        if (connection.Client is not { } client) return false;
        var shard = ShardOf(client);
        lock (shard)
        {
            if (!shard.ByClient.TryGetValue(client, out var existing) || !ReferenceEquals(existing, connection)) return false;
            shard.ByClient.Remove(client);
            Interlocked.Decrement(ref _count);
            return true;
        }
    }

    /// <summary>The connection of a client identity, or null.</summary>
    public ClientConnection? GetClient(ClientIdentity client)
    {
        var shard = ShardOf(client);
        lock (shard)
        {
            return shard.ByClient.GetValueOrDefault(client);
        }
    }

    /// <summary>Every live connection (a snapshot, for administration and shutdown).</summary>
    public List<ClientConnection> All()
    {
        var result = new List<ClientConnection>(Count);
        CopyAllTo(result);
        return result;
    }

    /// <summary>Every live connection, into <paramref name="result"/> (cleared first): for the sweep, which reuses one list.</summary>
    public void CopyAllTo(List<ClientConnection> result)
    {
        result.Clear();
        foreach (var shard in _shards)
        {
            lock (shard)
            {
                foreach (var list in shard.ByUser.Values) result.AddRange(list);
                // Client connections with a user are already listed by the user index.
                foreach (var connection in shard.ByClient.Values)
                {
                    if (!connection.HasUser) result.Add(connection);
                }
            }
        }
    }

    /// <summary>Ids of users with at least one connection.</summary>
    public List<long> OnlineUserIds()
    {
        var result = new List<long>();
        foreach (var shard in _shards)
        {
            lock (shard)
            {
                result.AddRange(shard.ByUser.Keys);
            }
        }
        return result;
    }

    private sealed class Shard
    {
        public readonly Dictionary<long, ClientConnection[]> ByUser = [];
        public readonly Dictionary<ClientIdentity, ClientConnection> ByClient = [];
    }
}
