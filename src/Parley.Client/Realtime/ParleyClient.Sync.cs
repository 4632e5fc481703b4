using Parley.Client.Realtime;

namespace Parley.Client;

/// <summary>Sync rounds and coalesced delivered-acks.</summary>
public sealed partial class ParleyClient
{
    private readonly Lock _ackLock = new();
    private readonly Dictionary<string, long> _ackDirty = new(StringComparer.Ordinal);
    private bool _ackScheduled;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte> _activeSyncIds = new(StringComparer.Ordinal);

    /// <summary>A sync is in flight (from its request until its final <c>synced</c>, including the gaps between rounds).</summary>
    private bool SyncActive => !_activeSyncIds.IsEmpty;

    private void ScheduleAckFlush(bool immediate)
    {
        lock (_ackLock)
        {
            if (_ackScheduled || _ackDirty.Count == 0)
            {
                return;
            }

            _ackScheduled = true;
        }

        _ = FlushAcksAsync(immediate ? TimeSpan.Zero : _options.AckDelay);
    }

    private async Task FlushAcksAsync(TimeSpan delay)
    {
        if (delay > TimeSpan.Zero)
        {
            await Task.Delay(delay).ConfigureAwait(false);
        }

        KeyValuePair<string, long>[] acks;
        lock (_ackLock)
        {
            acks = [.. _ackDirty];
            _ackDirty.Clear();
            _ackScheduled = false;
        }

        var connection = _current;
        if (connection is null)
        {
            return; // the next sync covers it
        }

        try
        {
            foreach (var (conversation, seq) in acks)
            {
                await connection.WriteAsync(new ClientFrame { Type = "ack", Conversation = conversation, Seq = seq }, connection.Lifetime.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is ParleyConnectionException or OperationCanceledException)
        {
            Diag("could not send acks: " + ex.Message);
        }
    }

    /// <summary>Starts a background sync (for a gap); registered synchronously so deliveries wait for its start point.</summary>
    private void StartSync()
    {
        var syncId = BeginSync();
        var connection = _current;
        _ = Task.Run(async () =>
        {
            try
            {
                if (connection is not null)
                {
                    await SyncLoopAsync(syncId, connection.Lifetime.Token).ConfigureAwait(false);
                }
            }
            catch (Exception ex)
            {
                Diag("sync failed: " + ex.Message);
            }
            finally
            {
                EndSync(syncId);
            }
        });
    }

    private string BeginSync()
    {
        var id = NextId("s");
        _activeSyncIds[id] = 0;
        return id;
    }

    private void EndSync(string id)
    {
        if (_activeSyncIds.TryRemove(id, out _) && _activeSyncIds.IsEmpty)
        {
            ScheduleAckFlush(immediate: true);
        }
    }

    /// <summary>Sends <c>sync</c> with all known cursors and repeats while the server says <c>more</c>.</summary>
    /// <param name="syncId">The registered id of the first round; each round registers the next before ending the last.</param>
    /// <param name="ct">Cancels the loop.</param>
    private async Task SyncLoopAsync(string syncId, CancellationToken ct)
    {
        var cursors = new Dictionary<string, long>(GetCursors());
        try
        {
            while (true)
            {
                var reply = await RequestAsync(new ClientFrame { Type = "sync", Id = syncId, Cursors = cursors, Limit = _options.SyncLimit }, false, ct).ConfigureAwait(false);
                if (reply.More != true)
                {
                    return;
                }

                var next = BeginSync();
                EndSync(syncId);
                syncId = next;
                cursors = new Dictionary<string, long>(GetCursors());
                foreach (var (conversation, seq) in reply.Cursors ?? [])
                {
                    if (!cursors.TryGetValue(conversation, out var mine) || mine < seq)
                    {
                        cursors[conversation] = seq;
                    }
                }
            }
        }
        finally
        {
            EndSync(syncId);
        }
    }
}
