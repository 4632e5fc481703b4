using System.Buffers;
using System.Text;
using Parley.Protocol.Stomp;
using static Parley.Protocol.Tests.StompTestHelpers;

namespace Parley.Protocol.Tests;

public class StompParserTests
{
    [Fact]
    public void Parses_spec_connect_example_without_unescaping()
    {
        var result = ParseOne("CONNECT\naccept-version:1.2\nhost:stomp.github.org\nlogin:a\\cb\n\n\0");
        Assert.Equal(ParseStatus.Complete, result.Status);
        var frame = result.Frame!;
        Assert.Equal(StompCommand.Connect, frame.Command);
        Assert.Equal("1.2", frame.GetHeader("accept-version"));
        Assert.Equal("stomp.github.org", frame.GetHeader("host"));
        Assert.Equal("a\\cb", frame.GetHeader("login"));
        Assert.True(frame.Body.IsEmpty);
    }

    [Fact]
    public void Connect_with_a_backslash_t_is_not_an_error_because_it_is_not_unescaped()
    {
        Assert.Equal(ParseStatus.Complete, ParseOne("CONNECT\npasscode:a\\tb\n\n\0").Status);
        Assert.Equal("a\\tb", ParseOne("CONNECTED\nx:a\\tb\n\n\0").Frame!.GetHeader("x"));
    }

    [Fact]
    public void Unescapes_headers_of_other_frames()
    {
        var frame = ParseOne("MESSAGE\nfoo\\c\\\\:a\\r\\nb\\cc\n\n\0").Frame!;
        Assert.Equal("a\r\nb:c", frame.GetHeader("foo:\\"));
    }

    [Theory]
    [InlineData("SEND\nfoo:a\\tb\n\n\0")]
    [InlineData("SEND\nfoo:a\\\n\n\0")]
    [InlineData("SEND\nfo\\xo:b\n\n\0")]
    public void Undefined_escape_is_a_bad_frame(string text)
    {
        var result = ParseOne(text);
        Assert.Equal(ParseStatus.Malformed, result.Status);
        Assert.Contains("escape", result.Error);
    }

    [Fact]
    public void Repeated_header_first_occurrence_wins_and_all_are_kept()
    {
        var frame = ParseOne("MESSAGE\nfoo:World\nfoo:Hello\n\n\0").Frame!;
        Assert.Equal("World", frame.GetHeader("foo"));
        Assert.Equal(2, frame.Headers.Count);
        Assert.Equal("Hello", frame.Headers[1].Value);
    }

    [Fact]
    public void Content_length_allows_nul_in_body()
    {
        var frame = ParseOne("SEND\ndestination:/q\ncontent-length:5\n\na\0b\0c\0").Frame!;
        Assert.Equal("a\0b\0c"u8.ToArray(), frame.Body.ToArray());
    }

    [Fact]
    public void Without_content_length_the_body_ends_at_the_first_nul()
    {
        var buffer = Seq("SEND\ndestination:/q\n\nhello\0SEND\n\nx\0");
        Assert.True(StompParser.TryParse(ref buffer, StompLimits.Default, out var r1));
        Assert.Equal("hello"u8.ToArray(), r1.Frame!.Body.ToArray());
        Assert.True(StompParser.TryParse(ref buffer, StompLimits.Default, out var r2));
        Assert.Equal("x"u8.ToArray(), r2.Frame!.Body.ToArray());
        Assert.False(StompParser.TryParse(ref buffer, StompLimits.Default, out var r3));
        Assert.Equal(ParseStatus.NeedMore, r3.Status);
        Assert.Equal(0, buffer.Length);
    }

    [Fact]
    public void Crlf_line_endings_are_accepted()
    {
        var frame = ParseOne("SEND\r\ndestination:/q\r\n\r\nbody\0").Frame!;
        Assert.Equal("/q", frame.GetHeader("destination"));
        Assert.Equal("body"u8.ToArray(), frame.Body.ToArray());
    }

    [Fact]
    public void Heartbeat_eols_are_reported_between_frames()
    {
        var buffer = Seq("\n\r\n\nSEND\n\n\0\n");
        Assert.True(StompParser.TryParse(ref buffer, StompLimits.Default, out var hb));
        Assert.Equal(ParseStatus.Heartbeat, hb.Status);
        Assert.True(StompParser.TryParse(ref buffer, StompLimits.Default, out var frame));
        Assert.Equal(StompCommand.Send, frame.Frame!.Command);
        Assert.True(StompParser.TryParse(ref buffer, StompLimits.Default, out hb));
        Assert.Equal(ParseStatus.Heartbeat, hb.Status);
        Assert.Equal(0, buffer.Length);
    }

    [Fact]
    public void Lone_cr_waits_and_cr_without_lf_is_bad()
    {
        Assert.Equal(ParseStatus.NeedMore, ParseOne("\r").Status);
        Assert.Equal(ParseStatus.Malformed, ParseOne("\rX").Status);
    }

