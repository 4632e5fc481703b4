using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Parley.Core.Messaging;

/// <summary>
/// Message ids: UUIDv7 (48 bits of Unix milliseconds, then random bits) as 32 lowercase hex digits, so that ids sort
/// by time like <see cref="Guid.CreateVersion7()"/>'s. That method reads the kernel's random source for every id,
/// one syscall per message on Linux; here each thread takes its random bits from a block of cryptographic random
/// bytes that it refills every few hundred ids.
/// </summary>
internal static class MessageIds
{
    private const int RandomBytes = 10;
    private const int BlockBytes = 4000; // 400 ids per refill

    [ThreadStatic] private static byte[]? t_block;
    [ThreadStatic] private static int t_used;

    public static string New() => New(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());

    internal static string New(long unixMs)
    {
        Span<byte> bytes = stackalloc byte[16];
        BinaryPrimitives.WriteInt64BigEndian(bytes[..8], unixMs << 16);
        TakeRandom(bytes[6..]);
        bytes[6] = (byte)(0x70 | (bytes[6] & 0x0F)); // version 7
        bytes[8] = (byte)(0x80 | (bytes[8] & 0x3F)); // RFC 9562 variant
        return new Guid(bytes, bigEndian: true).ToString("N");
    }

    private static void TakeRandom(Span<byte> destination)
    {
        var block = t_block;
        var used = t_used;
        if (block is null || used > BlockBytes - RandomBytes)
        {
            block = t_block ??= new byte[BlockBytes];
            RandomNumberGenerator.Fill(block);
            used = 0;
        }
        block.AsSpan(used, RandomBytes).CopyTo(destination);
        t_used = used + RandomBytes;
    }
}
