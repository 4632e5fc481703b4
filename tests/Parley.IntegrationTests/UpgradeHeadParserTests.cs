using System.Buffers;
using System.Text;
using Parley.Transports.WebSockets;
using Parley.Transports.WebSockets.Direct;

namespace Parley.IntegrationTests;

/// <summary>
/// The request-head recogniser in front of Kestrel: a plain upgrade to a mapped path is taken, every prefix of one
/// asks for more, and anything else (including hostile input) is handed on untouched.
/// </summary>
public sealed class UpgradeHeadParserTests
{
    private static readonly string[] Paths = ["/ws"];
    private const string Key = "dGhlIHNhbXBsZSBub25jZQ==";

    private static string Head(string target = "/ws?access_token=abc", string? extra = null, string version = "HTTP/1.1") =>
        $"GET {target} {version}\r\nHost: 127.0.0.1:5080\r\nUpgrade: websocket\r\nConnection: keep-alive, Upgrade\r\n" +
        $"Sec-WebSocket-Key: {Key}\r\nSec-WebSocket-Version: 13\r\n{extra}\r\n";

    private static UpgradeHeadStatus Parse(string text, out UpgradeHead? head) =>
        UpgradeHeadParser.Parse(new ReadOnlySequence<byte>(Encoding.Latin1.GetBytes(text)), Paths, out head);

    [Fact]
    public void A_plain_upgrade_is_taken_with_what_the_handshake_needs()
    {
        var text = Head(extra: "Authorization: Bearer xyz\r\nOrigin: http://example.com\r\nSec-WebSocket-Protocol: a, b\r\nUser-Agent: test\r\n");
        Assert.Equal(UpgradeHeadStatus.Upgrade, Parse(text + "\x81\x00", out var head));
        Assert.NotNull(head);
        Assert.Same(Paths[0], head.Path);
        Assert.Equal("access_token=abc", head.Query);
        Assert.Equal(WebSocketAcceptor.AcceptKey(Key), head.Accept); // the key was read and answered
        Assert.Equal("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", head.Accept);
        Assert.Equal("127.0.0.1:5080", head.Host);
        Assert.Equal("Bearer xyz", head.Authorization);
        Assert.Equal("http://example.com", head.Origin);
        Assert.Equal("a, b", head.SubProtocols);
        Assert.Equal(Encoding.ASCII.GetByteCount(text), head.Length); // bytes after the head are not consumed
    }

    [Fact]
    public void Header_names_are_case_insensitive_and_token_lists_are_searched()
    {
        var text = $"GET /ws HTTP/1.1\r\nHOST: h\r\nupgrade: WebSocket\r\nCONNECTION: Upgrade\r\nsec-websocket-key: {Key}\r\nSEC-WEBSOCKET-VERSION: 13\r\n\r\n";
        Assert.Equal(UpgradeHeadStatus.Upgrade, Parse(text, out var head));
        Assert.Null(head!.Query);
        Assert.Null(head.Authorization);
    }

    [Fact]
    public void Every_prefix_of_an_upgrade_asks_for_more()
    {
        var text = Head();
        for (var n = 0; n < text.Length; n++)
            Assert.True(Parse(text[..n], out var head) == UpgradeHeadStatus.Incomplete && head is null, $"prefix of {n} bytes");
    }

