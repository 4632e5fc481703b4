namespace Parley.Protocol.MobileImSdk;

/// <summary>Error and status codes (spec §9). Codes 0–1024 are reserved for the framework.</summary>
public static class MobileImErrorCode
{
    public const int Ok = 0;
    public const int NoLogin = 1;
    public const int UnknownError = 2;
    public const int DataSendFailed = 3;
    public const int InvalidPacket = 4;
    public const int BreakConnect = 201;
    public const int CannotConnectToServer = 202;
    public const int ClientSdkNotInitialized = 203;
    public const int LocalNetworkNotAvailable = 204;
    public const int ServerAddressNotConfigured = 205;

    /// <summary>On the wire in type 52: "not logged in, log in again".</summary>
    public const int ResponseNoLogin = 301;

    /// <summary>Smallest recommended application-defined login refusal code (type 50).</summary>
    public const int FirstApplicationCode = 1025;

    /// <summary>Link-close code, refused login's firstLoginTime, "not a kick".</summary>
    public const int None = -1;
}

/// <summary>Type 54 kickout codes.</summary>
public static class MobileImKickoutCode
{
    public const int DuplicateLogin = 1;
    public const int KickedByAdmin = 2;
}

/// <summary>Size limits per transport (spec §5), in bytes.</summary>
public static class MobileImLimits
{
    /// <summary>Server UDP receive buffer; a longer datagram is truncated by the Java server.</summary>
    public const int MaxUdpDatagram = 2048;

    /// <summary>Java/Android UDP clients read into 1024 bytes: keep server→client datagrams at most this long.</summary>
    public const int MaxUdpDatagramToClient = 1024;

    /// <summary>Default TCP body limit (server and Java TCP client).</summary>
    public const int MaxTcpBody = 6144;

    /// <summary>WebSocket frame payload limit.</summary>
    public const int MaxWebSocketMessage = 65536;
}
