using System.IO.Pipelines;
using System.Net.WebSockets;
using System.Text;

namespace Parley.IntegrationTests.PipeWebSockets;

/// <summary>
/// RFC 6455's rules for a server, with crafted hostile bytes: the close code the socket sends back, the exception the
/// receive raises and the state it leaves. Where the runtime's ManagedWebSocket is meant to agree, the same bytes are
/// fed to it too and its answer must be the same.
/// </summary>
public sealed class PipeWebSocketProtocolTests
{
    private static readonly byte[] Hello = "hello"u8.ToArray();

    public static TheoryData<string, byte[], ushort, WebSocketState, bool> Violations()
    {
        var data = new TheoryData<string, byte[], ushort, WebSocketState, bool>
        {
            { "unmasked frame", ClientFrame.Make(0x81, Hello, masked: false), 1002, WebSocketState.Aborted, true },
            { "RSV1", ClientFrame.Make(0xC1, Hello), 1002, WebSocketState.Aborted, true },
            { "RSV2", ClientFrame.Make(0xA1, Hello), 1002, WebSocketState.Aborted, true },
            { "RSV3", ClientFrame.Make(0x91, Hello), 1002, WebSocketState.Aborted, true },
            { "ping of 126 bytes", ClientFrame.Make(0x89, new byte[126]), 1002, WebSocketState.Aborted, true },
            { "close of 126 bytes", ClientFrame.Make(0x88, new byte[126]), 1002, WebSocketState.Aborted, true },
            { "fragmented ping", ClientFrame.Make(0x09, Hello), 1002, WebSocketState.Aborted, true },
            { "fragmented close", ClientFrame.Make(0x08, [0x03, 0xE8]), 1002, WebSocketState.Aborted, true },
            { "continuation without a message", ClientFrame.Continuation(Hello, fin: true), 1002, WebSocketState.Aborted, true },
            { "64-bit length with the high bit", [0x82, 0xFF, 0x80, 0, 0, 0, 0, 0, 0, 1, 1, 2, 3, 4], 1002, WebSocketState.Aborted, true },
            { "invalid UTF-8", ClientFrame.Make(0x81, [0x61, 0xC3, 0x28]), 1007, WebSocketState.Aborted, true },
            { "UTF-16 surrogate in UTF-8", ClientFrame.Make(0x81, [0xED, 0xA0, 0x80]), 1007, WebSocketState.Aborted, true },
            { "overlong UTF-8", ClientFrame.Make(0x81, [0xC0, 0xAF]), 1007, WebSocketState.Aborted, true },
            { "code point above U+10FFFF", ClientFrame.Make(0x81, [0xF4, 0x90, 0x80, 0x80]), 1007, WebSocketState.Aborted, true },
            { "text ending inside a code point", ClientFrame.Make(0x81, [0x61, 0xE2, 0x82]), 1007, WebSocketState.Aborted, true },
            { "code point broken across frames", [.. ClientFrame.Make(0x01, [0xE2]), .. ClientFrame.Continuation([0x41], fin: true)], 1007, WebSocketState.Aborted, true },
            { "close with a one-byte payload", ClientFrame.Make(0x88, [0x03]), 1002, WebSocketState.Closed, true },
            { "close code 999", ClientFrame.Close(999), 1002, WebSocketState.Closed, true },
            { "close code 1004", ClientFrame.Close(1004), 1002, WebSocketState.Closed, true },
            { "close code 1005", ClientFrame.Close(1005), 1002, WebSocketState.Closed, true },
            { "close code 1006", ClientFrame.Close(1006), 1002, WebSocketState.Closed, true },
            { "close code 1015", ClientFrame.Close(1015), 1002, WebSocketState.Closed, true },
            { "close code 2999", ClientFrame.Close(2999), 1002, WebSocketState.Closed, true },
            { "close code 5000", ClientFrame.Close(5000), 1002, WebSocketState.Closed, true },
            // ManagedWebSocket answers 1002 here, and misses the last case: RFC 6455 §8.1 asks for 1007.
            { "close reason not UTF-8", ClientFrame.Close(1000, [0x62, 0xC3, 0x28]), 1007, WebSocketState.Closed, false },
            { "text ending in an empty final frame inside a code point", [.. ClientFrame.Make(0x01, [0xE2, 0x82]), .. ClientFrame.Continuation([], fin: true)], 1007, WebSocketState.Aborted, false },
        };
        foreach (var opcode in new[] { 0x3, 0x4, 0x5, 0x6, 0x7, 0xB, 0xC, 0xD, 0xE, 0xF })
            data.Add($"reserved opcode {opcode:X}", ClientFrame.Make(0x80 | opcode, Hello), 1002, WebSocketState.Aborted, true);
        return data;
    }

    [Theory]
    [MemberData(nameof(Violations))]
    public async Task A_violation_is_answered_with_a_close_code_and_fails_the_receive(string name, byte[] input, ushort code, WebSocketState state, bool managedAgrees)
    {
        var harness = new PipeSocketHarness();
        var ours = await FailureAsync(harness.Socket, harness.ToServer, harness.ToClient, input);
        Assert.True(ours == new Failure(code, typeof(WebSocketException), WebSocketError.Faulted, state), $"{name}: {ours}");
        Assert.Equal(0, harness.TransportAborts); // the connection closes after the close frame, not under it
        Assert.Empty(harness.FlushedServerFrames()); // exactly one close frame was written

        if (!managedAgrees) return;
        var toServer = new Pipe();
        var toClient = new Pipe();
        using var managed = WebSocket.CreateFromStream(new DuplexStream(toServer.Reader.AsStream(), toClient.Writer.AsStream()),
            new WebSocketCreationOptions { IsServer = true });
        Assert.Equal(ours, await FailureAsync(managed, toServer, toClient, input));
    }

