using System.Buffers;
using System.Text;
using Parley.Protocol.Stomp;
using static Parley.Protocol.Tests.StompTestHelpers;

namespace Parley.Protocol.Tests;

public class StompWriterTests
{
    private static string Write(StompFrame frame) => Encoding.UTF8.GetString(StompWriter.ToArray(frame));

    [Fact]
    public void Writes_message_with_escaped_headers_content_length_and_nul()
    {
        var frame = new StompFrame(
            StompCommand.Message,
            [new("destination", "/topic/a:b"), new("x", "l1\nl2\\"), new("content-length", "999")],
            "hi\0"u8.ToArray());
        Assert.Equal("MESSAGE\ndestination:/topic/a\\cb\nx:l1\\nl2\\\\\ncontent-length:3\n\nhi\0\0", Write(frame));
    }

    [Fact]
    public void Connected_is_not_escaped()
    {
        var frame = new StompFrame(StompCommand.Connected, [new("version", "1.2"), new("heart-beat", "0,0"), new("server", "a:b")]);
        Assert.Equal("CONNECTED\nversion:1.2\nheart-beat:0,0\nserver:a:b\n\n\0", Write(frame));
        Assert.Throws<ArgumentException>(() => Write(new StompFrame(StompCommand.Connected, [new("x", "a\nb")])));
    }

    [Fact]
    public void Empty_body_has_no_content_length()
    {
        Assert.Equal("RECEIPT\nreceipt-id:7\n\n\0", Write(new StompFrame(StompCommand.Receipt, [new("receipt-id", "7")])));
    }

    [Fact]
    public void Heartbeat_is_a_single_lf()
    {
        var buffer = new ArrayBufferWriter<byte>();
        StompWriter.WriteHeartbeat(buffer);
        Assert.Equal("\n"u8.ToArray(), buffer.WrittenSpan.ToArray());
    }

    [Fact]
    public void Written_frames_parse_back()
    {
        var frame = new StompFrame(
            StompCommand.Send,
            [new("destination", "/app/chat"), new("weird:na\\me", "v\r\nal"), new("weird:na\\me", "second")],
            Encoding.UTF8.GetBytes("héllo\0world"));
        var parsed = ParseOne(Write(frame)).Frame!;
        Assert.Equal(frame.Command, parsed.Command);
        Assert.Equal(frame.Headers, parsed.Headers.Where(h => h.Key != "content-length"));
        Assert.Equal(frame.Body.ToArray(), parsed.Body.ToArray());
    }
}

public class StompNegotiationTests
{
    [Theory]
    [InlineData("1.0,1.1,1.2", "1.2")]
    [InlineData("1.1,1.0", "1.1")]
    [InlineData("1.0", "1.0")]
    [InlineData(null, "1.0")]
    [InlineData(" 1.2 , 1.1", "1.2")]
    [InlineData("2.0", null)]
    public void Picks_the_highest_supported_version(string? offered, string? expected) =>
        Assert.Equal(expected, StompNegotiation.NegotiateVersion(offered));

    [Theory]
    [InlineData(0, 0, 10000, 10000, 0, 0)]
    [InlineData(4000, 4000, 10000, 10000, 10000, 10000)]
    [InlineData(20000, 5000, 10000, 10000, 10000, 20000)]
    [InlineData(20000, 0, 10000, 10000, 0, 20000)]
    [InlineData(20000, 30000, 0, 10000, 0, 20000)]
    public void Heartbeat_negotiation_follows_the_spec(long cx, long cy, long sx, long sy, long send, long receive) =>
        Assert.Equal(new StompHeartbeatIntervals(send, receive), StompNegotiation.NegotiateHeartbeat(cx, cy, sx, sy));

    [Fact]
    public void Heartbeat_header_parsing()
    {
        Assert.True(StompNegotiation.TryParseHeartbeat("10000, 5000", out var x, out var y));
        Assert.Equal((10000L, 5000L), (x, y));
        Assert.True(StompNegotiation.TryParseHeartbeat(null, out x, out y));
        Assert.Equal((0L, 0L), (x, y));
        Assert.False(StompNegotiation.TryParseHeartbeat("10", out _, out _));
        Assert.False(StompNegotiation.TryParseHeartbeat("-1,0", out _, out _));
        Assert.False(StompNegotiation.TryParseHeartbeat("a,b", out _, out _));
        Assert.Equal("10000,0", StompNegotiation.FormatHeartbeat(10000, 0));
    }
}
