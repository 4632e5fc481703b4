using System.Collections.Concurrent;
using System.Text.Json;
using Parley.Core.Cluster;

namespace Parley.Transports.Stomp;

/// <summary>
/// The in-process broker for free pub/sub destinations (<c>/topic/...</c>, <c>/queue/...</c>): who subscribed to
/// what. A SEND becomes one <see cref="StompTopicEvent"/> queued on every subscribed session; each session only adds
/// its own MESSAGE headers around the shared body. In a cluster the SEND also goes, serialised once, to every other
/// node, whose registry hands it to its own subscribers.
/// </summary>
public sealed class StompTopicRegistry
{
    private const string Channel = "stomp.topic";
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<long, StompSession>> _topics = new(StringComparer.Ordinal);
    private readonly ClusterBus _bus;

    public StompTopicRegistry(ClusterBus bus)
    {
        _bus = bus;
        if (bus.IsClustered) bus.Register(Channel, OnRemote);
    }

    internal void Subscribe(string destination, StompSession session) =>
        _topics.GetOrAdd(destination, static _ => new ConcurrentDictionary<long, StompSession>())[session.Id] = session;

    internal void Unsubscribe(string destination, StompSession session)
    {
        if (!_topics.TryGetValue(destination, out var sessions)) return;
        sessions.TryRemove(session.Id, out _);
        // Racing subscribers re-create the entry; an empty one left behind costs one small dictionary.
        if (sessions.IsEmpty) _topics.TryRemove(new KeyValuePair<string, ConcurrentDictionary<long, StompSession>>(destination, sessions));
    }

    /// <summary>Queues the event on every subscriber, on every node; returns how many took it here.</summary>
    internal int Publish(StompTopicEvent ev)
    {
        if (_bus.IsClustered)
        {
            var note = new StompTopicNote(ev.Destination, ev.Body.ToArray(), ev.ContentType, ev.FromUserId, ev.FromUserName);
            _bus.PublishToAll(Channel, JsonSerializer.SerializeToUtf8Bytes(note, TransportBusJson.Default.StompTopicNote));
        }
        return PublishLocal(ev);
    }

    private void OnRemote(ReadOnlyMemory<byte> payload)
    {
        var note = JsonSerializer.Deserialize(payload.Span, TransportBusJson.Default.StompTopicNote);
        if (note is null || !StompDestinations.IsFree(note.Destination)) return;
        PublishLocal(new StompTopicEvent(note.Destination, note.Body, note.ContentType, note.UserId, note.UserName));
    }

    private int PublishLocal(StompTopicEvent ev)
    {
        if (!_topics.TryGetValue(ev.Destination, out var sessions)) return 0;
        var handed = 0;
        foreach (var session in sessions.Values)
        {
            if (session.Connection is { } connection && connection.TryEnqueueLive(ev)) handed++;
        }
        return handed;
    }

    /// <summary>Number of destinations with subscribers (diagnostics, tests).</summary>
    public int DestinationCount => _topics.Count;
}
