using System.Buffers;
using System.Text;
using BenchmarkDotNet.Attributes;
using Parley.Protocol.Stomp;

namespace Parley.Benchmarks;

/// <summary>STOMP 1.2 parse and write of a client SEND and a server MESSAGE frame with a JSON body.</summary>
[MemoryDiagnoser]
public class StompBenchmarks
{
    private static readonly byte[] Body = Encoding.UTF8.GetBytes(Samples.JsonBody);

    private readonly ArrayBufferWriter<byte> _output = new(1024);
    private byte[] _sendBytes = null!;
    private byte[] _messageBytes = null!;
    private StompFrame _send = null!;
    private StompFrame _messageFrame = null!;

    [GlobalSetup]
    public void Setup()
    {
        _send = new StompFrame(StompCommand.Send,
        [
            new(StompHeaders.Destination, "/app/chat.send"),
            new(StompHeaders.ContentType, "application/json"),
            new(StompHeaders.Receipt, "r-17"),
        ], Body);
        _messageFrame = new StompFrame(StompCommand.Message,
        [
            new(StompHeaders.Subscription, "sub-0"),
            new(StompHeaders.MessageId, "0193a5e2c0d87c3b9f1e2d3c4b5a6978"),
            new(StompHeaders.Destination, "/user/queue/messages"),
            new(StompHeaders.ContentType, "application/json"),
        ], Body);
        _sendBytes = StompWriter.ToArray(_send);
        _messageBytes = StompWriter.ToArray(_messageFrame);
    }

    [Benchmark(Description = "STOMP parse SEND")]
    public StompFrame? ParseSend() => Parse(_sendBytes);

    [Benchmark(Description = "STOMP parse MESSAGE")]
    public StompFrame? ParseMessage() => Parse(_messageBytes);

    [Benchmark(Description = "STOMP write SEND")]
    public int WriteSend()
    {
        _output.ResetWrittenCount();
        StompWriter.Write(_output, _send);
        return _output.WrittenCount;
    }

    [Benchmark(Description = "STOMP write MESSAGE")]
    public int WriteMessage()
    {
        _output.ResetWrittenCount();
        StompWriter.Write(_output, _messageFrame);
        return _output.WrittenCount;
    }

    private static StompFrame? Parse(byte[] bytes)
    {
        var buffer = new ReadOnlySequence<byte>(bytes);
        return StompParser.TryParse(ref buffer, StompLimits.Default, out var result) ? result.Frame : throw new InvalidOperationException(result.Error);
    }
}
