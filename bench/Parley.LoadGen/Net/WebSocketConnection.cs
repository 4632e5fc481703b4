using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Parley.LoadGen.Net;

/// <summary>
/// A client WebSocket (RFC 6455) on <see cref="RawConnection"/>: HTTP upgrade, masked frames out, unmasked frames
/// in, ping answered, close handshake. Only what a load generator needs; no extensions.
/// </summary>
public abstract class WebSocketConnection : RawConnection
{
    private const byte OpContinuation = 0, OpText = 1, OpBinary = 2, OpClose = 8, OpPing = 9, OpPong = 10;
    [ThreadStatic] private static ArrayBufferWriter<byte>? t_payload;
    private readonly uint _mask = (uint)Random.Shared.Next() | 1u;
    private ArrayBufferWriter<byte>? _fragments;
    private bool _fragmentText;
    private int _closeSent;

    /// <summary>Connects and upgrades; completes when the server answered 101.</summary>
    protected async Task UpgradeAsync(IPEndPoint remote, IPAddress? local, string pathAndQuery, string? subProtocol, CancellationToken ct)
    {
        await ConnectSocketAsync(remote, local, ct);
        var request = new StringBuilder()
            .Append("GET ").Append(pathAndQuery).Append(" HTTP/1.1\r\n")
            .Append("Host: ").Append(remote).Append("\r\n")
            .Append("Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n")
            .Append("Sec-WebSocket-Key: ").Append(Convert.ToBase64String(Guid.NewGuid().ToByteArray())).Append("\r\n");
        if (subProtocol is not null) request.Append("Sec-WebSocket-Protocol: ").Append(subProtocol).Append("\r\n");
        request.Append("\r\n");
        await Socket!.SendAsync(Encoding.ASCII.GetBytes(request.ToString()), SocketFlags.None, ct);

        var buffer = new byte[4096];
        var length = 0;
        while (true)
        {
            if (length == buffer.Length) throw new InvalidDataException("upgrade response too long");
            var n = await Socket.ReceiveAsync(buffer.AsMemory(length), SocketFlags.None, ct);
            if (n == 0) throw new InvalidDataException("closed during the upgrade");
            length += n;
            var end = buffer.AsSpan(0, length).IndexOf("\r\n\r\n"u8);
            if (end < 0) continue;
            var head = Encoding.ASCII.GetString(buffer, 0, end);
            if (!head.StartsWith("HTTP/1.1 101", StringComparison.Ordinal))
                throw new InvalidDataException("upgrade refused: " + head.Split('\r')[0]);
            StartReading(buffer.AsSpan(end + 4, length - end - 4));
            return;
        }
    }

    /// <summary>One complete message from the server.</summary>
    protected abstract void OnMessage(ReadOnlySpan<byte> payload, bool text);

    protected sealed override int OnData(ReadOnlySpan<byte> data)
    {
        var consumed = 0;
        while (true)
        {
            var frame = data[consumed..];
            if (frame.Length < 2) return consumed;
            var fin = (frame[0] & 0x80) != 0;
            var opcode = (byte)(frame[0] & 0x0F);
            if ((frame[1] & 0x80) != 0) throw new InvalidDataException("masked frame from the server");
            long length = frame[1] & 0x7F;
            var header = 2;
            if (length == 126)
            {
                if (frame.Length < 4) return consumed;
                length = BinaryPrimitives.ReadUInt16BigEndian(frame[2..]);
                header = 4;
            }
            else if (length == 127)
            {
                if (frame.Length < 10) return consumed;
                length = (long)BinaryPrimitives.ReadUInt64BigEndian(frame[2..]);
                header = 10;
                if (length > 64 * 1024 * 1024) throw new InvalidDataException("frame too large");
            }
            if (frame.Length < header + length) return consumed;
            var payload = frame.Slice(header, (int)length);
            consumed += header + (int)length;
            switch (opcode)
            {
                case OpText or OpBinary when fin && _fragments is null:
                    OnMessage(payload, opcode == OpText);
                    break;
                case OpText or OpBinary:
                    _fragments = new ArrayBufferWriter<byte>();
                    _fragmentText = opcode == OpText;
                    _fragments.Write(payload);
                    break;
                case OpContinuation when _fragments is not null:
                    _fragments.Write(payload);
                    if (fin)
                    {
                        var whole = _fragments;
                        _fragments = null;
                        OnMessage(whole.WrittenSpan, _fragmentText);
                    }
                    break;
                case OpPing:
                    SendFrame(OpPong, payload);
                    break;
                case OpClose:
                    SendClose(payload.Length >= 2 ? BinaryPrimitives.ReadUInt16BigEndian(payload) : (ushort)1000);
                    Fail(payload.Length >= 2 ? $"closed by the server ({BinaryPrimitives.ReadUInt16BigEndian(payload)} {Encoding.UTF8.GetString(payload[2..])})" : "closed by the server");
                    return consumed;
                case OpPong:
                    break;
                default:
                    throw new InvalidDataException($"unexpected opcode {opcode}");
            }
        }
    }

