using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Parley.Abstractions.Model;
using Parley.Abstractions.Stores;
using Parley.Core.Diagnostics;
using Parley.Core.Options;

namespace Parley.Core.Messaging;

/// <summary>
/// Assigns per-conversation sequence numbers and commits messages in batches (group commit): while one batch is
/// being written, the next accumulates, so throughput does not collapse to one fsync per message. A message is
/// handed to <see cref="Committed"/> (fan-out, on a loop of its own) only after its batch is durable, in sequence order.
/// <para>
/// Two ways of numbering: a store that implements <see cref="ISequencingMessageStore"/> (SQLite; PostgreSQL, shared by
/// several nodes) assigns them inside the commit transaction and finds stored client message ids there; this
/// pipeline then only batches, and the queue order is the numbering order of this node's messages. For any other
/// store, numbers are assigned here, in memory, when a message is queued.
/// </para>
/// </summary>
public sealed class MessagePipeline : IAsyncDisposable
{
    private readonly IMessageStore _store;
    private readonly ISequencingMessageStore? _sequencingStore;
    private readonly MessagingOptions _options;
    private readonly ParleyMetrics _metrics;
    private readonly ILogger _logger;
    private readonly Channel<Pending> _queue;
    private readonly ConcurrentDictionary<string, ConversationSequence> _sequences = new(StringComparer.Ordinal);
    private readonly Channel<Pending> _committed = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly CancellationTokenSource _stop = new();
    private Task? _writer;
    private Task? _fanOut;
    private int _depth;

