using System.Buffers;
using System.Text;
using Parley.Protocol.MobileImSdk;

namespace Parley.Protocol.Tests;

public class MobileImSdkCodecTests
{
    private static ProtocalDecodeResult Decode(string json, int max = 6144) => ProtocalCodec.Decode(Encoding.UTF8.GetBytes(json), max);

    [Fact]
    public void Gson_html_safe_escaping_and_raw_non_ascii()
    {
        var packet = new Protocal { Type = 2, DataContent = "<a href='x'>&=\"\\\n\t\u0001\u2028</a> 你好 é", From = "u", To = "0" };
        Assert.Equal(
            "{\"bridge\":false,\"type\":2,\"dataContent\":\"\\u003ca href\\u003d\\u0027x\\u0027\\u003e\\u0026\\u003d\\\"\\\\\\n\\t\\u0001\\u2028\\u003c/a\\u003e 你好 é\",\"from\":\"u\",\"to\":\"0\",\"QoS\":false,\"typeu\":-1,\"sm\":-1}",
            ProtocalCodec.EncodeToString(packet));
        Assert.Equal(packet, Decode(ProtocalCodec.EncodeToString(packet)).Packet);
    }

    [Fact]
    public void Missing_fields_get_gson_zero_defaults_not_construction_defaults()
    {
        var packet = Decode("{\"type\":5,\"dataContent\":\"x\"}").Packet!;
        Assert.Equal(new Protocal { Type = 5, DataContent = "x", From = null, To = null, TypeU = 0, Sm = 0 }, packet);
        Assert.Equal("{\"bridge\":false,\"type\":53,\"dataContent\":\"x\",\"QoS\":false,\"typeu\":0,\"sm\":0}",
            ProtocalCodec.EncodeToString(ProtocalFactory.EchoResponse(packet)));
    }

    [Fact]
    public void Lenient_values_like_gson()
    {
        var packet = Decode("{\"type\":\"5\",\"QoS\":\"false\",\"bridge\":\"TRUE\",\"typeu\":3.0,\"sm\":\"17\",\"from\":123,\"to\":true,\"fp\":null,\"extra\":{\"x\":[1,2]}}").Packet!;
        Assert.Equal(new Protocal { Type = 5, QoS = false, Bridge = true, TypeU = 3, Sm = 17, From = "123", To = "true", Fp = null }, packet);
        Assert.True(Decode("{\"type\":null,\"QoS\":\"yes\"}").Packet is { Type: 0, QoS: false });
        Assert.Equal(2, Decode("{\"type\":1,\"type\":2}").Packet!.Type);
    }

    [Theory]
    [InlineData("")]
    [InlineData("null")]
    [InlineData("[]")]
    [InlineData("\"str\"")]
    [InlineData("{")]
    [InlineData("{\"type\":1}{}")]
    [InlineData("{\"type\":1} x")]
    [InlineData("{\"type\":\"abc\"}")]
    [InlineData("{\"type\":1.5}")]
    [InlineData("{\"type\":3000000000}")]
    [InlineData("{\"type\":true}")]
    [InlineData("{\"QoS\":1}")]
    [InlineData("{\"from\":{}}")]
    [InlineData("{\"dataContent\":[\"a\"]}")]
    [InlineData("{type:1}")]
    [InlineData("\u0000\u0001garbage")]
    public void Invalid_envelopes_are_bad_packets(string json)
    {
        var result = Decode(json);
        Assert.Equal(ParseStatus.Malformed, result.Status);
        Assert.Null(result.Packet);
        Assert.False(string.IsNullOrEmpty(result.Error));
    }

    [Fact]
    public void Deep_nesting_enormous_json_and_invalid_utf8_are_rejected()
    {
        var deep = "{\"x\":" + new string('[', 5000) + new string(']', 5000) + ",\"type\":1}";
        Assert.Equal(ParseStatus.Malformed, Decode(deep, 100_000).Status);
        Assert.Equal(ParseStatus.TooLarge, Decode("{\"dataContent\":\"" + new string('x', 7000) + "\"}").Status);
        Assert.Equal(ParseStatus.TooLarge, MobileImUdp.Decode(new byte[2049]).Status);
        byte[] badUtf8 = [.. "{\"from\":\""u8.ToArray(), 0xc3, 0x28, .. "\"}"u8.ToArray()];
        Assert.Equal(ParseStatus.Malformed, ProtocalCodec.Decode(badUtf8, 6144).Status);
    }

    [Fact]
    public void Udp_limits()
    {
        var packet = Encoding.UTF8.GetBytes("{\"type\":1,\"dataContent\":\"" + new string('x', 2048 - 27) + "\"}");
        Assert.Equal(2048, packet.Length);
        Assert.True(MobileImUdp.Decode(packet).IsSuccess);
        Assert.False(MobileImUdp.FitsClientBuffer(packet));
        Assert.True(MobileImUdp.FitsClientBuffer(packet.AsSpan(0, 1024)));
    }

