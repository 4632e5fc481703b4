using System.Text;
using Parley.Protocol.MobileImSdk;

namespace Parley.Protocol.Tests;

/// <summary>Byte-level checks against every captured vector of spec §16.</summary>
public class MobileImSdkVectorTests
{
    private const string V1 = """{"bridge":false,"type":0,"dataContent":"{\"loginUserId\":\"bob-udp\",\"loginToken\":\"token-of-bob-udp\",\"firstLoginTime\":0}","from":"bob-udp","to":"0","QoS":false,"typeu":-1,"sm":-1}""";
    private const string V2 = """{"bridge":false,"type":50,"dataContent":"{\"code\":0,\"firstLoginTime\":1795309340499}","from":"0","to":"bob-udp","QoS":false,"typeu":-1,"sm":-1}""";
    private const string V3KeepAlive = """{"bridge":false,"type":1,"dataContent":"{}","from":"bob-udp","to":"0","QoS":false,"typeu":-1,"sm":-1}""";
    private const string V3Response = """{"bridge":false,"type":51,"dataContent":"{}","from":"0","to":"bob-udp","QoS":false,"typeu":-1,"sm":-1}""";
    private const string V4Data = """{"bridge":false,"type":2,"dataContent":"hello bob-udp from alice-udp","from":"alice-udp","to":"bob-udp","fp":"4010dff4-f19a-42be-b743-4c5f17c26306","QoS":true,"typeu":1,"sm":-1}""";
    private const string V4Ack = """{"bridge":false,"type":4,"dataContent":"4010dff4-f19a-42be-b743-4c5f17c26306","from":"bob-udp","to":"alice-udp","QoS":false,"typeu":-1,"sm":-1}""";
    private const string V5 = """{"bridge":false,"type":54,"dataContent":"{\"code\":1}","from":"0","to":"dave-udp","QoS":false,"typeu":-1,"sm":-1}""";
    private const string V6 = """{"bridge":false,"type":3,"from":"bob-tcp","to":"0","QoS":false,"typeu":-1,"sm":-1}""";
    private const string V7 = """{"bridge":false,"type":4,"dataContent":"30cdec66-0922-4d13-83f7-e9c95a1b3d32","from":"carol-udp","to":"alice-udp","QoS":false,"typeu":-1,"sm":-1}""";
    private const string V8 = """{"bridge":false,"type":52,"dataContent":"{\"errorCode\":301,\"errorMsg\":\"{\\\"bridge\\\":false,\\\"type\\\":2,\\\"dataContent\\\":\\\"hi\\\",\\\"from\\\":\\\"probe-udp\\\",\\\"to\\\":\\\"bob\\\",\\\"QoS\\\":false,\\\"typeu\\\":-1,\\\"sm\\\":-1}\"}","from":"0","to":"-1","QoS":false,"typeu":-1,"sm":-1}""";
    private const string V9 = """{"bridge":false,"type":50,"dataContent":"{\"code\":1025,\"firstLoginTime\":-1}","from":"0","to":"-1","QoS":false,"typeu":-1,"sm":-1}""";
    private const string V10C2S = """{"bridge":false,"type":2,"dataContent":"s2c:server push for erin-udp","from":"erin-udp","to":"0","fp":"e77d077c-a5d2-4952-a97b-5f430fca8ced","QoS":true,"typeu":3,"sm":-1}""";
    private const string V10Ack = """{"bridge":false,"type":4,"dataContent":"e77d077c-a5d2-4952-a97b-5f430fca8ced","from":"0","to":"erin-udp","QoS":false,"typeu":-1,"sm":-1}""";
    private const string V10Push = """{"bridge":false,"type":2,"dataContent":"server push for erin-udp","from":"0","to":"erin-udp","fp":"7b5fc29c-4623-4f06-b414-7ab83422162a","QoS":true,"typeu":99,"sm":-1}""";
    private const string V10ClientAck = """{"bridge":false,"type":4,"dataContent":"7b5fc29c-4623-4f06-b414-7ab83422162a","from":"erin-udp","to":"0","QoS":false,"typeu":-1,"sm":-1}""";

    public static TheoryData<string> AllVectors =>
        [V1, V2, V3KeepAlive, V3Response, V4Data, V4Ack, V5, V6, V7, V8, V9, V10C2S, V10Ack, V10Push, V10ClientAck];

    [Theory]
    [MemberData(nameof(AllVectors))]
    public void Every_vector_decodes_and_re_encodes_to_the_same_bytes(string vector)
    {
        var bytes = Encoding.UTF8.GetBytes(vector);
        var result = ProtocalCodec.Decode(bytes, MobileImLimits.MaxUdpDatagram);
        Assert.True(result.IsSuccess, result.Error);
        Assert.Equal(bytes, ProtocalCodec.Encode(result.Packet!));
    }

    [Fact]
    public void Vector_sizes_match_the_capture()
    {
        Assert.Equal(185, Encoding.UTF8.GetByteCount(V1));
        Assert.Equal(145, Encoding.UTF8.GetByteCount(V2));
        Assert.Equal(101, Encoding.UTF8.GetByteCount(V3KeepAlive));
        Assert.Equal(102, Encoding.UTF8.GetByteCount(V3Response));
        Assert.Equal(177, Encoding.UTF8.GetByteCount(V4Data));
        Assert.Equal(143, Encoding.UTF8.GetByteCount(V4Ack));
        Assert.Equal(113, Encoding.UTF8.GetByteCount(V5));
        Assert.Equal(82, Encoding.UTF8.GetByteCount(V6));
        Assert.Equal(303, Encoding.UTF8.GetByteCount(V8));
    }

