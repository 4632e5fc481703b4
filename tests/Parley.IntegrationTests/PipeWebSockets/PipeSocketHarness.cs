using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Net.WebSockets;
using Parley.Transports.WebSockets.Direct;

namespace Parley.IntegrationTests.PipeWebSockets;

/// <summary>
/// A <see cref="PipeWebSocket"/> on two in-memory pipes, as Kestrel would hand them over: the test writes the client's
/// bytes into one and reads the server's frames from the other. No network.
/// </summary>
public sealed class PipeSocketHarness
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private int _transportAborts;

    public PipeSocketHarness(TimeSpan keepAlive = default, PipeOptions? output = null)
    {
        ToClient = new Pipe(output ?? PipeOptions.Default);
        Socket = new PipeWebSocket(new DuplexPipe(ToServer.Reader, ToClient.Writer), "chat", keepAlive, () => Interlocked.Increment(ref _transportAborts));
    }

    /// <summary>What the client sends.</summary>
    public Pipe ToServer { get; } = new();

    /// <summary>What the server sends.</summary>
    public Pipe ToClient { get; }

    public PipeWebSocket Socket { get; }

    public int TransportAborts => Volatile.Read(ref _transportAborts);

    public async Task ClientSendsAsync(params byte[][] chunks)
    {
        foreach (var chunk in chunks) ToServer.Writer.Write(chunk);
        await ToServer.Writer.FlushAsync().AsTask().WaitAsync(Timeout);
    }

    /// <summary>Writes the bytes one at a time, each flushed on its own.</summary>
    public async Task ClientSendsByteByByteAsync(byte[] bytes)
    {
        foreach (var b in bytes) await ToServer.Writer.WriteAsync(new[] { b }).AsTask().WaitAsync(Timeout);
    }

    public async Task<ValueWebSocketReceiveResult> ReceiveAsync(Memory<byte> buffer) =>
        await Socket.ReceiveAsync(buffer, CancellationToken.None).AsTask().WaitAsync(Timeout);

    /// <summary>Receives one whole data message (or the close) with a buffer of the given size.</summary>
    public async Task<(WebSocketMessageType Type, byte[] Bytes)> ReceiveMessageAsync(int bufferSize = 4096)
    {
        var message = new ArrayBufferWriter<byte>();
        var buffer = new byte[bufferSize];
        while (true)
        {
            var result = await ReceiveAsync(buffer);
            message.Write(buffer.AsSpan(0, result.Count));
            if (result.EndOfMessage) return (result.MessageType, message.WrittenSpan.ToArray());
        }
    }

    /// <summary>The next frame the server wrote (and flushed); it must be unmasked.</summary>
    public async Task<ServerFrame> NextServerFrameAsync()
    {
        using var timeout = new CancellationTokenSource(Timeout);
        while (true)
        {
            var read = await ToClient.Reader.ReadAsync(timeout.Token);
            var buffer = read.Buffer;
            if (ServerFrame.TryParse(ref buffer, out var frame))
            {
                ToClient.Reader.AdvanceTo(buffer.Start);
                return frame;
            }
            if (read.IsCompleted) throw new EndOfStreamException("the server's output ended inside a frame");
            ToClient.Reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>Every frame the server has flushed so far, without waiting.</summary>
    public List<ServerFrame> FlushedServerFrames()
    {
        var frames = new List<ServerFrame>();
        if (!ToClient.Reader.TryRead(out var read)) return frames;
        var buffer = read.Buffer;
        while (ServerFrame.TryParse(ref buffer, out var frame)) frames.Add(frame);
        Assert.True(buffer.IsEmpty, $"{buffer.Length} bytes after the last whole frame");
        ToClient.Reader.AdvanceTo(buffer.Start);
        return frames;
    }

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;
        public PipeWriter Output { get; } = output;
    }
}

/// <summary>A frame as the server wrote it.</summary>
public sealed record ServerFrame(bool Fin, int Opcode, byte[] Payload)
{
    public ushort? CloseCode => Opcode == 8 && Payload.Length >= 2 ? BinaryPrimitives.ReadUInt16BigEndian(Payload) : null;

