using System.Buffers;
using BenchmarkDotNet.Attributes;
using Parley.Protocol.MobileImSdk;

namespace Parley.Benchmarks;

/// <summary>MobileIMSDK envelope (Gson-compatible JSON) encode/decode and its 4-byte length-prefixed TCP framing.</summary>
[MemoryDiagnoser]
public class MobileImSdkBenchmarks
{
    private readonly ArrayBufferWriter<byte> _output = new(1024);
    private Protocal _packet = null!;
    private byte[] _encoded = null!;
    private byte[] _framed = null!;

    [GlobalSetup]
    public void Setup()
    {
        _packet = ProtocalFactory.CommonData("1001", "1002", Samples.JsonBody, qos: true, fp: "0193a5e2-c0d8-7c3b-9f1e-2d3c4b5a6978", typeu: 7);
        _encoded = ProtocalCodec.Encode(_packet);
        var framed = new ArrayBufferWriter<byte>();
        MobileImTcpFraming.WritePacket(framed, _packet);
        _framed = framed.WrittenSpan.ToArray();
    }

    [Benchmark(Description = "MobileIMSDK envelope encode")]
    public byte[] EncodeEnvelope() => ProtocalCodec.Encode(_packet);

    [Benchmark(Description = "MobileIMSDK envelope decode")]
    public Protocal? DecodeEnvelope() => ProtocalCodec.Decode(_encoded, MobileImLimits.MaxTcpBody).Packet;

    [Benchmark(Description = "MobileIMSDK TCP write packet (frame + encode)")]
    public int WriteTcpPacket()
    {
        _output.ResetWrittenCount();
        MobileImTcpFraming.WritePacket(_output, _packet);
        return _output.WrittenCount;
    }

    [Benchmark(Description = "MobileIMSDK TCP read packet (unframe + decode)")]
    public Protocal? ReadTcpPacket()
    {
        var buffer = new ReadOnlySequence<byte>(_framed);
        return MobileImTcpFraming.TryReadPacket(ref buffer, MobileImLimits.MaxTcpBody, out var result) ? result.Packet : null;
    }
}
