using System.Threading.Channels;
using Parley.Abstractions;

namespace Parley.Transports.Stomp;

/// <summary>
/// Encoded STOMP bytes waiting for the wire, counted against the send buffer limit (Spring's
/// <c>sendBufferSizeLimit</c>). The session writes, exactly one transport loop (WebSocket, SockJS receiver) reads.
/// </summary>
public sealed class StompOutbox(int limitBytes)
{
    private readonly Channel<ReadOnlyMemory<byte>> _channel = Channel.CreateUnbounded<ReadOnlyMemory<byte>>(
        new UnboundedChannelOptions { SingleReader = true, SingleWriter = false });
    private long _bytes;
    private int _closeCode = -1;

    public ChannelReader<ReadOnlyMemory<byte>> Reader => _channel.Reader;

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
        if (_channel.Writer.TryWrite(bytes)) return true;
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
        while (total < maxBytes && _channel.Reader.TryRead(out var item))
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
        _channel.Writer.TryComplete();
    }

    public bool IsCompleted => _closeCode >= 0;
}