    [Theory]
    [InlineData("FOO\n\n\0")]
    [InlineData("send\n\n\0")]
    [InlineData(" SEND\n\n\0")]
    public void Unknown_command_is_a_bad_frame(string text)
    {
        var result = ParseOne(text);
        Assert.Equal(ParseStatus.Malformed, result.Status);
        Assert.Equal("unknown command", result.Error);
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("abc")]
    [InlineData("")]
    [InlineData(" 3")]
    [InlineData("1.5")]
    public void Invalid_content_length_is_a_bad_frame(string value)
    {
        Assert.Equal(ParseStatus.Malformed, ParseOne($"SEND\ncontent-length:{value}\n\nabc\0").Status);
    }

    [Fact]
    public void Content_length_not_followed_by_nul_is_a_bad_frame()
    {
        Assert.Equal(ParseStatus.Malformed, ParseOne("SEND\ncontent-length:2\n\nabc\0").Status);
    }

    [Fact]
    public void Huge_content_length_is_too_large_before_the_body_arrives()
    {
        Assert.Equal(ParseStatus.TooLarge, ParseOne("SEND\ncontent-length:999999999999\n\n").Status);
        Assert.Equal(ParseStatus.TooLarge, ParseOne("SEND\ncontent-length:70000\n\n").Status);
    }

    [Fact]
    public void Missing_nul_needs_more_until_the_limit_then_is_too_large()
    {
        var limits = new StompLimits { MaxFrameSize = 100 };
        Assert.Equal(ParseStatus.NeedMore, ParseOne("SEND\n\n" + new string('x', 50), limits).Status);
        Assert.Equal(ParseStatus.TooLarge, ParseOne("SEND\n\n" + new string('x', 94), limits).Status);
        Assert.Equal(ParseStatus.Complete, ParseOne("SEND\n\n" + new string('x', 93) + "\0", limits).Status);
        Assert.Equal(ParseStatus.TooLarge, ParseOne("SEND\n\n" + new string('x', 94) + "\0", limits).Status);
    }

    [Fact]
    public void Huge_header_line_is_too_large_before_its_eol()
    {
        var limits = new StompLimits { MaxHeaderLineLength = 64 };
        Assert.Equal(ParseStatus.TooLarge, ParseOne("SEND\nh:" + new string('v', 100), limits).Status);
        Assert.Equal(ParseStatus.TooLarge, ParseOne("SEND\nh:" + new string('v', 100) + "\n\n\0", limits).Status);
        Assert.Equal(ParseStatus.TooLarge, ParseOne(new string('S', 100), limits).Status);
    }

    [Fact]
    public void Too_many_headers_is_too_large()
    {
        var text = "SEND\n" + string.Concat(Enumerable.Range(0, 5).Select(i => $"h{i}:v\n")) + "\n\0";
        Assert.Equal(ParseStatus.TooLarge, ParseOne(text, new StompLimits { MaxHeaderCount = 4 }).Status);
        Assert.Equal(ParseStatus.Complete, ParseOne(text, new StompLimits { MaxHeaderCount = 5 }).Status);
    }

    [Theory]
    [InlineData("SEND\nnocolon\n\n\0")]
    [InlineData("SEND\n:value\n\n\0")]
    public void Bad_header_lines_are_bad_frames(string text) => Assert.Equal(ParseStatus.Malformed, ParseOne(text).Status);

    [Fact]
    public void Invalid_utf8_header_is_a_bad_frame()
    {
        var bytes = new ReadOnlySequence<byte>([.. "SEND\nh:"u8.ToArray(), 0xff, 0xfe, .. "\n\n\0"u8.ToArray()]);
        StompParser.TryParse(ref bytes, StompLimits.Default, out var result);
        Assert.Equal(ParseStatus.Malformed, result.Status);
    }

    [Fact]
    public void Every_split_point_gives_the_same_frames()
    {
        var text = "\nSEND\r\ndestination:/topic/a\\cb\ncontent-length:3\n\na\0b\0\nMESSAGE\nfoo:1\nfoo:2\n\nhello\0";
        var bytes = Encoding.UTF8.GetBytes(text);
        var expected = ParseSplit(bytes, bytes.Length, StompLimits.Default);
        Assert.Equal(4, expected.Count);
        for (var split = 0; split <= bytes.Length; split++)
        {
            var actual = ParseSplit(bytes, split, StompLimits.Default);
            Assert.Equal(Describe(expected), Describe(actual));
        }

        var fragmented = Fragmented(bytes);
        var all = new List<StompParseResult>();
        while (StompParser.TryParse(ref fragmented, StompLimits.Default, out var r))
        {
            all.Add(r);
        }

        Assert.Equal(Describe(expected), Describe(all));
    }

    [Fact]
    public void Garbage_bytes_are_never_a_frame()
    {
        var result = ParseOne("\u0001\u0002garbage\n\n\0");
        Assert.Equal(ParseStatus.Malformed, result.Status);
    }

    private static string Describe(IEnumerable<StompParseResult> results) => string.Join(" | ", results.Select(r =>
        r.Frame is null
            ? r.Status.ToString()
            : $"{r.Frame.Command} {string.Join(",", r.Frame.Headers.Select(h => h.Key + "=" + h.Value))} {Convert.ToHexString(r.Frame.Body.Span)}"));
}