    /// <summary>Sends one text message whose payload <paramref name="write"/> produces.</summary>
    protected void SendText<TState>(TState state, Action<IBufferWriter<byte>, TState> write)
    {
        var payload = t_payload ??= new ArrayBufferWriter<byte>(1024);
        payload.ResetWrittenCount();
        write(payload, state);
        // The callback runs synchronously on this thread, so the thread's scratch buffer can be read in it.
        Write((payload, _mask), static (w, s) => WriteFrame(w, OpText, s.payload.WrittenSpan, s._mask));
        if (payload.Capacity > 64 * 1024) t_payload = null;
    }

    private void SendFrame(byte opcode, ReadOnlySpan<byte> payload)
    {
        var bytes = payload.ToArray();
        Write((opcode, bytes, _mask), static (w, s) => WriteFrame(w, s.opcode, s.bytes, s.Item3));
    }

    internal static void WriteFrame(IBufferWriter<byte> w, byte opcode, ReadOnlySpan<byte> payload, uint mask)
    {
        var header = payload.Length < 126 ? 2 : payload.Length <= ushort.MaxValue ? 4 : 10;
        var span = w.GetSpan(header + 4 + payload.Length);
        span[0] = (byte)(0x80 | opcode);
        if (header == 2) span[1] = (byte)(0x80 | payload.Length);
        else if (header == 4)
        {
            span[1] = 0x80 | 126;
            BinaryPrimitives.WriteUInt16BigEndian(span[2..], (ushort)payload.Length);
        }
        else
        {
            span[1] = 0x80 | 127;
            BinaryPrimitives.WriteUInt64BigEndian(span[2..], (ulong)payload.Length);
        }
        BinaryPrimitives.WriteUInt32LittleEndian(span[header..], mask);
        var body = span.Slice(header + 4, payload.Length);
        payload.CopyTo(body);
        Mask(body, mask);
        w.Advance(header + 4 + payload.Length);
    }

    /// <summary>XORs with the 4-byte key (little-endian, so byte i uses key byte i % 4).</summary>
    internal static void Mask(Span<byte> data, uint mask)
    {
        var i = 0;
        var wide = ((ulong)mask << 32) | mask;
        for (; i + 8 <= data.Length; i += 8)
            BinaryPrimitives.WriteUInt64LittleEndian(data[i..], BinaryPrimitives.ReadUInt64LittleEndian(data[i..]) ^ wide);
        for (; i < data.Length; i++) data[i] ^= (byte)(mask >> (8 * (i & 3)));
    }

    private void SendClose(ushort code)
    {
        if (Interlocked.Exchange(ref _closeSent, 1) != 0) return;
        Span<byte> body = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(body, code);
        SendFrame(OpClose, body);
    }

    /// <summary>Close handshake: sends 1000 and waits (up to <paramref name="timeout"/>) for the server's close.</summary>
    public async Task CloseAsync(TimeSpan timeout)
    {
        if (IsClosed) return;
        SendClose(1000);
        await Task.WhenAny(Closed, Task.Delay(timeout));
        await DisposeAsync();
    }
}