    [Fact]
    public async Task A_new_message_inside_a_fragmented_one_is_refused_after_the_fragment_is_delivered()
    {
        var harness = new PipeSocketHarness();
        await harness.ClientSendsAsync(ClientFrame.Text("part", fin: false), ClientFrame.Text("new"));
        var first = await harness.ReceiveAsync(new byte[64]);
        Assert.Equal((4, WebSocketMessageType.Text, false), (first.Count, first.MessageType, first.EndOfMessage));

        var error = await Assert.ThrowsAsync<WebSocketException>(() => harness.ReceiveAsync(new byte[64]));
        Assert.Equal(WebSocketError.Faulted, error.WebSocketErrorCode);
        Assert.Equal((ushort)1002, (await harness.NextServerFrameAsync()).CloseCode);
        Assert.Equal(WebSocketState.Aborted, harness.Socket.State);
    }

    [Fact]
    public async Task Every_valid_close_code_is_accepted_with_its_reason()
    {
        ushort[] codes = [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999];
        foreach (var code in codes)
        {
            var harness = new PipeSocketHarness();
            await harness.ClientSendsAsync(ClientFrame.Close(code, "fin ✓"u8));
            var result = await harness.ReceiveAsync(new byte[16]);
            Assert.Equal((0, WebSocketMessageType.Close, true), (result.Count, result.MessageType, result.EndOfMessage));
            Assert.Equal((WebSocketCloseStatus)code, harness.Socket.CloseStatus);
            Assert.Equal("fin ✓", harness.Socket.CloseStatusDescription);
            Assert.Equal(WebSocketState.CloseReceived, harness.Socket.State);
        }
    }

    [Fact]
    public async Task An_empty_close_reads_as_a_normal_closure_as_managed_websocket_reports_it()
    {
        var harness = new PipeSocketHarness();
        await harness.ClientSendsAsync(ClientFrame.Close(null));
        var result = await harness.Socket.ReceiveAsync(new ArraySegment<byte>(new byte[16]), CancellationToken.None).WaitAsync(PipeSocketHarness.Timeout);
        Assert.Equal(WebSocketMessageType.Close, result.MessageType);
        Assert.Equal(WebSocketCloseStatus.NormalClosure, result.CloseStatus);
        Assert.Equal("", result.CloseStatusDescription);
    }

    [Fact]
    public async Task A_code_point_split_across_frames_and_receives_is_valid()
    {
        var euro = "€"u8.ToArray();          // E2 82 AC
        var grin = "😀"u8.ToArray();         // F0 9F 98 80
        var harness = new PipeSocketHarness();
        await harness.ClientSendsAsync(
            ClientFrame.Make(0x01, [(byte)'a', euro[0]]),
            ClientFrame.Continuation(euro[1..], fin: false),
            ClientFrame.Continuation([grin[0]], fin: false),
            ClientFrame.Continuation([grin[1]], fin: false),
            ClientFrame.Continuation([grin[2]], fin: false),
            ClientFrame.Continuation([grin[3], (byte)'z'], fin: true));
        var (type, bytes) = await harness.ReceiveMessageAsync();
        Assert.Equal(WebSocketMessageType.Text, type);
        Assert.Equal("a€😀z", Encoding.UTF8.GetString(bytes));

        // One frame, received a byte at a time: every receive ends inside a code point.
        await harness.ClientSendsAsync(ClientFrame.Text("ü€😀"));
        (type, bytes) = await harness.ReceiveMessageAsync(bufferSize: 1);
        Assert.Equal("ü€😀", Encoding.UTF8.GetString(bytes));
    }

    [Fact]
    public async Task Binary_messages_are_not_checked_as_text()
    {
        var harness = new PipeSocketHarness();
        await harness.ClientSendsAsync(ClientFrame.Binary([0xC3, 0x28, 0xFF, 0xE2]));
        var (type, bytes) = await harness.ReceiveMessageAsync();
        Assert.Equal(WebSocketMessageType.Binary, type);
        Assert.Equal([0xC3, 0x28, 0xFF, 0xE2], bytes);
    }

    private sealed record Failure(ushort? Code, Type? Exception, WebSocketError? Error, WebSocketState State);

    /// <summary>Feeds the bytes, receives until the socket fails, and reads the close frame it answered with.</summary>
    private static async Task<Failure> FailureAsync(WebSocket socket, Pipe toServer, Pipe toClient, byte[] input)
    {
        await toServer.Writer.WriteAsync(input).AsTask().WaitAsync(PipeSocketHarness.Timeout);
        Exception? failure = null;
        var buffer = new byte[256];
        try
        {
            for (var i = 0; i < 8; i++)
            {
                var result = await socket.ReceiveAsync(buffer.AsMemory(), CancellationToken.None).AsTask().WaitAsync(PipeSocketHarness.Timeout);
                if (result.MessageType == WebSocketMessageType.Close) break;
            }
        }
        catch (Exception ex) when (ex is not TimeoutException)
        {
            failure = ex;
        }
        ushort? code = null;
        if (toClient.Reader.TryRead(out var read))
        {
            var bytes = read.Buffer;
            if (ServerFrame.TryParse(ref bytes, out var frame) && frame.Opcode == 8) code = frame.CloseCode;
            toClient.Reader.AdvanceTo(bytes.Start);
        }
        return new Failure(code, failure?.GetType(), (failure as WebSocketException)?.WebSocketErrorCode, socket.State);
    }
}