    [Fact]
    public void V1_login_built_from_fields()
    {
        var packet = new Protocal
        {
            Type = ProtocalType.Login,
            DataContent = new PLoginInfo("bob-udp", "token-of-bob-udp").ToJson(),
            From = "bob-udp",
            To = MobileImIds.Server,
        };
        Assert.Equal(V1, ProtocalCodec.EncodeToString(packet));

        var decoded = ProtocalCodec.Decode(Encoding.UTF8.GetBytes(V1), 2048).Packet!;
        Assert.True(PLoginInfo.TryParse(decoded.DataContent, out var login));
        Assert.Equal(new PLoginInfo("bob-udp", "token-of-bob-udp", null, 0), login);
    }

    [Fact]
    public void Server_packets_from_the_factory_match_vectors()
    {
        Assert.Equal(V2, ProtocalCodec.EncodeToString(ProtocalFactory.LoginResponse("bob-udp", 0, 1795309340499)));
        Assert.Equal(V9, ProtocalCodec.EncodeToString(ProtocalFactory.LoginRefused(1025)));
        Assert.Equal(V3Response, ProtocalCodec.EncodeToString(ProtocalFactory.KeepAliveResponse("bob-udp")));
        Assert.Equal(V5, ProtocalCodec.EncodeToString(ProtocalFactory.Kickout("dave-udp", MobileImKickoutCode.DuplicateLogin)));
        Assert.Equal(V4Ack, ProtocalCodec.EncodeToString(ProtocalFactory.Ack("bob-udp", "alice-udp", "4010dff4-f19a-42be-b743-4c5f17c26306")));
        Assert.Equal(V7, ProtocalCodec.EncodeToString(ProtocalFactory.Ack("carol-udp", "alice-udp", "30cdec66-0922-4d13-83f7-e9c95a1b3d32")));
        Assert.Equal(V10Ack, ProtocalCodec.EncodeToString(ProtocalFactory.Ack("0", "erin-udp", "e77d077c-a5d2-4952-a97b-5f430fca8ced")));
        Assert.Equal(V10Push, ProtocalCodec.EncodeToString(
            ProtocalFactory.CommonData("0", "erin-udp", "server push for erin-udp", fp: "7b5fc29c-4623-4f06-b414-7ab83422162a", typeu: 99)));
        Assert.Equal(V6, ProtocalCodec.EncodeToString(new Protocal { Type = ProtocalType.Logout, From = "bob-tcp", To = "0" }));
    }

    [Fact]
    public void V8_error_301_carries_the_offending_envelope_triple_escaped()
    {
        var offending = new Protocal { Type = ProtocalType.CommonData, DataContent = "hi", From = "probe-udp", To = "bob" };
        var error = ProtocalFactory.Error(MobileImErrorCode.ResponseNoLogin, offending);
        Assert.Equal(V8, ProtocalCodec.EncodeToString(error));

        Assert.True(PErrorResponse.TryParse(error.DataContent, out var payload));
        Assert.Equal(301, payload.ErrorCode);
        Assert.Equal(offending, ProtocalCodec.Decode(Encoding.UTF8.GetBytes(payload.ErrorMsg!), 2048).Packet);
    }

    [Fact]
    public void V2_V5_V9_payloads_decode()
    {
        Assert.True(PLoginInfoResponse.TryParse(ProtocalCodec.Decode(Encoding.UTF8.GetBytes(V2), 2048).Packet!.DataContent, out var ok));
        Assert.Equal(new PLoginInfoResponse(0, 1795309340499), ok);
        Assert.True(PLoginInfoResponse.TryParse(ProtocalCodec.Decode(Encoding.UTF8.GetBytes(V9), 2048).Packet!.DataContent, out var refused));
        Assert.Equal(new PLoginInfoResponse(1025, -1), refused);
        Assert.True(PKickoutInfo.TryParse(ProtocalCodec.Decode(Encoding.UTF8.GetBytes(V5), 2048).Packet!.DataContent, out var kick));
        Assert.Equal(new PKickoutInfo(1, null), kick);
    }

    [Fact]
    public void V4_decodes_to_exact_fields()
    {
        var packet = ProtocalCodec.Decode(Encoding.UTF8.GetBytes(V4Data), 2048).Packet!;
        Assert.Equal(
            new Protocal
            {
                Type = 2, DataContent = "hello bob-udp from alice-udp", From = "alice-udp", To = "bob-udp",
                Fp = "4010dff4-f19a-42be-b743-4c5f17c26306", QoS = true, TypeU = 1, Sm = -1,
            },
            packet);
    }

    [Fact]
    public void Tcp_headers_match_the_capture()
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        MobileImTcpFraming.WriteFrame(buffer, Encoding.UTF8.GetBytes(V3KeepAlive));
        Assert.Equal(new byte[] { 0, 0, 0, 0x65, 0x7b, 0x22, 0x62, 0x72 }, buffer.WrittenSpan[..8].ToArray());

        buffer.Clear();
        MobileImTcpFraming.WriteFrame(buffer, Encoding.UTF8.GetBytes(V6));
        Assert.Equal(new byte[] { 0, 0, 0, 0x52 }, buffer.WrittenSpan[..4].ToArray());
        buffer.Clear();
        MobileImTcpFraming.WriteFrame(buffer, Encoding.UTF8.GetBytes(V1));
        Assert.Equal(new byte[] { 0, 0, 0, 0xb9 }, buffer.WrittenSpan[..4].ToArray());
    }
}
