namespace Parley.Protocol.MobileImSdk;

/// <summary>
/// The MobileIMSDK envelope (the project's spelling). Property defaults are the ones the Java code uses when it
/// builds a packet; a decoded packet instead gets 0/false/null for missing fields, as Gson does.
/// </summary>
public sealed record Protocal
{
    public bool Bridge { get; init; }

    public int Type { get; init; }

    /// <summary>Payload: a JSON document as a string (framework types), app text (type 2) or an fp (type 4).</summary>
    public string? DataContent { get; init; }

    public string? From { get; init; } = MobileImIds.Unknown;

    public string? To { get; init; } = MobileImIds.Unknown;

    /// <summary>Fingerprint (message id) of a QoS packet.</summary>
    public string? Fp { get; init; }

    public bool QoS { get; init; }

    /// <summary>Application sub-type; -1 = unused.</summary>
    public int TypeU { get; init; } = -1;

    /// <summary>Server timestamp in ms since the Unix epoch; -1 = not stamped.</summary>
    public long Sm { get; init; } = -1;
}

/// <summary>Packet types (spec §3).</summary>
public static class ProtocalType
{
    public const int Login = 0;
    public const int KeepAlive = 1;
    public const int CommonData = 2;
    public const int Logout = 3;
    public const int Received = 4;
    public const int Echo = 5;
    public const int ResponseLogin = 50;
    public const int ResponseKeepAlive = 51;
    public const int ResponseForError = 52;
    public const int ResponseEcho = 53;
    public const int Kickout = 54;
}

/// <summary>Reserved user ids.</summary>
public static class MobileImIds
{
    /// <summary>The server.</summary>
    public const string Server = "0";

    /// <summary>Unknown / not logged in.</summary>
    public const string Unknown = "-1";
}
