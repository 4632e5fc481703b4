using System.Buffers.Binary;

namespace Parley.Transports.WebSockets;

/// <summary>The head of an unmasked (server → client) RFC 6455 frame.</summary>
public static class ServerFrameHeader
{
    /// <summary>The longest head: two bytes and a 64-bit length.</summary>
    public const int MaxBytes = 10;

    /// <summary>Writes the head of a frame (<paramref name="first"/> = FIN, RSV and opcode) into <paramref name="destination"/>; returns its length.</summary>
    public static int Write(Span<byte> destination, byte first, int payloadLength)
    {
        destination[0] = first;
        if (payloadLength < 126)
        {
            destination[1] = (byte)payloadLength;
            return 2;
        }
        if (payloadLength <= ushort.MaxValue)
        {
            destination[1] = 126;
            BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)payloadLength);
            return 4;
        }
        destination[1] = 127;
        BinaryPrimitives.WriteUInt64BigEndian(destination[2..], (ulong)payloadLength);
        return 10;
    }
}
