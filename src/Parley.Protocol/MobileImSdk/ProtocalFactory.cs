namespace Parley.Protocol.MobileImSdk;

/// <summary>Builds the packets a server sends, with the from/to/QoS conventions of spec §3 and §8.2.</summary>
public static class ProtocalFactory
{
    public static Protocal LoginResponse(string to, int code, long firstLoginTime) => new()
    {
        Type = ProtocalType.ResponseLogin,
        DataContent = new PLoginInfoResponse(code, firstLoginTime).ToJson(),
        From = MobileImIds.Server,
        To = to,
    };

    /// <summary>A refused login: firstLoginTime -1, to "-1".</summary>
    public static Protocal LoginRefused(int code) => LoginResponse(MobileImIds.Unknown, code, -1);

    public static Protocal KeepAliveResponse(string to) => new()
    {
        Type = ProtocalType.ResponseKeepAlive, DataContent = PKeepAlive.Json, From = MobileImIds.Server, To = to,
    };

    /// <summary>Type 52 whose errorMsg is the offending envelope re-encoded as JSON text.</summary>
    public static Protocal Error(int errorCode, Protocal offending) => new()
    {
        Type = ProtocalType.ResponseForError,
        DataContent = new PErrorResponse(errorCode, ProtocalCodec.EncodeToString(offending)).ToJson(),
        From = MobileImIds.Server,
        To = MobileImIds.Unknown,
    };

    public static Protocal Kickout(string to, int code, string? reason = null) => new()
    {
        Type = ProtocalType.Kickout, DataContent = new PKickoutInfo(code, reason).ToJson(), From = MobileImIds.Server, To = to,
    };

    /// <summary>Type 4 acknowledging <paramref name="fp"/>; never QoS, no fp of its own.</summary>
    public static Protocal Ack(string from, string to, string fp, bool bridge = false) => new()
    {
        Type = ProtocalType.Received, DataContent = fp, From = from, To = to, Bridge = bridge,
    };

    /// <summary>Type 53: the received envelope with only the type changed.</summary>
    public static Protocal EchoResponse(Protocal received) => received with { Type = ProtocalType.ResponseEcho };

    /// <summary>Type 2 data packet; a QoS packet without fp gets a new lower-case UUID like the Java SDK.</summary>
    public static Protocal CommonData(string from, string to, string? dataContent, bool qos = true, string? fp = null, int typeu = -1) => new()
    {
        Type = ProtocalType.CommonData,
        DataContent = dataContent,
        From = from,
        To = to,
        QoS = qos,
        Fp = qos ? fp ?? Guid.NewGuid().ToString("D") : fp,
        TypeU = typeu,
    };
}
