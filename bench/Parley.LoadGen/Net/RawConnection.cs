using System.Buffers;
using System.Net;
using System.Net.Sockets;

namespace Parley.LoadGen.Net;

/// <summary>
/// One TCP connection built to be cheap at tens of thousands: an idle connection waits with a zero-byte receive
/// and holds no buffer; a read rents one from the pool only once data is there. Writes append to a pending buffer
/// that a single flush loop sends, so frames queued together leave in one send (as a good client coalesces).
/// </summary>
public abstract class RawConnection : IAsyncDisposable
{
    private const int ReadSize = 16 * 1024;
    private readonly Lock _writeGate = new();
    private ArrayBufferWriter<byte>? _pending;
    private ArrayBufferWriter<byte>? _spare;
    private bool _flushing;
    private byte[]? _carry;
    private int _carryLength;
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    protected Socket? Socket { get; private set; }

    /// <summary>Completes when the connection ended (peer close, error or dispose).</summary>
    public Task Closed => _closed.Task;

    public bool IsClosed => _closed.Task.IsCompleted;

    public string? CloseReason { get; private set; }

    /// <summary>Connects from <paramref name="local"/> (an address of 127.0.0.0/8 spreads ephemeral ports) to <paramref name="remote"/>.</summary>
    protected async Task ConnectSocketAsync(IPEndPoint remote, IPAddress? local, CancellationToken ct)
    {
        var socket = new Socket(remote.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            if (local is not null) socket.Bind(new IPEndPoint(local, 0));
            await socket.ConnectAsync(remote, ct);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        Socket = socket;
    }

    /// <summary>Starts the read loop with bytes already received (after a handshake) as the first input.</summary>
    protected void StartReading(ReadOnlySpan<byte> initial)
    {
        if (!initial.IsEmpty)
        {
            // Frames that came with the handshake are handled now: the loop below only parses after a receive.
            var consumed = OnData(initial);
            _carry = initial[consumed..].ToArray();
            _carryLength = _carry.Length;
            AfterBatch();
        }
        _ = ReadLoopAsync();
    }

    /// <summary>Parses complete frames; returns the bytes consumed (the rest waits for more input).</summary>
    protected abstract int OnData(ReadOnlySpan<byte> data);

    /// <summary>After each receive's frames were handled (a place to coalesce replies such as cumulative acks).</summary>
    protected virtual void AfterBatch() { }

    private async Task ReadLoopAsync()
    {
        var socket = Socket!;
        try
        {
            while (true)
            {
                if (_carryLength == 0 || _carry is null)
                {
                    // Zero-byte read: wait for data without holding a buffer.
                    await socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None);
                }
                var size = Math.Max(ReadSize, _carryLength * 2);
                var buffer = ArrayPool<byte>.Shared.Rent(size);
                try
                {
                    if (_carryLength > 0) _carry.AsSpan(0, _carryLength).CopyTo(buffer);
                    var n = await socket.ReceiveAsync(buffer.AsMemory(_carryLength), SocketFlags.None);
                    if (n == 0)
                    {
                        Fail("closed by the server");
                        return;
                    }
                    var total = _carryLength + n;
                    var consumed = OnData(buffer.AsSpan(0, total));
                    var rest = total - consumed;
                    if (rest > 0)
                    {
                        if (_carry is null || _carry.Length < rest) _carry = new byte[Math.Max(rest, 256)];
                        buffer.AsSpan(consumed, rest).CopyTo(_carry);
                    }
                    _carryLength = rest;
                    if (rest == 0 && _carry is { Length: > 4096 }) _carry = null;
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }
                AfterBatch();
                if (IsClosed) return;
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or InvalidDataException)
        {
            Fail(ex.Message);
        }
    }

    /// <summary>Appends bytes to the pending output under the write gate and makes sure a flush runs.</summary>
    protected void Write<TState>(TState state, Action<IBufferWriter<byte>, TState> write)
    {
        if (IsClosed) return;
        bool start;
        lock (_writeGate)
        {
            _pending ??= new ArrayBufferWriter<byte>(1024);
            write(_pending, state);
            start = !_flushing;
            _flushing = true;
        }
        if (start) _ = FlushLoopAsync();
    }

    private async Task FlushLoopAsync()
    {
        var socket = Socket!;
        while (true)
        {
            ArrayBufferWriter<byte> sending;
            lock (_writeGate)
            {
                if (_pending is null || _pending.WrittenCount == 0)
                {
                    _flushing = false;
                    return;
                }
                sending = _pending;
                _pending = _spare;
                _spare = sending;
            }
            try
            {
                var memory = sending.WrittenMemory;
                while (!memory.IsEmpty)
                {
                    var n = await socket.SendAsync(memory, SocketFlags.None);
                    memory = memory[n..];
                }
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                Fail(ex.Message);
                lock (_writeGate) _flushing = false;
                return;
            }
            sending.ResetWrittenCount();
            if (sending.Capacity > 256 * 1024) lock (_writeGate) _spare = null;
        }
    }

    /// <summary>Marks the connection ended (first reason wins) and closes the socket.</summary>
    protected void Fail(string reason)
    {
        if (!_closed.TrySetResult()) return;
        CloseReason = reason;
        try { Socket?.Dispose(); } catch (ObjectDisposedException) { }
    }

    /// <summary>Waits (briefly) until what was written has left, then closes.</summary>
    public async ValueTask DisposeAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(2);
        while (DateTime.UtcNow < deadline)
        {
            lock (_writeGate) { if (!_flushing) break; }
            await Task.Delay(5);
        }
        Fail("closed by the load generator");
        GC.SuppressFinalize(this);
    }
}
