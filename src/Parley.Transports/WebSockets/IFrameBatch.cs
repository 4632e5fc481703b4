namespace Parley.Transports.WebSockets;

/// <summary>
/// A server WebSocket's write batch: a write loop appends every message it has queued as whole frames and sends them
/// with one flush, so a connection that receives eight messages at once costs one send, not eight.
/// </summary>
public interface IFrameBatch
{
    /// <summary>
    /// Appends one whole message as a single unmasked frame (FIN set) without sending it; returns the bytes now waiting
    /// for <see cref="FlushBatchAsync"/>.
    /// </summary>
    int AppendFrame(ReadOnlySpan<byte> payload, bool text);

    /// <summary>Sends everything appended so far.</summary>
    ValueTask FlushBatchAsync(CancellationToken ct);
}