    public MessagePipeline(IMessageStore store, MessagingOptions options, ParleyMetrics metrics, ILogger<MessagePipeline> logger)
    {
        _store = store;
        _sequencingStore = store as ISequencingMessageStore;
        _options = options;
        _metrics = metrics;
        _logger = logger;
        _queue = Channel.CreateBounded<Pending>(new BoundedChannelOptions(options.CommitQueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        metrics.ObserveCommitQueue(() => Volatile.Read(ref _depth));
    }

    /// <summary>True when the store assigns sequence numbers (several nodes may write the same conversations).</summary>
    public bool StoreAssignsSequence => _sequencingStore is not null;

    /// <summary>Called on the writer loop for each committed message, in commit order.</summary>
    public Func<ChatMessage, long, ValueTask>? Committed { get; set; }

    public void Start()
    {
        _writer ??= Task.Run(() => WriteLoopAsync(_stop.Token));
        _fanOut ??= Task.Run(FanOutLoopAsync);
    }

    /// <summary>
    /// Sequences the message and queues it for commit. The returned task completes when it is durable; null means
    /// the commit queue is full (shed load). Sequencing (or, when the store numbers messages, queueing) happens
    /// before this method returns, so calls made one after another get increasing sequence numbers.
    /// </summary>
    public async ValueTask<Task<CommitResult>?> EnqueueAsync(ChatMessage draft, long originConnectionId, CancellationToken ct)
    {
        if (_sequencingStore is not null) return EnqueueForStoreSequencing(draft, originConnectionId);
        var sequence = _sequences.GetOrAdd(draft.ConversationId, static _ => new ConversationSequence());
        await sequence.Gate.WaitAsync(ct);
        try
        {
            if (!sequence.Loaded)
            {
                sequence.Last = await _store.GetLastSeqAsync(draft.ConversationId, ct);
                sequence.Loaded = true;
            }
            var message = draft with { Seq = sequence.Last + 1 };
            var pending = new Pending(message, originConnectionId, sequence, sequence.Epoch, Stopwatch.GetTimestamp());
            if (!_queue.Writer.TryWrite(pending)) return null;
            Interlocked.Increment(ref _depth);
            sequence.Last = message.Seq;
            return pending.Completion.Task;
        }
        finally
        {
            sequence.Gate.Release();
        }
    }

    private Task<CommitResult>? EnqueueForStoreSequencing(ChatMessage draft, long originConnectionId)
    {
        var pending = new Pending(draft, originConnectionId, sequence: null, epoch: 0, Stopwatch.GetTimestamp());
        if (!_queue.Writer.TryWrite(pending)) return null;
        Interlocked.Increment(ref _depth);
        return pending.Completion.Task;
    }

    private async Task WriteLoopAsync(CancellationToken ct)
    {
        var batch = new List<Pending>(_options.CommitBatchSize);
        var messages = new List<ChatMessage>(_options.CommitBatchSize);
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync(CancellationToken.None))
        {
            batch.Clear();
            messages.Clear();
            while (batch.Count < _options.CommitBatchSize && reader.TryRead(out var p))
            {
                Interlocked.Decrement(ref _depth);
                // A failed earlier batch invalidated this conversation's numbering: committing would leave a gap.
                if (p.Sequence is { } sequence && p.Epoch != sequence.Epoch)
                {
                    p.Failed = true;
                    _committed.Writer.TryWrite(p);
                }
                else batch.Add(p);
            }
            if (batch.Count == 0) continue;
            foreach (var p in batch) messages.Add(p.Message);

            var started = Stopwatch.GetTimestamp();
            IReadOnlyList<SequencedAppend>? sequenced = null;
            try
            {
                if (_sequencingStore is not null) sequenced = await _sequencingStore.AppendSequencedAsync(messages, CancellationToken.None);
                else await _store.AppendAsync(messages, CancellationToken.None);
            }
            catch (Exception ex)
            {
                CoreLog.CommitFailed(_logger, ex, batch.Count);
                foreach (var p in batch)
                {
                    if (p.Sequence is { } sequence) await InvalidateAsync(sequence);
                }
                foreach (var p in batch)
                {
                    p.Failed = true;
                    _committed.Writer.TryWrite(p);
                }
                continue;
            }
            _metrics.CommitSeconds.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
            _metrics.CommitBatchSize.Record(batch.Count);

            // Answers and fan-out run on their own loop, in commit order, so the next batch commits while this one
            // is delivered.
            for (var i = 0; i < batch.Count; i++)
            {
                var p = batch[i];
                if (sequenced is not null)
                {
                    p.Message = sequenced[i].Message;
                    // Stored earlier (maybe by another node, which delivered it): answer the sender only.
                    p.Duplicate = sequenced[i].Duplicate;
                }
                _committed.Writer.TryWrite(p);
            }
            if (ct.IsCancellationRequested && !reader.TryPeek(out _)) break;
        }
        _committed.Writer.TryComplete();
    }

    private async Task FanOutLoopAsync()
    {
        // Completions run their awaiters inline here (the senders' acks among them), so a whole batch's acks and
        // deliveries are queued on their connections before any write loop wakes: one write per connection per batch.
        await foreach (var p in _committed.Reader.ReadAllAsync())
        {
            if (p.Failed)
            {
                p.Completion.TrySetException(new StorageFailedException());
                continue;
            }
            p.Completion.TrySetResult(new CommitResult(p.Message, p.Duplicate));
            if (p.Duplicate) continue;
            if (Committed is { } committed)
            {
                try { await committed(p.Message, p.OriginConnectionId); }
                catch (Exception ex) { CoreLog.FanOutFailed(_logger, ex, p.Message.Id); }
            }
            _metrics.DeliverySeconds.Record(Stopwatch.GetElapsedTime(p.EnqueuedAt).TotalSeconds);
        }
    }

    private static async ValueTask InvalidateAsync(ConversationSequence sequence)
    {
        await sequence.Gate.WaitAsync();
        try
        {
            if (!sequence.Loaded) return;
            sequence.Loaded = false;
            sequence.Epoch++;
        }
        finally
        {
            sequence.Gate.Release();
        }
    }

    /// <summary>Stops taking messages and commits what is queued.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        _stop.Cancel();
        if (_writer is not null) await _writer;
        _committed.Writer.TryComplete();
        if (_fanOut is not null) await _fanOut;
    }

    private sealed class ConversationSequence
    {
        public readonly SemaphoreSlim Gate = new(1, 1);
        public long Last;
        public bool Loaded;
        public int Epoch;
    }

    private sealed class Pending(ChatMessage message, long originConnectionId, ConversationSequence? sequence, int epoch, long enqueuedAt)
    {
        /// <summary>The draft; replaced by the stored message once a numbering store has committed it.</summary>
        public ChatMessage Message { get; set; } = message;
        public long OriginConnectionId { get; } = originConnectionId;
        /// <summary>Null when the store assigns sequence numbers.</summary>
        public ConversationSequence? Sequence { get; } = sequence;
        public int Epoch { get; } = epoch;
        public long EnqueuedAt { get; } = enqueuedAt;
        public bool Duplicate { get; set; }
        public bool Failed { get; set; }
        /// <summary>Completed on the fan-out loop, which runs the awaiters inline (never on the commit loop).</summary>
        public TaskCompletionSource<CommitResult> Completion { get; } = new();
    }
}

/// <summary>A durable message; <paramref name="Duplicate"/> when the store already had its (sender, client message id).</summary>
public readonly record struct CommitResult(ChatMessage Message, bool Duplicate);

/// <summary>The message was not stored; the sender may resend with the same client message id.</summary>
public sealed class StorageFailedException() : Exception("storage failed");
