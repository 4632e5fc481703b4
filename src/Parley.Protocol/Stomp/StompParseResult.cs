namespace Parley.Protocol.Stomp;

/// <summary>Result of <see cref="StompParser.TryParse"/>; <see cref="Frame"/> is set only when <see cref="Status"/> is Complete.</summary>
public readonly record struct StompParseResult(ParseStatus Status, StompFrame? Frame = null, string? Error = null)
{
    internal static StompParseResult NeedMore => new(ParseStatus.NeedMore);

    internal static StompParseResult Heartbeat => new(ParseStatus.Heartbeat);

    internal static StompParseResult Bad(string error) => new(ParseStatus.Malformed, null, error);

    internal static StompParseResult TooLarge(string error) => new(ParseStatus.TooLarge, null, error);
}
