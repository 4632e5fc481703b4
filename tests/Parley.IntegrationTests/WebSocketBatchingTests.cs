using System.Net.WebSockets;
using System.Text;
using Parley.Transports.WebSockets;

namespace Parley.IntegrationTests;

/// <summary>
/// The write batch under the server's WebSockets: frames it builds are read back by .NET's own client WebSocket,
/// a batch leaves in one write, and writes the socket makes on its own keep their place.
/// </summary>
public sealed class WebSocketBatchingTests
{
    [Fact]
    public void Accept_key_is_the_rfc_6455_example()
    {
        Assert.Equal("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", WebSocketAcceptor.AcceptKey("dGhlIHNhbXBsZSBub25jZQ=="));
    }

    [Theory]
    [InlineData("")]
    [InlineData("not base64 at all!!!!!!!")]
    [InlineData("dGhlIHNhbXBsZSBub25jZQ")]          // 15 bytes' worth, unpadded
    [InlineData("dGhlIHNhbXBsZSBub25jZXg=")]        // 17 bytes
    [InlineData("dGhlIHNhbXBsZSBub25jZQ==AAAA")]    // trailing data
    public void Accept_key_refuses_a_key_that_is_not_16_bytes_of_base64(string key)
    {
        Assert.Null(WebSocketAcceptor.AcceptKey(key));
    }

    [Fact]
    public async Task Frames_of_every_length_class_are_read_back_by_a_client_websocket()
    {
        int[] lengths = [0, 1, 125, 126, 127, 65_535, 65_536, 200_000];
        var wire = new CountingStream();
        var batch = new FrameBatchStream(wire);
        foreach (var length in lengths) batch.AppendFrame(Payload(length), text: length % 2 == 0);
        await batch.FlushBatchAsync(CancellationToken.None);

        Assert.Equal(1, wire.Writes);
        var client = WebSocket.CreateFromStream(new MemoryStream(wire.ToArray()), new WebSocketCreationOptions { IsServer = false });
        foreach (var length in lengths)
        {
            var (bytes, type) = await ReceiveWholeAsync(client, length);
            Assert.Equal(length % 2 == 0 ? WebSocketMessageType.Text : WebSocketMessageType.Binary, type);
            Assert.Equal(Payload(length), bytes);
        }
    }

    [Fact]
    public async Task A_write_of_the_socket_joins_an_open_batch_in_order_and_goes_straight_out_otherwise()
    {
        var wire = new CountingStream();
        var batch = new FrameBatchStream(wire);
        batch.AppendFrame("one"u8, text: true);
        await batch.WriteAsync(new byte[] { 0x8A, 0x00 }); // an empty pong, as the WebSocket writes it
        batch.AppendFrame("two"u8, text: true);
        Assert.Equal(0, wire.Writes);
        await batch.FlushBatchAsync(CancellationToken.None);
        Assert.Equal(1, wire.Writes);
        Assert.Equal([0x81, 3, .. "one"u8, 0x8A, 0x00, 0x81, 3, .. "two"u8], wire.ToArray());

        await batch.WriteAsync(new byte[] { 0x8A, 0x00 });
        Assert.Equal(2, wire.Writes);
        await batch.FlushBatchAsync(CancellationToken.None); // nothing batched: no write
        Assert.Equal(2, wire.Writes);
    }

    [Fact]
    public async Task Outbound_socket_refuses_messages_after_its_close_frame()
    {
        var wire = new CountingStream();
        var batch = new FrameBatchStream(wire);
        var socket = WebSocket.CreateFromStream(batch, new WebSocketCreationOptions { IsServer = true });
        using var outbound = new OutboundWebSocket(socket, batch, static () => { });
        await outbound.Write("before"u8.ToArray(), text: true, CancellationToken.None);
        await outbound.FlushAsync(CancellationToken.None);
        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);
        await Assert.ThrowsAsync<WebSocketException>(async () => await outbound.Write("after"u8.ToArray(), text: true, CancellationToken.None));
        await outbound.FlushAsync(CancellationToken.None);

        var client = WebSocket.CreateFromStream(new MemoryStream(wire.ToArray()), new WebSocketCreationOptions { IsServer = false });
        var (first, _) = await ReceiveWholeAsync(client, 6);
        Assert.Equal("before", Encoding.UTF8.GetString(first));
        var close = await client.ReceiveAsync(new byte[16], CancellationToken.None);
        Assert.Equal(WebSocketMessageType.Close, close.MessageType);
        Assert.Equal(WebSocketCloseStatus.NormalClosure, client.CloseStatus);
    }

    private static byte[] Payload(int length)
    {
        var bytes = new byte[length];
        for (var i = 0; i < length; i++) bytes[i] = (byte)('a' + i % 26);
        return bytes;
    }

    private static async Task<(byte[] Bytes, WebSocketMessageType Type)> ReceiveWholeAsync(WebSocket client, int expected)
    {
        var buffer = new byte[expected + 16];
        var total = 0;
        while (true)
        {
            var result = await client.ReceiveAsync(buffer.AsMemory(total), CancellationToken.None);
            total += result.Count;
            if (result.EndOfMessage) return (buffer[..total], result.MessageType);
        }
    }

    /// <summary>An in-memory connection that counts the writes made to it.</summary>
    private sealed class CountingStream : MemoryStream
    {
        public int Writes { get; private set; }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken ct = default)
        {
            Writes++;
            return base.WriteAsync(buffer, ct);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken ct)
        {
            Writes++;
            return base.WriteAsync(buffer, offset, count, ct);
        }
    }
}