    [Fact]
    public void Payloads_encode_like_gson_and_decode_tolerantly()
    {
        Assert.Equal("{\"loginUserId\":\"u\",\"loginToken\":\"t\",\"extra\":\"e=1\",\"firstLoginTime\":5}".Replace("=", "\\u003d"),
            new PLoginInfo("u", "t", "e=1", 5).ToJson());
        Assert.Equal("{\"code\":2,\"reason\":\"bye\"}", new PKickoutInfo(2, "bye").ToJson());
        Assert.Equal("{\"errorCode\":301}", new PErrorResponse(301, null).ToJson());
        Assert.True(PLoginInfo.TryParse("{\"loginUserId\":\"u\",\"unknown\":[1],\"firstLoginTime\":\"7\"}", out var login));
        Assert.Equal(new PLoginInfo("u", null, null, 7), login);
        Assert.True(PLoginInfoResponse.TryParse("{}", out var empty));
        Assert.Equal(new PLoginInfoResponse(0, 0), empty);
        Assert.False(PLoginInfo.TryParse(null, out _));
        Assert.False(PLoginInfo.TryParse("not json", out _));
        Assert.False(PKickoutInfo.TryParse("{\"code\":{}}", out _));
        Assert.False(PErrorResponse.TryParse("[1]", out _));
    }

    [Fact]
    public void Common_data_with_qos_gets_a_lower_case_uuid()
    {
        var packet = ProtocalFactory.CommonData("a", "b", "hi");
        Assert.Matches("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", packet.Fp);
        Assert.Null(ProtocalFactory.CommonData("a", "b", "hi", qos: false).Fp);
    }
}

public class MobileImTcpFramingTests
{
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("{\"bridge\":false,\"type\":1,\"dataContent\":\"{}\",\"from\":\"bob-udp\",\"to\":\"0\",\"QoS\":false,\"typeu\":-1,\"sm\":-1}");

    private static byte[] Framed(params byte[][] bodies)
    {
        var buffer = new ArrayBufferWriter<byte>();
        foreach (var body in bodies)
        {
            MobileImTcpFraming.WriteFrame(buffer, body);
        }

        return buffer.WrittenSpan.ToArray();
    }

    [Fact]
    public void Several_frames_in_one_buffer()
    {
        var buffer = new ReadOnlySequence<byte>(Framed(Body, Body));
        Assert.True(MobileImTcpFraming.TryReadPacket(ref buffer, 6144, out var first));
        Assert.Equal(ProtocalType.KeepAlive, first.Packet!.Type);
        Assert.True(MobileImTcpFraming.TryReadFrame(ref buffer, 6144, out var second));
        Assert.Equal(Body, second.Body.ToArray());
        Assert.False(MobileImTcpFraming.TryReadFrame(ref buffer, 6144, out var third));
        Assert.Equal(ParseStatus.NeedMore, third.Status);
    }

    [Fact]
    public void Every_split_point_needs_more_then_completes()
    {
        var bytes = Framed(Body);
        for (var split = 0; split < bytes.Length; split++)
        {
            var partial = new ReadOnlySequence<byte>(bytes, 0, split);
            Assert.False(MobileImTcpFraming.TryReadFrame(ref partial, 6144, out var r));
            Assert.Equal(ParseStatus.NeedMore, r.Status);
            Assert.Equal(split, partial.Length);
        }

        var fragmented = StompTestHelpers.Fragmented(bytes);
        Assert.True(MobileImTcpFraming.TryReadPacket(ref fragmented, 6144, out var packet));
        Assert.Equal(Body, ProtocalCodec.Encode(packet.Packet!));
    }

    [Theory]
    [InlineData(new byte[] { 0, 0, 0x18, 0x01 }, ParseStatus.TooLarge)] // 6145
    [InlineData(new byte[] { 0xff, 0xff, 0xff, 0xff }, ParseStatus.TooLarge)] // "negative"
    [InlineData(new byte[] { 0x65, 0, 0, 0 }, ParseStatus.TooLarge)] // little-endian 101
    [InlineData(new byte[] { 0, 0, 0, 0 }, ParseStatus.Malformed)]
    public void Bad_length_prefixes_are_reported_from_the_header_alone(byte[] header, ParseStatus expected)
    {
        var buffer = new ReadOnlySequence<byte>(header);
        Assert.False(MobileImTcpFraming.TryReadFrame(ref buffer, 6144, out var result));
        Assert.Equal(expected, result.Status);
        Assert.NotNull(result.Error);
    }

    [Fact]
    public void Max_body_is_inclusive()
    {
        var body = new byte[6144];
        var buffer = new ReadOnlySequence<byte>(Framed(body));
        Assert.True(MobileImTcpFraming.TryReadFrame(ref buffer, 6144, out _));
    }

    [Fact]
    public void Garbage_body_consumes_the_frame_and_reports_a_bad_packet()
    {
        var buffer = new ReadOnlySequence<byte>(Framed("garbage"u8.ToArray()));
        Assert.True(MobileImTcpFraming.TryReadPacket(ref buffer, 6144, out var result));
        Assert.Equal(ParseStatus.Malformed, result.Status);
        Assert.Equal(0, buffer.Length);
    }
}
