using System.Buffers;
using System.Text;
using Parley.Protocol.SockJs;

namespace Parley.Protocol.Tests;

public class SockJsTests
{
    private static string Text(Action<IBufferWriter<byte>> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        write(buffer);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    [Fact]
    public void Control_frames()
    {
        Assert.Equal("o", Text(SockJsFrames.WriteOpen));
        Assert.Equal("h", Text(SockJsFrames.WriteHeartbeat));
        Assert.Equal("c[3000,\"Go away!\"]", Text(b => SockJsFrames.WriteClose(b)));
        Assert.Equal("c[2010,\"Another connection still open\"]", SockJsFrames.CloseFrame(2010, "Another connection still open"));
    }

    [Fact]
    public void Message_frame_json_escapes_like_sockjs_node()
    {
        Assert.Equal("a[\"a\",\"b\"]", SockJsFrames.MessagesFrame(["a", "b"]));
        Assert.Equal("a[]", SockJsFrames.MessagesFrame([]));
        Assert.Equal(
            "a[\"SEND\\ndestination:/q\\n\\n\\u0000\",\"q\\\"\\\\\\u0001\\u2028\\ud83d\\ude00é\"]",
            Text(b => SockJsFrames.WriteMessages(b, ["SEND\ndestination:/q\n\n\0", "q\"\\\u0001\u2028😀é"])));
    }

    [Fact]
    public void Message_frame_round_trips_through_the_parser()
    {
        string[] messages = ["SEND\n\n\0", "\u200c\ufff0\u2060 <&>", ""];
        var frame = SockJsFrames.MessagesFrame(messages);
        var result = SockJsMessageParser.Parse(Encoding.UTF8.GetBytes(frame[1..]), 1000);
        Assert.True(result.IsSuccess);
        Assert.Equal(messages, result.Messages);
    }

    [Fact]
    public void Info_body()
    {
        Assert.Equal(
            "{\"websocket\":true,\"origins\":[\"*:*\"],\"cookie_needed\":false,\"entropy\":42}",
            SockJsInfo.CreateJson(42));
    }

    [Theory]
    [InlineData("", SockJsPayloadError.Empty)]
    [InlineData("  ", SockJsPayloadError.Empty)]
    [InlineData("[\"a\"", SockJsPayloadError.InvalidJson)]
    [InlineData("[\"a\"] x", SockJsPayloadError.InvalidJson)]
    [InlineData("{\"a\":1}", SockJsPayloadError.NotAnArray)]
    [InlineData("\"a\"", SockJsPayloadError.NotAnArray)]
    [InlineData("[1]", SockJsPayloadError.NotAString)]
    [InlineData("[\"a\",null]", SockJsPayloadError.NotAString)]
    [InlineData("[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\"deep\"]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]", SockJsPayloadError.NotAString)]
    [InlineData("nonsense", SockJsPayloadError.InvalidJson)]
    public void Bad_payloads_are_errors_not_exceptions(string payload, SockJsPayloadError expected)
    {
        var result = SockJsMessageParser.Parse(Encoding.UTF8.GetBytes(payload), 1000);
        Assert.Equal(expected, result.Error);
        Assert.Empty(result.Messages);
        Assert.NotNull(result.ErrorMessage);
    }

    [Fact]
    public void Payload_limits_and_invalid_utf8()
    {
        Assert.Equal(SockJsPayloadError.TooLarge, SockJsMessageParser.Parse(new byte[1001], 1000).Error);
        Assert.Equal(ParseStatus.TooLarge, SockJsMessageParser.Parse(new byte[1001], 1000).Status);
        Assert.Equal(SockJsPayloadError.InvalidJson, SockJsMessageParser.Parse([(byte)'[', (byte)'"', 0xff, (byte)'"', (byte)']'], 1000).Error);
        Assert.Equal(["x", "y"], SockJsMessageParser.Parse("[\"x\",\"y\"]"u8, 1000).Messages);
    }

    [Theory]
    [InlineData("/info", SockJsRequestKind.Info, SockJsTransport.None, null, null)]
    [InlineData("/info?t=123", SockJsRequestKind.Info, SockJsTransport.None, null, null)]
    [InlineData("", SockJsRequestKind.Greeting, SockJsTransport.None, null, null)]
    [InlineData("/", SockJsRequestKind.Greeting, SockJsTransport.None, null, null)]
    [InlineData("/iframe.html", SockJsRequestKind.Iframe, SockJsTransport.None, null, null)]
    [InlineData("/iframe-1.6.1.html", SockJsRequestKind.Iframe, SockJsTransport.None, null, null)]
    [InlineData("/websocket", SockJsRequestKind.RawWebSocket, SockJsTransport.None, null, null)]
    [InlineData("/123/abc/websocket", SockJsRequestKind.Transport, SockJsTransport.WebSocket, "123", "abc")]
    [InlineData("/1/s/xhr", SockJsRequestKind.Transport, SockJsTransport.Xhr, "1", "s")]
    [InlineData("/1/s/xhr_send", SockJsRequestKind.Transport, SockJsTransport.XhrSend, "1", "s")]
    [InlineData("/1/s/xhr_streaming", SockJsRequestKind.Transport, SockJsTransport.XhrStreaming, "1", "s")]
    [InlineData("/1/s/eventsource", SockJsRequestKind.Transport, SockJsTransport.EventSource, "1", "s")]
    [InlineData("/1/s/htmlfile", SockJsRequestKind.Transport, SockJsTransport.HtmlFile, "1", "s")]
    [InlineData("/1/s/jsonp?c=cb", SockJsRequestKind.Transport, SockJsTransport.Jsonp, "1", "s")]
    [InlineData("/1/s/jsonp_send", SockJsRequestKind.Transport, SockJsTransport.JsonpSend, "1", "s")]
    [InlineData("/1/s/unknown", SockJsRequestKind.Invalid, SockJsTransport.None, null, null)]
    [InlineData("/1.2/s/xhr", SockJsRequestKind.Invalid, SockJsTransport.None, null, null)]
    [InlineData("/1/s.x/xhr", SockJsRequestKind.Invalid, SockJsTransport.None, null, null)]
    [InlineData("//s/xhr", SockJsRequestKind.Invalid, SockJsTransport.None, null, null)]
    [InlineData("/1//xhr", SockJsRequestKind.Invalid, SockJsTransport.None, null, null)]
    [InlineData("/1/s/xhr/", SockJsRequestKind.Invalid, SockJsTransport.None, null, null)]
    [InlineData("/a/b/c/xhr", SockJsRequestKind.Invalid, SockJsTransport.None, null, null)]
    [InlineData("/info/", SockJsRequestKind.Invalid, SockJsTransport.None, null, null)]
    [InlineData("xhr", SockJsRequestKind.Invalid, SockJsTransport.None, null, null)]
    public void Url_scheme(string path, SockJsRequestKind kind, SockJsTransport transport, string? server, string? session)
    {
        Assert.Equal(new SockJsRequest(kind, transport, server, session), SockJsPath.Parse(path));
    }
}
