using System.Buffers;

namespace Parley.Protocol.Stomp;

/// <summary>Pure, bounded STOMP 1.2 frame parser. Never throws on hostile input.</summary>
public static class StompParser
{
    private const byte Lf = (byte)'\n';
    private const byte Cr = (byte)'\r';

    /// <summary>
    /// Parses the next frame or run of heart-beat EOLs at the start of <paramref name="buffer"/>.
    /// Returns true (and slices the consumed bytes off <paramref name="buffer"/>) when the result is
    /// <see cref="ParseStatus.Complete"/> or <see cref="ParseStatus.Heartbeat"/>; otherwise returns false,
    /// leaves <paramref name="buffer"/> unchanged and the result says NeedMore, Malformed or TooLarge.
    /// </summary>
    public static bool TryParse(ref ReadOnlySequence<byte> buffer, StompLimits limits, out StompParseResult result)
    {
        var reader = new SequenceReader<byte>(buffer);
        result = reader.TryPeek(out var first) && first is Lf or Cr
            ? ReadHeartbeats(ref reader)
            : ReadFrame(ref reader, limits);

        // Any incomplete frame that already fills the limit can never complete within it.
        if (result.Status == ParseStatus.NeedMore && buffer.Length >= limits.MaxFrameSize)
        {
            result = StompParseResult.TooLarge($"frame exceeds {limits.MaxFrameSize} bytes");
        }

        if (result.Status is ParseStatus.Complete or ParseStatus.Heartbeat)
        {
            buffer = buffer.Slice(reader.Position);
            return true;
        }

        return false;
    }

    private static StompParseResult ReadHeartbeats(ref SequenceReader<byte> reader)
    {
        var count = 0;
        while (reader.TryPeek(out var b))
        {
            if (b == Lf)
            {
                reader.Advance(1);
            }
            else if (b == Cr)
            {
                if (!reader.TryPeek(1, out var next))
                {
                    break;
                }

                if (next != Lf)
                {
                    return StompParseResult.Bad("CR not followed by LF");
                }

                reader.Advance(2);
            }
            else
            {
                break;
            }

            count++;
        }

        return count == 0 ? StompParseResult.NeedMore : StompParseResult.Heartbeat;
    }

    private static StompParseResult ReadFrame(ref SequenceReader<byte> reader, StompLimits limits)
    {
        if (reader.End)
        {
            return StompParseResult.NeedMore;
        }

        var status = ReadLine(ref reader, limits, out var commandLine);
        if (status is not null)
        {
            return status.Value;
        }

        if (!StompCommands.TryParse(commandLine, out var command))
        {
            return StompParseResult.Bad("unknown command");
        }

        var headers = new List<KeyValuePair<string, string>>();
        while (true)
        {
            status = ReadLine(ref reader, limits, out var line);
            if (status is not null)
            {
                return status.Value;
            }

            if (line.Length == 0)
            {
                break;
            }

            if (headers.Count == limits.MaxHeaderCount)
            {
                return StompParseResult.TooLarge($"more than {limits.MaxHeaderCount} headers");
            }

            var error = StompHeaderCodec.TryDecode(line, command.UsesHeaderEscaping(), out var header);
            if (error is not null)
            {
                return StompParseResult.Bad(error);
            }

            headers.Add(header);
        }

        return ReadBody(ref reader, limits, command, headers);
    }

    private static StompParseResult ReadBody(
        ref SequenceReader<byte> reader, StompLimits limits, StompCommand command, List<KeyValuePair<string, string>> headers)
    {
        var frame = new StompFrame(command, headers);
        var contentLength = frame.GetHeader(StompHeaders.ContentLength);
        byte[] body;
        if (contentLength is not null)
        {
            if (!TryParseContentLength(contentLength, out var length))
            {
                return StompParseResult.Bad("invalid content-length");
            }

            if (reader.Consumed + length + 1 > limits.MaxFrameSize)
            {
                return StompParseResult.TooLarge($"frame exceeds {limits.MaxFrameSize} bytes");
            }

            if (reader.Remaining < length + 1)
            {
                return StompParseResult.NeedMore;
            }

            body = reader.UnreadSequence.Slice(0, length).ToArray();
            reader.Advance(length);
            reader.TryRead(out var terminator);
            if (terminator != 0)
            {
                return StompParseResult.Bad("missing NUL after content-length body");
            }
        }
        else
        {
            if (!reader.TryReadTo(out ReadOnlySequence<byte> bodySequence, 0, advancePastDelimiter: true))
            {
                return StompParseResult.NeedMore;
            }

            body = bodySequence.ToArray();
        }

        if (reader.Consumed > limits.MaxFrameSize)
        {
            return StompParseResult.TooLarge($"frame exceeds {limits.MaxFrameSize} bytes");
        }

        return new StompParseResult(ParseStatus.Complete, new StompFrame(command, headers, body));
    }

    /// <summary>Reads one line without its EOL; null means success, otherwise the result to return.</summary>
    private static StompParseResult? ReadLine(ref SequenceReader<byte> reader, StompLimits limits, out ReadOnlySpan<byte> line)
    {
        line = default;
        if (!reader.TryReadTo(out ReadOnlySequence<byte> sequence, Lf, advancePastDelimiter: true))
        {
            return reader.Remaining > limits.MaxHeaderLineLength + 1
                ? StompParseResult.TooLarge($"header line exceeds {limits.MaxHeaderLineLength} bytes")
                : StompParseResult.NeedMore;
        }

        var span = sequence.IsSingleSegment ? sequence.FirstSpan : sequence.ToArray();
        if (span.Length > 0 && span[^1] == Cr)
        {
            span = span[..^1];
        }

        if (span.Length > limits.MaxHeaderLineLength)
        {
            return StompParseResult.TooLarge($"header line exceeds {limits.MaxHeaderLineLength} bytes");
        }

        line = span;
        return null;
    }

    private static bool TryParseContentLength(string value, out int length)
    {
        length = 0;
        if (value.Length == 0)
        {
            return false;
        }

        long parsed = 0;
        foreach (var c in value)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }

            parsed = Math.Min((parsed * 10) + (c - '0'), int.MaxValue); // saturate: any huge value is simply too large
        }

        length = (int)Math.Min(parsed, int.MaxValue - 1);
        return true;
    }
}
