using System.Diagnostics.CodeAnalysis;
using System.Threading.Tasks.Sources;

namespace Parley.Core.Sessions;

/// <summary>
/// A connection's outbound items (engine events, encoded frames): many writers, one reader (the transport's write
/// loop), in order. It replaces an unbounded channel, whose first segment and reader objects cost about 1 KiB per
/// connection whether or not anything is queued; this one holds no array while empty (beyond a small one it keeps for
/// the next burst) and waits with one reusable value-task source. Like the channel it never runs the reader's
/// continuation on a writer's thread.
/// </summary>
public sealed class OutboundQueue<T> : IValueTaskSource<bool>
{
    private const int InitialCapacity = 8;
    // A drained queue keeps an array up to this size for the next burst and gives a larger one back.
    private const int KeptCapacity = 32;

    private readonly Lock _gate = new();
    private T[]? _items;
    private int _head;
    private int _count;
    private bool _completed;
    private bool _waiting;
    private CancellationTokenRegistration _cancel;
    private ManualResetValueTaskSourceCore<bool> _waiter = new() { RunContinuationsAsynchronously = true };

    /// <summary>Queues an item; false once <see cref="Complete"/> was called, or when <paramref name="capacity"/> items are queued.</summary>
    public bool TryWrite(T item, int capacity = int.MaxValue)
    {
        lock (_gate)
        {
            if (_completed || _count >= capacity) return false;
            if (_items is null) _items = new T[InitialCapacity];
            else if (_count == _items.Length) Grow();
            _items[(_head + _count) % _items.Length] = item;
            _count++;
            if (!_waiting) return true;
        }
        Wake(true);
        return true;
    }

    /// <summary>Takes the oldest item, if any.</summary>
    public bool TryRead([MaybeNullWhen(false)] out T item)
    {
        lock (_gate)
        {
            if (_count == 0)
            {
                item = default;
                return false;
            }
            item = _items![_head];
            _items[_head] = default!;
            _head = (_head + 1) % _items.Length;
            if (--_count == 0)
            {
                _head = 0;
                if (_items.Length > KeptCapacity) _items = null;
            }
            return true;
        }
    }

    /// <summary>Completed and drained: nothing will be read any more.</summary>
    public bool IsDone
    {
        get { lock (_gate) return _completed && _count == 0; }
    }

    /// <summary>
    /// True when an item can be read, false when the queue is completed and drained; waits otherwise. One reader:
    /// a wait must end before the next one starts.
    /// </summary>
    public ValueTask<bool> WaitToReadAsync(CancellationToken ct)
    {
        lock (_gate)
        {
            if (_count > 0) return new(true);
            if (_completed) return new(false);
            if (ct.IsCancellationRequested) return ValueTask.FromCanceled<bool>(ct);
            _waiter.Reset();
            _waiting = true;
        }
        if (ct.CanBeCanceled)
        {
            var registration = ct.UnsafeRegister(static (s, t) => ((OutboundQueue<T>)s!).Cancelled(t), this);
            lock (_gate)
            {
                // Ended already (an item, completion, or this token): nobody else will drop the registration.
                if (_waiting) (_cancel, registration) = (registration, default);
            }
            registration.Unregister();
        }
        return new(this, _waiter.Version);
    }

    /// <summary>No more writes; a waiting reader is woken and sees false once the queue is drained.</summary>
    public void Complete()
    {
        lock (_gate)
        {
            if (_completed) return;
            _completed = true;
            if (!_waiting || _count > 0) return;
        }
        Wake(false);
    }

    private void Cancelled(CancellationToken token)
    {
        lock (_gate)
        {
            if (!_waiting) return;
            _waiting = false;
            _cancel = default;
        }
        _waiter.SetException(new OperationCanceledException(token));
    }

    /// <summary>Ends the current wait with <paramref name="result"/> if it has not ended yet.</summary>
    private void Wake(bool result)
    {
        CancellationTokenRegistration registration;
        lock (_gate)
        {
            if (!_waiting) return;
            _waiting = false;
            (registration, _cancel) = (_cancel, default);
        }
        registration.Unregister();
        _waiter.SetResult(result);
    }

    private void Grow()
    {
        var grown = new T[_items!.Length * 2];
        for (var i = 0; i < _count; i++) grown[i] = _items[(_head + i) % _items.Length];
        _items = grown;
        _head = 0;
    }

    bool IValueTaskSource<bool>.GetResult(short token) => _waiter.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<bool>.GetStatus(short token) => _waiter.GetStatus(token);

    void IValueTaskSource<bool>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _waiter.OnCompleted(continuation, state, token, flags);
}