    public static bool TryParse(ref ReadOnlySequence<byte> buffer, out ServerFrame frame)
    {
        frame = null!;
        if (buffer.Length < 2) return false;
        Span<byte> head = stackalloc byte[10];
        buffer.Slice(0, Math.Min(10, buffer.Length)).CopyTo(head);
        Assert.True((head[0] & 0x70) == 0, "a reserved bit is set in a server frame");
        Assert.True((head[1] & 0x80) == 0, "a server frame is masked");
        long length = head[1] & 0x7F;
        var header = 2;
        if (length == 126)
        {
            if (buffer.Length < 4) return false;
            length = BinaryPrimitives.ReadUInt16BigEndian(head[2..]);
            Assert.True(length >= 126, "a 16-bit length for a short payload");
            header = 4;
        }
        else if (length == 127)
        {
            if (buffer.Length < 10) return false;
            length = BinaryPrimitives.ReadInt64BigEndian(head[2..]);
            Assert.True(length > ushort.MaxValue, "a 64-bit length for a short payload");
            header = 10;
        }
        if (buffer.Length < header + length) return false;
        frame = new ServerFrame((head[0] & 0x80) != 0, head[0] & 0x0F, buffer.Slice(header, length).ToArray());
        buffer = buffer.Slice(header + length);
        return true;
    }
}

/// <summary>Client frames, masked unless asked otherwise, with a fixed, non-trivial key.</summary>
public static class ClientFrame
{
    private static readonly byte[] Key = [0x37, 0xFA, 0x21, 0x3D];

    public static byte[] Make(int first, ReadOnlySpan<byte> payload, bool masked = true)
    {
        var frame = new List<byte> { (byte)first };
        var m = masked ? 0x80 : 0;
        if (payload.Length < 126)
        {
            frame.Add((byte)(m | payload.Length));
        }
        else if (payload.Length <= ushort.MaxValue)
        {
            frame.Add((byte)(m | 126));
            frame.Add((byte)(payload.Length >> 8));
            frame.Add((byte)payload.Length);
        }
        else
        {
            frame.Add((byte)(m | 127));
            for (var i = 7; i >= 0; i--) frame.Add((byte)((long)payload.Length >> (8 * i)));
        }
        if (masked) frame.AddRange(Key);
        for (var i = 0; i < payload.Length; i++) frame.Add((byte)(payload[i] ^ (masked ? Key[i % 4] : 0)));
        return [.. frame];
    }

    public static byte[] Text(string text, bool fin = true) => Make((fin ? 0x80 : 0) | 0x1, System.Text.Encoding.UTF8.GetBytes(text));
    public static byte[] Binary(byte[] payload, bool fin = true) => Make((fin ? 0x80 : 0) | 0x2, payload);
    public static byte[] Continuation(ReadOnlySpan<byte> payload, bool fin) => Make((fin ? 0x80 : 0) | 0x0, payload);
    public static byte[] Ping(ReadOnlySpan<byte> payload) => Make(0x89, payload);
    public static byte[] Pong(ReadOnlySpan<byte> payload) => Make(0x8A, payload);

    public static byte[] Close(ushort? code, ReadOnlySpan<byte> reason = default)
    {
        if (code is null) return Make(0x88, []);
        var payload = new byte[2 + reason.Length];
        BinaryPrimitives.WriteUInt16BigEndian(payload, code.Value);
        reason.CopyTo(payload.AsSpan(2));
        return Make(0x88, payload);
    }

    public static byte[] Payload(int length)
    {
        var bytes = new byte[length];
        for (var i = 0; i < length; i++) bytes[i] = (byte)(i * 7 + i / 251);
        return bytes;
    }
}

/// <summary>Two pipes as one stream, to run ManagedWebSocket on the same bytes.</summary>
public sealed class DuplexStream(Stream input, Stream output) : Stream
{
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() => output.Flush();
    public override Task FlushAsync(CancellationToken ct) => output.FlushAsync(ct);
    public override int Read(byte[] buffer, int offset, int count) => input.Read(buffer, offset, count);
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default) => input.ReadAsync(buffer, ct);
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken ct) => input.ReadAsync(buffer, offset, count, ct);
    public override void Write(byte[] buffer, int offset, int count) => output.Write(buffer, offset, count);
    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken ct = default) => output.WriteAsync(buffer, ct);
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken ct) => output.WriteAsync(buffer, offset, count, ct);
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
