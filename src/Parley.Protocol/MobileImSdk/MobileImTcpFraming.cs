using System.Buffers;
using System.Buffers.Binary;

namespace Parley.Protocol.MobileImSdk;

/// <summary>
/// Result of <see cref="MobileImTcpFraming.TryReadFrame"/>. <see cref="Body"/> is a slice of the caller's buffer:
/// decode it before advancing the pipe.
/// </summary>
public readonly record struct TcpFrameResult(ParseStatus Status, ReadOnlySequence<byte> Body, string? Error);

/// <summary>TCP framing: a 4-byte big-endian length counting only the body, then the UTF-8 JSON body.</summary>
public static class MobileImTcpFraming
{
    public const int HeaderLength = 4;

    /// <summary>
    /// Reads one frame. Returns true and slices it off <paramref name="buffer"/> when Complete; otherwise false with
    /// NeedMore, Malformed (zero length: an empty body can never be an envelope) or TooLarge (length over
    /// <paramref name="maxBody"/> — reported as soon as the header is read, as the Java server closes then).
    /// </summary>
    public static bool TryReadFrame(ref ReadOnlySequence<byte> buffer, int maxBody, out TcpFrameResult result)
    {
        if (buffer.Length < HeaderLength)
        {
            result = new TcpFrameResult(ParseStatus.NeedMore, default, null);
            return false;
        }

        Span<byte> header = stackalloc byte[HeaderLength];
        buffer.Slice(0, HeaderLength).CopyTo(header);
        var length = BinaryPrimitives.ReadUInt32BigEndian(header);
        if (length == 0)
        {
            result = new TcpFrameResult(ParseStatus.Malformed, default, "zero-length frame");
            return false;
        }

        if (length > (uint)maxBody)
        {
            result = new TcpFrameResult(ParseStatus.TooLarge, default, $"frame body of {length} bytes exceeds {maxBody}");
            return false;
        }

        if (buffer.Length - HeaderLength < length)
        {
            result = new TcpFrameResult(ParseStatus.NeedMore, default, null);
            return false;
        }

        result = new TcpFrameResult(ParseStatus.Complete, buffer.Slice(HeaderLength, length), null);
        buffer = buffer.Slice(HeaderLength + length);
        return true;
    }

    /// <summary>Reads one frame and decodes its envelope; true when a frame was consumed (check the packet result).</summary>
    public static bool TryReadPacket(ref ReadOnlySequence<byte> buffer, int maxBody, out ProtocalDecodeResult result)
    {
        if (!TryReadFrame(ref buffer, maxBody, out var frame))
        {
            result = new ProtocalDecodeResult(frame.Status, null, frame.Error);
            return false;
        }

        result = ProtocalCodec.Decode(frame.Body, maxBody);
        return true;
    }

    /// <summary>Writes the length prefix and <paramref name="body"/>.</summary>
    public static void WriteFrame(IBufferWriter<byte> output, ReadOnlySpan<byte> body)
    {
        BinaryPrimitives.WriteUInt32BigEndian(output.GetSpan(HeaderLength), (uint)body.Length);
        output.Advance(HeaderLength);
        output.Write(body);
    }

    /// <summary>Encodes <paramref name="packet"/> and writes it as one frame.</summary>
    public static void WritePacket(IBufferWriter<byte> output, Protocal packet) => WriteFrame(output, ProtocalCodec.Encode(packet));
}

/// <summary>UDP: one datagram is one envelope, at most <see cref="MobileImLimits.MaxUdpDatagram"/> bytes.</summary>
public static class MobileImUdp
{
    /// <summary>Decodes a datagram; one longer than <paramref name="maxDatagram"/> is TooLarge.</summary>
    public static ProtocalDecodeResult Decode(ReadOnlySpan<byte> datagram, int maxDatagram = MobileImLimits.MaxUdpDatagram) =>
        ProtocalCodec.Decode(datagram, maxDatagram);

    /// <summary>True when an encoded server→client packet fits the Java/Android UDP client's 1024-byte buffer.</summary>
    public static bool FitsClientBuffer(ReadOnlySpan<byte> encoded) => encoded.Length <= MobileImLimits.MaxUdpDatagramToClient;
}