    [Fact]
    public void A_head_split_across_segments_at_any_point_parses_as_one()
    {
        var bytes = Encoding.ASCII.GetBytes(Head());
        for (var cut = 1; cut < bytes.Length; cut++)
        {
            var first = new Segment(bytes.AsMemory(0, cut));
            var last = first.Append(bytes.AsMemory(cut));
            var status = UpgradeHeadParser.Parse(new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length), Paths, out var head);
            Assert.Equal(UpgradeHeadStatus.Upgrade, status);
            Assert.Equal(bytes.Length, head!.Length);
        }
    }

    public static TheoryData<string, string> NotOurs => new()
    {
        { "another method", Head().Replace("GET ", "POST ") },
        { "lower-case method", Head().Replace("GET ", "get ") },
        { "another path", Head("/api/ws") },
        { "a longer path", Head("/ws/x") },
        { "another case", Head("/WS") },
        { "escaped path", Head("/%77s") },
        { "absolute form", Head("http://h/ws") },
        { "HTTP/1.0", Head(version: "HTTP/1.0") },
        { "HTTP/2 preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" },
        { "TLS client hello", "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" },
        { "no Host", Head().Replace("Host: 127.0.0.1:5080\r\n", "") },
        { "two Hosts", Head(extra: "Host: other\r\n") },
        { "empty Host", Head().Replace("Host: 127.0.0.1:5080", "Host:") },
        { "no Upgrade", Head().Replace("Upgrade: websocket\r\n", "") },
        { "Upgrade to something else", Head().Replace("Upgrade: websocket", "Upgrade: h2c") },
        { "Connection without upgrade", Head().Replace("Connection: keep-alive, Upgrade", "Connection: keep-alive") },
        { "Connection: upgrades", Head().Replace("Connection: keep-alive, Upgrade", "Connection: upgrades") },
        { "version 8", Head().Replace("Version: 13", "Version: 8") },
        { "two versions", Head(extra: "Sec-WebSocket-Version: 13\r\n") },
        { "no key", Head().Replace($"Sec-WebSocket-Key: {Key}\r\n", "") },
        { "short key", Head().Replace(Key, "dGhlIHNhbXBsZQ==") },
        { "key not base64", Head().Replace(Key, "!!!!!!!!!!!!!!!!!!!!!!==") },
        { "two keys", Head(extra: $"Sec-WebSocket-Key: {Key}\r\n") },
        { "two Authorization", Head(extra: "Authorization: Bearer a\r\nAuthorization: Bearer b\r\n") },
        { "a body by length", Head(extra: "Content-Length: 5\r\n") + "hello" },
        { "a chunked body", Head(extra: "Transfer-Encoding: chunked\r\n") },
        { "obs-fold", Head(extra: "X-A: one\r\n two\r\n") },
        { "bare LF in a field", Head(extra: "X-A: one\ntwo\r\n") },
        { "bare CR in a field", Head(extra: "X-A: one\rtwo\r\n") },
        { "bare LF line ends", Head().Replace("\r\n", "\n") },
        { "space before the colon", Head(extra: "X-A : one\r\n") },
        { "no colon", Head(extra: "X-A one\r\n") },
        { "empty name", Head(extra: ": one\r\n") },
        { "name with a slash", Head(extra: "X/A: one\r\n") },
        { "non-ASCII value", Head(extra: "X-A: caf\u00e9\r\n") },
        { "NUL in a value", Head(extra: "X-A: a\0b\r\n") },
        { "space in the target", Head("/ws ?a") },
        { "empty target", "GET  HTTP/1.1\r\nHost: h\r\n\r\n" },
        { "target not starting with /", Head("ws") },
        { "too many headers", Head(extra: string.Concat(Enumerable.Range(0, UpgradeHeadParser.MaxHeaders).Select(i => $"X-{i}: v\r\n"))) },
    };

    [Theory]
    [MemberData(nameof(NotOurs))]
    public void Anything_else_is_handed_on_untouched(string why, string text)
    {
        Assert.True(Parse(text, out var head) == UpgradeHeadStatus.NotUpgrade && head is null, why);
    }

    [Fact]
    public void A_head_that_does_not_end_within_the_limit_is_handed_on()
    {
        var endless = Head().TrimEnd('\r', '\n') + "\r\nX-Pad: " + new string('a', UpgradeHeadParser.MaxHeadBytes);
        Assert.Equal(UpgradeHeadStatus.NotUpgrade, Parse(endless, out _));
        // Just under the limit and unfinished: still waiting.
        Assert.Equal(UpgradeHeadStatus.Incomplete, Parse(endless[..(UpgradeHeadParser.MaxHeadBytes - 1)], out _));
    }

    [Fact]
    public void The_first_bytes_decide_for_other_requests()
    {
        Assert.Equal(UpgradeHeadStatus.Incomplete, Parse("GE", out _));
        Assert.Equal(UpgradeHeadStatus.NotUpgrade, Parse("GX", out _));
        Assert.Equal(UpgradeHeadStatus.NotUpgrade, Parse("P", out _));
        // A request line to another path is handed on before its headers arrive.
        Assert.Equal(UpgradeHeadStatus.NotUpgrade, Parse("GET /api/health HTTP/1.1\r\nHo", out _));
    }

    [Fact]
    public void Random_and_mutated_input_never_throws_and_random_bytes_are_never_an_upgrade()
    {
        var random = new Random(20261122);
        var valid = Encoding.ASCII.GetBytes(Head());
        for (var i = 0; i < 20_000; i++)
        {
            var noise = new byte[random.Next(0, 300)];
            random.NextBytes(noise);
            if (i % 2 == 0 && noise.Length >= 4) "GET "u8.CopyTo(noise);
            Assert.NotEqual(UpgradeHeadStatus.Upgrade, UpgradeHeadParser.Parse(noise, Paths, out _));

            var mutated = (byte[])valid.Clone();
            for (var k = random.Next(1, 4); k > 0; k--) mutated[random.Next(mutated.Length)] = (byte)random.Next(256);
            var status = UpgradeHeadParser.Parse(mutated, Paths, out var head);
            Assert.True(status != UpgradeHeadStatus.Upgrade || head is { Path: "/ws" } && head.Length <= mutated.Length);
        }
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory) => Memory = memory;

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory) { RunningIndex = RunningIndex + Memory.Length };
            Next = next;
            return next;
        }
    }
}
