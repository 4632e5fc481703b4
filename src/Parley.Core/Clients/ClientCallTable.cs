using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using Parley.Abstractions.Calls;
using Parley.Abstractions.Events;
using Parley.Core.Sessions;

namespace Parley.Core.Clients;

/// <summary>
/// The server → client calls of one connection waiting for their answers, by correlation id. Whoever removes an
/// entry completes it: the answer, the timeout, or the connection's close, so each call ends exactly once and an
/// answer arriving after its timeout finds nothing and is dropped.
/// </summary>
internal sealed class ClientCallTable(ClientConnection connection, int maxInFlight)
{
    // Created by the first call: most connections never get one, and an empty concurrent dictionary costs 0.5 KiB.
    private Dictionary<long, TaskCompletionSource<ClientCallResult>>? _pending;
    private readonly Lock _gate = new();
    private long _nextId;
    private int _inFlight;

    public int InFlight => Volatile.Read(ref _inFlight);

    public async Task<ClientCallResult> CallAsync(string method, JsonElement? payload, TimeSpan timeout, CancellationToken ct)
    {
        if (Interlocked.Increment(ref _inFlight) > maxInFlight)
        {
            Interlocked.Decrement(ref _inFlight);
            return ClientCallResult.Fail(ClientCallStatus.TooManyCalls, $"the client already has {maxInFlight} calls in flight");
        }
        var id = Interlocked.Increment(ref _nextId);
        try
        {
            var pending = new TaskCompletionSource<ClientCallResult>(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_gate) (_pending ??= [])[id] = pending;
            // Checked after registering: a close from now on finds the entry in FailAll.
            if (connection.IsClosed || !connection.EnqueueReply(new ClientCallEvent(id, method, payload, (int)Math.Ceiling(timeout.TotalMilliseconds))))
            {
                return TryRemove(id, out _) ? Lost : await pending.Task.ConfigureAwait(false);
            }
            try
            {
                return await pending.Task.WaitAsync(timeout, ct).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // Lost the race to an answer or a close that removed the entry first: that one completes the task.
                if (!TryRemove(id, out _)) return await pending.Task.ConfigureAwait(false);
                Cancel(id);
                return ClientCallResult.Fail(ClientCallStatus.TimedOut, $"no answer within {timeout.TotalMilliseconds:0} ms");
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                if (TryRemove(id, out _)) Cancel(id);
                throw;
            }
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    /// <summary>Whether an answer with this id would be taken (the receive path exempts those from the rate limit).</summary>
    public bool IsPending(long id)
    {
        lock (_gate) return _pending?.ContainsKey(id) == true;
    }

    /// <summary>Completes the call with the client's answer; false for an unknown or already ended call (dropped).</summary>
    public bool Complete(long id, ClientCallResult result)
    {
        if (!TryRemove(id, out var pending)) return false;
        pending.TrySetResult(result);
        return true;
    }

    /// <summary>The connection closed: every waiting call ends as <see cref="ClientCallStatus.ConnectionLost"/>.</summary>
    public void FailAll()
    {
        TaskCompletionSource<ClientCallResult>[] waiting;
        lock (_gate)
        {
            if (_pending is null || _pending.Count == 0) return;
            waiting = [.. _pending.Values];
            _pending.Clear();
        }
        foreach (var pending in waiting) pending.TrySetResult(Lost);
    }

    // The client learns the call's time limit with it, but not that its caller gave up; and its clock may run late.
    private void Cancel(long id)
    {
        if (!connection.IsClosed) connection.EnqueueReply(new ClientCallCancelEvent(id));
    }

    private bool TryRemove(long id, [NotNullWhen(true)] out TaskCompletionSource<ClientCallResult>? pending)
    {
        lock (_gate)
        {
            pending = null;
            return _pending is not null && _pending.Remove(id, out pending);
        }
    }

    private static readonly ClientCallResult Lost = ClientCallResult.Fail(ClientCallStatus.ConnectionLost, "the connection closed before the answer");
}
