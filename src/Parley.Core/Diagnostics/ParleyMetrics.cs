using System.Diagnostics.Metrics;

namespace Parley.Core.Diagnostics;

/// <summary>The engine's instruments (meter "Parley"); the host exports them at /metrics.</summary>
public sealed class ParleyMetrics : IDisposable
{
    public const string MeterName = "Parley";
    private readonly Meter _meter;

    private Func<int> _commitQueueDepth = () => 0;

    public ParleyMetrics(Sessions.SessionRegistry registry, IMeterFactory meterFactory)
    {
        // From the host's factory, so an exporter can tell this server's meter from another's in the same process.
        _meter = meterFactory.Create(MeterName);
        _meter.CreateObservableGauge("parley_connections", () => registry.Count, description: "Live client connections");
        _meter.CreateObservableGauge("parley_commit_queue_depth", () => _commitQueueDepth(), description: "Messages waiting to be committed");
        _meter.CreateObservableGauge("parley_outbound_queued", () => registry.All().Sum(c => (long)c.QueueLength),
            description: "Events queued for writing across all connections");
        MessagesIn = _meter.CreateCounter<long>("parley_messages_in_total", description: "Messages accepted from senders");
        MessagesOut = _meter.CreateCounter<long>("parley_messages_out_total", description: "Message events handed to connections");
        MessagesRejected = _meter.CreateCounter<long>("parley_messages_rejected_total", description: "Sends refused (validation, permission, hooks, load)");
        FramesIn = _meter.CreateCounter<long>("parley_frames_in_total", description: "Inbound frames on all transports");
        FramesRateLimited = _meter.CreateCounter<long>("parley_frames_rate_limited_total", description: "Inbound frames dropped by rate limits");
        Disconnects = _meter.CreateCounter<long>("parley_disconnects_total", description: "Closed connections by reason");
        Connects = _meter.CreateCounter<long>("parley_connects_total", description: "Opened connections by transport");
        ClientCalls = _meter.CreateCounter<long>("parley_client_calls_total", description: "Server-to-client calls by status");
        ClientCallLateAnswers = _meter.CreateCounter<long>("parley_client_call_late_answers_total", description: "Client answers to calls that had already ended (dropped)");
        ClientQueries = _meter.CreateCounter<long>("parley_client_queries_total", description: "Client-to-server queries by outcome");
        CommitSeconds = _meter.CreateHistogram<double>("parley_store_commit_seconds", unit: "s", description: "Time to commit one batch of messages");
        CommitBatchSize = _meter.CreateHistogram<double>("parley_store_commit_batch_size", description: "Messages per committed batch");
        DeliverySeconds = _meter.CreateHistogram<double>("parley_delivery_latency_seconds", unit: "s", description: "From accepting a send to handing it to recipients' queues");
    }

    internal void ObserveCommitQueue(Func<int> depth) => _commitQueueDepth = depth;

    public Counter<long> MessagesIn { get; }
    public Counter<long> MessagesOut { get; }
    public Counter<long> MessagesRejected { get; }
    public Counter<long> FramesIn { get; }
    public Counter<long> FramesRateLimited { get; }
    public Counter<long> Disconnects { get; }
    public Counter<long> Connects { get; }
    public Counter<long> ClientCalls { get; }
    public Counter<long> ClientCallLateAnswers { get; }
    public Counter<long> ClientQueries { get; }
    public Histogram<double> CommitSeconds { get; }
    public Histogram<double> CommitBatchSize { get; }
    public Histogram<double> DeliverySeconds { get; }

    public void Dispose() => _meter.Dispose();
}
