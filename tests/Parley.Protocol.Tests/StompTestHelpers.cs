using System.Buffers;
using System.Text;
using Parley.Protocol.Stomp;

namespace Parley.Protocol.Tests;

internal static class StompTestHelpers
{
    public static ReadOnlySequence<byte> Seq(string text) => new(Encoding.UTF8.GetBytes(text));

    public static StompParseResult ParseOne(string text, StompLimits? limits = null)
    {
        var buffer = Seq(text);
        StompParser.TryParse(ref buffer, limits ?? StompLimits.Default, out var result);
        return result;
    }

    /// <summary>Feeds <paramref name="bytes"/> as a pipe would, split at <paramref name="split"/>, collecting results.</summary>
    public static List<StompParseResult> ParseSplit(byte[] bytes, int split, StompLimits limits)
    {
        var results = new List<StompParseResult>();
        var pending = Array.Empty<byte>();
        foreach (var chunk in new[] { bytes[..split], bytes[split..] })
        {
            var buffer = new ReadOnlySequence<byte>([.. pending, .. chunk]);
            StompParseResult last;
            while (StompParser.TryParse(ref buffer, limits, out last))
            {
                results.Add(last);
            }

            if (last.Status != ParseStatus.NeedMore)
            {
                results.Add(last);
                return results;
            }

            pending = buffer.ToArray();
        }

        return results;
    }

    /// <summary>A sequence of one-byte segments: the worst case for segment-crossing code.</summary>
    public static ReadOnlySequence<byte> Fragmented(byte[] bytes)
    {
        if (bytes.Length == 0)
        {
            return ReadOnlySequence<byte>.Empty;
        }

        var first = new Segment(bytes[..1], 0);
        var last = first;
        for (var i = 1; i < bytes.Length; i++)
        {
            last = last.Append(bytes[i..(i + 1)]);
        }

        return new ReadOnlySequence<byte>(first, 0, last, 1);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
