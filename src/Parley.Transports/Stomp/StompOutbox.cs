using Parley.Abstractions;
using Parley.Core.Sessions;

namespace Parley.Transports.Stomp;

/// <summary>
/// Encoded STOMP bytes waiting for the wire, counted against the send buffer limit (Spring's
/// <c>sendBufferSizeLimit</c>). The session writes, exactly one transport loop (WebSocket, SockJS receiver) reads,
/// one wait at a time. An empty outbox holds no array.
/// </summary>
public sealed class StompOutbox(int limitBytes)
{
    private readonly OutboundQueue<ReadOnlyMemory<byte>> _queue = new();
    private long _bytes;
    private int _closeCode = -1;

    /// <summary>True when bytes can be taken, false once the outbox is completed and drained; waits otherwise.</summary>
    public ValueTask<bool> WaitToReadAsync(CancellationToken ct) => _queue.WaitToReadAsync(ct);

    /// <summary>Completed and drained: the session's last bytes have been taken.</summary>
    public bool IsDrained => _queue.IsDone;

    /// <summary>Why the session ended, once <see cref="Complete"/> was called.</summary>
    public DisconnectCode? CloseCode => _closeCode < 0 ? null : (DisconnectCode)_closeCode;

    public long BufferedBytes => Interlocked.Read(ref _bytes);

    /// <summary>Queues bytes; false when that would exceed the limit (the caller closes the session).</summary>
    public bool TryWrite(ReadOnlyMemory<byte> bytes, bool force = false)
    {
        if (Interlocked.Add(ref _bytes, bytes.Length) > limitBytes && !force)
        {
            Interlocked.Add(ref _bytes, -bytes.Length);
            return false;
        }
        if (_queue.TryWrite(bytes)) return true;
        Interlocked.Add(ref _bytes, -bytes.Length);
        return false;
    }

    /// <summary>The reader took <paramref name="count"/> bytes off the queue.</summary>
    public void Taken(int count) => Interlocked.Add(ref _bytes, -count);

    /// <summary>Takes what is queued now, up to about <paramref name="maxBytes"/>.</summary>
    public List<ReadOnlyMemory<byte>> TakeAvailable(int maxBytes)
    {
        var list = new List<ReadOnlyMemory<byte>>();
        var total = 0;
        while (total < maxBytes && _queue.TryRead(out var item))
        {
            list.Add(item);
            total += item.Length;
        }
        Taken(total);
        return list;
    }

    /// <summary>No more bytes; the reader ends after draining and closes with <paramref name="code"/>.</summary>
    public void Complete(DisconnectCode code)
    {
        Interlocked.CompareExchange(ref _closeCode, (int)code, -1);
        _queue.Complete();
    }

    public bool IsCompleted => _closeCode >= 0;
}
