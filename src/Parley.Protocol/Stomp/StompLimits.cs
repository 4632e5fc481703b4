namespace Parley.Protocol.Stomp;

/// <summary>Size limits enforced by <see cref="StompParser"/>. All sizes in bytes.</summary>
public sealed record StompLimits
{
    /// <summary>Defaults: 64 KiB per frame (Spring's inbound default), 8 KiB per header line, 64 headers.</summary>
    public static StompLimits Default { get; } = new();

    /// <summary>Whole frame, from the command's first byte to the NUL terminator inclusive.</summary>
    public int MaxFrameSize { get; init; } = 64 * 1024;

    /// <summary>One command or header line, excluding its EOL.</summary>
    public int MaxHeaderLineLength { get; init; } = 8 * 1024;

    public int MaxHeaderCount { get; init; } = 64;
}
