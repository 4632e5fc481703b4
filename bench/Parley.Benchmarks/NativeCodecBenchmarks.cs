using BenchmarkDotNet.Attributes;
using Parley.Abstractions.Events;
using Parley.Abstractions.Model;
using Parley.Transports.Native;

namespace Parley.Benchmarks;

/// <summary>
/// The native JSON codec. <see cref="EncodeOncePerFanOut"/> is what the server does (one MessageEvent per message,
/// its bytes cached by <see cref="ServerEvent.GetOrEncode{TState}"/>); <see cref="EncodePerConnection"/> is the
/// naive alternative that serializes for every recipient connection.
/// </summary>
[MemoryDiagnoser]
public class NativeCodecBenchmarks
{
    private ChatMessage _message = null!;

    /// <summary>Recipient connections of one message.</summary>
    [Params(1, 100)]
    public int Connections { get; set; }

    [GlobalSetup]
    public void Setup() => _message = Samples.Message();

    [Benchmark(Baseline = true, Description = "native message encode per connection")]
    [BenchmarkCategory("NativeEncode")]
    public int EncodePerConnection()
    {
        var bytes = 0;
        for (var i = 0; i < Connections; i++) bytes += NativeEventEncoder.Encode(new MessageEvent(_message)).Length;
        return bytes;
    }

    [Benchmark(Description = "native message encode once per fan-out")]
    [BenchmarkCategory("NativeEncode")]
    public int EncodeOncePerFanOut()
    {
        var ev = new MessageEvent(_message);
        var bytes = 0;
        for (var i = 0; i < Connections; i++) bytes += NativeEventEncoder.Encode(ev).Length;
        return bytes;
    }
}

/// <summary>Parsing one inbound native "send" frame (what every sent message costs the server first).</summary>
[MemoryDiagnoser]
public class NativeParseBenchmarks
{
    private readonly ReadOnlyMemory<byte> _frame = Samples.NativeSendFrame;

    [Benchmark(Description = "native command parse (send)")]
    public NativeParseResult ParseSend() => NativeCommandParser.Parse(_frame);
}
