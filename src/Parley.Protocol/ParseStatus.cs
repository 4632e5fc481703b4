namespace Parley.Protocol;

/// <summary>Outcome of one parse attempt by any Parley codec.</summary>
public enum ParseStatus
{
    /// <summary>A complete frame or packet was read and its bytes consumed.</summary>
    Complete,

    /// <summary>Only heart-beat end-of-lines were read and consumed (STOMP).</summary>
    Heartbeat,

    /// <summary>The input is a valid prefix; nothing was consumed, wait for more bytes.</summary>
    NeedMore,

    /// <summary>The input is not a valid frame; the connection should be failed with <c>Error</c>.</summary>
    Malformed,

    /// <summary>The input exceeds a configured size limit; detected before buffering the whole frame.</summary>
    TooLarge,
}
