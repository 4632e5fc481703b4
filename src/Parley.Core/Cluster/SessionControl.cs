using System.Text.Json;
using Microsoft.Extensions.Logging;
using Parley.Abstractions;
using Parley.Abstractions.Cluster;
using Parley.Core.Diagnostics;
using Parley.Core.Sessions;

namespace Parley.Core.Cluster;

/// <summary>
/// Closes a user's sessions wherever they are: on this node directly, on the others through the bus (logout,
/// password change, administrator kick or disable, duplicate-login rules).
/// </summary>
public sealed class SessionControl
{
    internal const string CloseChannel = "close";

    private readonly SessionRegistry _registry;
    private readonly ClusterBus _bus;
    private readonly IPresence _presence;
    private readonly ILogger _logger;

    public SessionControl(SessionRegistry registry, ClusterBus bus, IPresence presence, ILogger<SessionControl> logger)
    {
        _registry = registry;
        _bus = bus;
        _presence = presence;
        _logger = logger;
        if (bus.IsClustered) bus.Register(CloseChannel, OnRemoteClose);
    }

    /// <summary>Closes every session of the user on every node; returns how many were open (cluster-wide).</summary>
    public int CloseUser(long userId, DisconnectCode code)
    {
        var total = _bus.IsClustered ? _presence.ConnectionCount(userId) : 0;
        var local = CloseLocal(userId, null, code);
        Publish(userId, null, code);
        return Math.Max(total, local);
    }

    /// <summary>Closes the user's sessions opened with one token, on every node; returns how many were closed here.</summary>
    public int CloseToken(long userId, string tokenId, DisconnectCode code)
    {
        var local = CloseLocal(userId, tokenId, code);
        Publish(userId, tokenId, code);
        return local;
    }

    private void Publish(long userId, string? tokenId, DisconnectCode code)
    {
        if (!_bus.IsClustered) return;
        _bus.PublishToUser(CloseChannel, userId, JsonSerializer.SerializeToUtf8Bytes(new CloseNote(userId, tokenId, (int)code), BusJson.Default.CloseNote));
    }

    private int CloseLocal(long userId, string? tokenId, DisconnectCode code)
    {
        var connections = _registry.Get(userId);
        var closed = 0;
        foreach (var c in connections)
        {
            if (tokenId is not null && c.TokenId != tokenId) continue;
            c.Close(code);
            closed++;
        }
        if (closed > 0) CoreLog.Kicked(_logger, connections[0].UserName, userId, closed, code);
        return closed;
    }

    private void OnRemoteClose(ReadOnlyMemory<byte> payload)
    {
        var note = JsonSerializer.Deserialize(payload.Span, BusJson.Default.CloseNote);
        if (note is not null) CloseLocal(note.UserId, note.TokenId, (DisconnectCode)note.Code);
    }
}
