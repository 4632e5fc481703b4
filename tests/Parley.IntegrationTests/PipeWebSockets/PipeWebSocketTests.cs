using System.Diagnostics;
using System.IO.Pipelines;
using System.Net.WebSockets;
using System.Text;
using Parley.Transports.WebSockets;

namespace Parley.IntegrationTests.PipeWebSockets;

/// <summary>
/// The pipe WebSocket's framing, states and life cycle on in-memory pipes: split and packed input, fragments with
/// pings between them, both close orders, zero-byte receives, the keep-alive tick, racing writers, abort.
/// </summary>
public sealed class PipeWebSocketTests
{
    [Fact]
    public async Task Frames_split_byte_by_byte_are_reassembled_and_pings_answered()
    {
        var harness = new PipeSocketHarness();
        var big = ClientFrame.Payload(300); // a 16-bit length
        byte[] input = [.. ClientFrame.Text("héllo", fin: false), .. ClientFrame.Ping("p1"u8), .. ClientFrame.Continuation(" wörld"u8, fin: true),
            .. ClientFrame.Binary(big), .. ClientFrame.Close(1000, "bye"u8)];
        var writer = harness.ClientSendsByteByByteAsync(input);

        var (type, text) = await harness.ReceiveMessageAsync(bufferSize: 3);
        Assert.Equal((WebSocketMessageType.Text, "héllo wörld"), (type, Encoding.UTF8.GetString(text)));
        var (binaryType, binary) = await harness.ReceiveMessageAsync(bufferSize: 7);
        Assert.Equal(WebSocketMessageType.Binary, binaryType);
        Assert.Equal(big, binary);
        Assert.Equal(WebSocketMessageType.Close, (await harness.ReceiveAsync(new byte[8])).MessageType);
        Assert.Equal((WebSocketCloseStatus.NormalClosure, "bye"), (harness.Socket.CloseStatus, harness.Socket.CloseStatusDescription));
        await writer;

        var pong = await harness.NextServerFrameAsync();
        Assert.Equal((true, 0xA, "p1"), (pong.Fin, pong.Opcode, Encoding.UTF8.GetString(pong.Payload)));
    }

    [Fact]
    public async Task A_64_bit_length_frame_streams_through_before_it_has_all_arrived()
    {
        var harness = new PipeSocketHarness();
        var payload = ClientFrame.Payload(200_000);
        var frame = ClientFrame.Binary(payload);
        await harness.ClientSendsAsync(frame[..50_014]); // header and 50,000 bytes

        var buffer = new byte[64 * 1024];
        var received = new List<byte>();
        while (received.Count < 50_000)
        {
            var part = await harness.ReceiveAsync(buffer);
            Assert.False(part.EndOfMessage);
            received.AddRange(buffer.AsSpan(0, part.Count));
        }
        // The rest arrives in odd-sized pieces (so the mask offset moves) while the caller keeps receiving.
        var writer = Task.Run(async () =>
        {
            for (var at = 50_014; at < frame.Length; at += 7_777) await harness.ClientSendsAsync(frame[at..Math.Min(frame.Length, at + 7_777)]);
        });
        while (true)
        {
            var part = await harness.ReceiveAsync(buffer.AsMemory(0, 1_001));
            received.AddRange(buffer.AsSpan(0, part.Count));
            if (part.EndOfMessage) break;
        }
        await writer.WaitAsync(PipeSocketHarness.Timeout);
        Assert.Equal(payload, received.ToArray());
    }

    [Fact]
    public async Task Many_frames_in_one_write_are_all_received_and_every_ping_answered_in_order()
    {
        var harness = new PipeSocketHarness();
        var frames = new List<byte[]>();
        for (var i = 0; i < 200; i++)
        {
            frames.Add(ClientFrame.Text($"message {i}"));
            if (i % 10 == 0) frames.Add(ClientFrame.Ping(Encoding.ASCII.GetBytes($"ping {i}")));
            if (i % 25 == 0) frames.Add(ClientFrame.Pong("ignored"u8));
        }
        await harness.ClientSendsAsync([.. frames.SelectMany(f => f)]);

        for (var i = 0; i < 200; i++)
        {
            var (_, bytes) = await harness.ReceiveMessageAsync();
            Assert.Equal($"message {i}", Encoding.UTF8.GetString(bytes));
        }
        var pongs = harness.FlushedServerFrames();
        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"ping {i * 10}"), pongs.Select(p => Encoding.ASCII.GetString(p.Payload)));
        Assert.All(pongs, p => Assert.Equal(0xA, p.Opcode));
    }

    [Fact]
    public async Task A_fragmented_message_with_pings_between_its_fragments_arrives_whole_and_the_pongs_go_out()
    {
        var harness = new PipeSocketHarness();
        await harness.ClientSendsAsync(ClientFrame.Binary([1, 2, 3], fin: false), ClientFrame.Ping("a"u8), ClientFrame.Continuation([4, 5], fin: false),
            ClientFrame.Ping([]), ClientFrame.Pong("x"u8), ClientFrame.Continuation([], fin: false), ClientFrame.Continuation([6], fin: true));

        var (type, bytes) = await harness.ReceiveMessageAsync();
        Assert.Equal(WebSocketMessageType.Binary, type);
        Assert.Equal([1, 2, 3, 4, 5, 6], bytes);
        var pongs = harness.FlushedServerFrames();
        Assert.Equal(["a", ""], pongs.Select(p => Encoding.ASCII.GetString(p.Payload)));
    }

    [Fact]
    public async Task Zero_byte_receives_wait_for_a_frame_without_taking_its_payload()
    {
        var harness = new PipeSocketHarness();
        var waiting = harness.Socket.ReceiveAsync(Memory<byte>.Empty, CancellationToken.None).AsTask();
        Assert.False(waiting.IsCompleted);

        // A ping is handled inside the wait; the data frame's header ends it.
        await harness.ClientSendsAsync(ClientFrame.Ping("z"u8), ClientFrame.Text("data"));
        var ready = await waiting.WaitAsync(PipeSocketHarness.Timeout);
        Assert.Equal((0, WebSocketMessageType.Text, false), (ready.Count, ready.MessageType, ready.EndOfMessage));
        Assert.Equal("z", Encoding.ASCII.GetString((await harness.NextServerFrameAsync()).Payload));
        // Again: the frame is under way, so it returns at once.
        var again = await harness.ReceiveAsync(Memory<byte>.Empty);
        Assert.Equal((0, false), (again.Count, again.EndOfMessage));
        var (_, bytes) = await harness.ReceiveMessageAsync();
        Assert.Equal("data", Encoding.ASCII.GetString(bytes));

        // An empty message ends at the zero-byte receive; so does a close.
        await harness.ClientSendsAsync(ClientFrame.Binary([]), ClientFrame.Close(1001));
        var empty = await harness.ReceiveAsync(Memory<byte>.Empty);
        Assert.Equal((0, WebSocketMessageType.Binary, true), (empty.Count, empty.MessageType, empty.EndOfMessage));
        var close = await harness.ReceiveAsync(Memory<byte>.Empty);
        Assert.Equal((WebSocketMessageType.Close, true), (close.MessageType, close.EndOfMessage));
        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, harness.Socket.CloseStatus);
    }

    [Fact]
    public async Task The_server_closing_first_goes_open_close_sent_closed()
    {
        var harness = new PipeSocketHarness();
        Assert.Equal(WebSocketState.Open, harness.Socket.State);
        Assert.Equal("chat", harness.Socket.SubProtocol);
        await harness.Socket.CloseOutputAsync(WebSocketCloseStatus.PolicyViolation, "bye", CancellationToken.None).WaitAsync(PipeSocketHarness.Timeout);
        Assert.Equal(WebSocketState.CloseSent, harness.Socket.State);
        var close = await harness.NextServerFrameAsync();
        Assert.Equal(((ushort?)1008, "bye"), (close.CloseCode, Encoding.UTF8.GetString(close.Payload.AsSpan(2))));

        // Nothing more may be sent; what the peer sends before its close is still received.
        await Assert.ThrowsAsync<WebSocketException>(() => harness.Socket.SendAsync("x"u8.ToArray().AsMemory(), WebSocketMessageType.Text, true, CancellationToken.None).AsTask());
        Assert.Throws<WebSocketException>(() => harness.Socket.AppendFrame("x"u8, text: true));
        await Assert.ThrowsAsync<WebSocketException>(() => harness.Socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None));
        await harness.ClientSendsAsync(ClientFrame.Text("late"), ClientFrame.Ping("no pong after close"u8), ClientFrame.Close(1000));
        Assert.Equal("late", Encoding.UTF8.GetString((await harness.ReceiveMessageAsync()).Bytes));
        Assert.Equal(WebSocketMessageType.Close, (await harness.ReceiveAsync(new byte[8])).MessageType);
        Assert.Equal(WebSocketState.Closed, harness.Socket.State);
        Assert.Empty(harness.FlushedServerFrames());
        await Assert.ThrowsAsync<WebSocketException>(() => harness.ReceiveAsync(new byte[8]));
    }

    [Fact]
    public async Task The_client_closing_first_goes_open_close_received_closed()
    {
        var harness = new PipeSocketHarness();
        await harness.ClientSendsAsync(ClientFrame.Close(4001, "done"u8));
        Assert.Equal(WebSocketMessageType.Close, (await harness.ReceiveAsync(new byte[8])).MessageType);
        Assert.Equal(WebSocketState.CloseReceived, harness.Socket.State);
        Assert.Equal(((WebSocketCloseStatus)4001, "done"), (harness.Socket.CloseStatus, harness.Socket.CloseStatusDescription));
        // No more receives; sends are still allowed until our close.
        await Assert.ThrowsAsync<WebSocketException>(() => harness.ReceiveAsync(new byte[8]));
        await harness.Socket.SendAsync("last"u8.ToArray().AsMemory(), WebSocketMessageType.Text, true, CancellationToken.None).AsTask().WaitAsync(PipeSocketHarness.Timeout);
        await harness.Socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None).WaitAsync(PipeSocketHarness.Timeout);
        Assert.Equal(WebSocketState.Closed, harness.Socket.State);
        Assert.Equal("last", Encoding.UTF8.GetString((await harness.NextServerFrameAsync()).Payload));
        Assert.Equal((ushort?)1000, (await harness.NextServerFrameAsync()).CloseCode);

        harness.Socket.Abort(); // after a completed handshake: nothing to tear down
        Assert.Equal((WebSocketState.Closed, 0), (harness.Socket.State, harness.TransportAborts));
    }

    [Fact]
    public async Task Close_async_sends_the_close_and_drops_data_until_the_peer_answers()
    {
        var harness = new PipeSocketHarness();
        var closing = harness.Socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "end", CancellationToken.None);
        Assert.Equal((ushort?)1000, (await harness.NextServerFrameAsync()).CloseCode);
        Assert.False(closing.IsCompleted);
        await harness.ClientSendsAsync(ClientFrame.Binary(ClientFrame.Payload(1000)), ClientFrame.Close(1000));
        await closing.WaitAsync(PipeSocketHarness.Timeout);
        Assert.Equal(WebSocketState.Closed, harness.Socket.State);
    }

    [Fact]
    public async Task A_fragmented_send_uses_continuation_frames_and_close_arguments_are_checked()
    {
        var harness = new PipeSocketHarness();
        await harness.Socket.SendAsync(new ArraySegment<byte>("ab"u8.ToArray()), WebSocketMessageType.Binary, false, CancellationToken.None).WaitAsync(PipeSocketHarness.Timeout);
        await harness.Socket.SendAsync("cd"u8.ToArray().AsMemory(), WebSocketMessageType.Text, true, CancellationToken.None).AsTask().WaitAsync(PipeSocketHarness.Timeout);
        Assert.Equal(new ServerFrame(false, 0x2, "ab"u8.ToArray()), await harness.NextServerFrameAsync(), FrameComparer.Instance);
        Assert.Equal(new ServerFrame(true, 0x0, "cd"u8.ToArray()), await harness.NextServerFrameAsync(), FrameComparer.Instance);

        Assert.Throws<ArgumentException>(() => { _ = harness.Socket.SendAsync("x"u8.ToArray().AsMemory(), WebSocketMessageType.Close, true, CancellationToken.None); });
        Assert.Throws<ArgumentException>(() => { _ = harness.Socket.CloseOutputAsync((WebSocketCloseStatus)999, null, CancellationToken.None); });
        Assert.Throws<ArgumentException>(() => { _ = harness.Socket.CloseOutputAsync(WebSocketCloseStatus.Empty, "why", CancellationToken.None); });
        Assert.Throws<ArgumentException>(() => { _ = harness.Socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, new string('é', 62), CancellationToken.None); });
        await harness.Socket.CloseOutputAsync(WebSocketCloseStatus.Empty, null, CancellationToken.None).WaitAsync(PipeSocketHarness.Timeout);
        Assert.Empty((await harness.NextServerFrameAsync()).Payload); // RFC 6455 §7.4.1: 1005 is never sent
    }

    [Fact]
    public async Task The_keep_alive_tick_pings_only_after_the_interval_without_a_send()
    {
        var interval = TimeSpan.FromSeconds(30);
        var ticks = (long)(interval.TotalSeconds * Stopwatch.Frequency);
        var harness = new PipeSocketHarness(keepAlive: interval);
        var start = Stopwatch.GetTimestamp();

        harness.Socket.KeepAliveTick(start + ticks / 2);
        Assert.Empty(harness.FlushedServerFrames());
        harness.Socket.KeepAliveTick(start + ticks + 1);
        Assert.Equal([(true, 0x9, 0)], harness.FlushedServerFrames().Select(f => (f.Fin, f.Opcode, f.Payload.Length)));
        // The ping counts as a send: the next one is an interval later.
        var pinged = Stopwatch.GetTimestamp();
        harness.Socket.KeepAliveTick(pinged + ticks / 2);
        Assert.Empty(harness.FlushedServerFrames());

        // So does any flush: a tick that would have pinged an interval after the ping does not, after a send.
        harness.Socket.AppendFrame("data"u8, text: true);
        await harness.Socket.FlushBatchAsync(CancellationToken.None).AsTask().WaitAsync(PipeSocketHarness.Timeout);
        Assert.Single(harness.FlushedServerFrames());
        harness.Socket.KeepAliveTick(pinged + ticks);
        Assert.Empty(harness.FlushedServerFrames());
        harness.Socket.KeepAliveTick(Stopwatch.GetTimestamp() + ticks);
        Assert.Single(harness.FlushedServerFrames());

        // The peer's pong is dropped by the receive.
        await harness.ClientSendsAsync(ClientFrame.Pong([]), ClientFrame.Text("after"));
        Assert.Equal("after", Encoding.UTF8.GetString((await harness.ReceiveMessageAsync()).Bytes));

        // No ping after the close frame, nor with no interval at all.
        await harness.Socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None).WaitAsync(PipeSocketHarness.Timeout);
        Assert.Single(harness.FlushedServerFrames());
        harness.Socket.KeepAliveTick(long.MaxValue / 2);
        Assert.Empty(harness.FlushedServerFrames());
        // The connection sweep reaches the socket through its OutboundWebSocket.
        var swept = new PipeSocketHarness(keepAlive: interval);
        new OutboundWebSocket(swept.Socket, swept.Socket, static () => { }).KeepAliveTick(Stopwatch.GetTimestamp() + ticks + 1);
        Assert.Equal([0x9], swept.FlushedServerFrames().Select(f => f.Opcode));
        foreach (var never in new[] { TimeSpan.Zero, Timeout.InfiniteTimeSpan })
        {
            var quiet = new PipeSocketHarness(keepAlive: never);
            quiet.Socket.KeepAliveTick(long.MaxValue / 2);
            Assert.Empty(quiet.FlushedServerFrames());
        }
    }

    [Fact]
    public async Task Pongs_racing_a_batch_writer_keep_every_frame_whole_and_in_order()
    {
        var harness = new PipeSocketHarness();
        const int Messages = 1000;
        const int Pings = 1000;
        var frames = new List<ServerFrame>();
        var reader = Task.Run(async () =>
        {
            while (frames.Count(f => f.Opcode != 0xA) < Messages || frames.Count(f => f.Opcode == 0xA) < Pings)
                frames.Add(await harness.NextServerFrameAsync());
        });
        var batcher = Task.Run(async () =>
        {
            for (var i = 0; i < Messages; i++)
            {
                // Sizes in every length class, some batches flushed at once, some left for the next flush.
                var payload = Encoding.ASCII.GetBytes($"m{i}:" + new string('x', i % 7 == 0 ? 70_000 : i % 3 == 0 ? 300 : 10));
                harness.Socket.AppendFrame(payload, text: true);
                if (i % 4 == 3) await harness.Socket.FlushBatchAsync(CancellationToken.None);
            }
            await harness.Socket.FlushBatchAsync(CancellationToken.None);
        });
        var receiver = Task.Run(async () =>
        {
            for (var i = 0; i < Pings; i++)
            {
                await harness.ClientSendsAsync(ClientFrame.Ping(Encoding.ASCII.GetBytes($"p{i}")), ClientFrame.Text("t"));
                await harness.ReceiveMessageAsync();
            }
        });
        await Task.WhenAll(batcher, receiver).WaitAsync(TimeSpan.FromSeconds(60));
        await reader.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(Enumerable.Range(0, Pings).Select(i => $"p{i}"), frames.Where(f => f.Opcode == 0xA).Select(f => Encoding.ASCII.GetString(f.Payload)));
        var messages = frames.Where(f => f.Opcode != 0xA).ToList();
        Assert.All(messages, f => Assert.Equal((true, 0x1), (f.Fin, f.Opcode)));
        Assert.Equal(Enumerable.Range(0, Messages).Select(i => $"m{i}:"), messages.Select(f => Encoding.ASCII.GetString(f.Payload).Split(':')[0] + ":"));
    }

    [Fact]
    public async Task Abort_wakes_a_pending_receive_and_tears_the_connection_down()
    {
        var harness = new PipeSocketHarness();
        var pending = harness.Socket.ReceiveAsync(Memory<byte>.Empty, CancellationToken.None).AsTask();
        Assert.False(pending.IsCompleted);
        harness.Socket.Abort();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending.WaitAsync(PipeSocketHarness.Timeout));
        Assert.Equal((WebSocketState.Aborted, 1), (harness.Socket.State, harness.TransportAborts));

        var receive = await Assert.ThrowsAsync<WebSocketException>(() => harness.ReceiveAsync(new byte[8]));
        Assert.Equal(WebSocketError.InvalidState, receive.WebSocketErrorCode);
        await Assert.ThrowsAsync<WebSocketException>(() => harness.Socket.SendAsync("x"u8.ToArray().AsMemory(), WebSocketMessageType.Text, true, CancellationToken.None).AsTask());
    }

    [Fact]
    public async Task Cancelling_a_receive_aborts_the_socket_as_managed_websocket_does()
    {
        var harness = new PipeSocketHarness();
        using var cancel = new CancellationTokenSource();
        var pending = harness.Socket.ReceiveAsync(new byte[16].AsMemory(), cancel.Token).AsTask();
        await cancel.CancelAsync();
        var error = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending.WaitAsync(PipeSocketHarness.Timeout));
        Assert.Equal(cancel.Token, error.CancellationToken);
        Assert.Equal((WebSocketState.Aborted, 1), (harness.Socket.State, harness.TransportAborts));

        var other = new PipeSocketHarness();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => other.Socket.ReceiveAsync(new byte[16].AsMemory(), cancel.Token).AsTask());
        Assert.Equal(WebSocketState.Aborted, other.Socket.State);
    }

    [Fact]
    public async Task A_flush_held_by_back_pressure_is_serialised_and_woken_by_cancellation()
    {
        var harness = new PipeSocketHarness(output: new PipeOptions(pauseWriterThreshold: 1024, resumeWriterThreshold: 512));
        harness.Socket.AppendFrame(new byte[4096], text: false);
        var first = harness.Socket.FlushBatchAsync(CancellationToken.None).AsTask();
        Assert.False(first.IsCompleted); // nobody reads the output
        // A second writer waits for the first flush instead of flushing alongside it.
        var second = harness.Socket.SendAsync(new byte[10].AsMemory(), WebSocketMessageType.Binary, true, CancellationToken.None).AsTask();
        Assert.False(second.IsCompleted);
        var frame = await harness.NextServerFrameAsync();
        Assert.Equal(4096, frame.Payload.Length);
        await Task.WhenAll(first, second).WaitAsync(PipeSocketHarness.Timeout);
        Assert.Equal(10, (await harness.NextServerFrameAsync()).Payload.Length);

        // A stuck flush whose token is cancelled aborts the socket, as a ManagedWebSocket send does.
        using var cancel = new CancellationTokenSource();
        var stuck = harness.Socket.SendAsync(new byte[4096].AsMemory(), WebSocketMessageType.Binary, true, cancel.Token).AsTask();
        Assert.False(stuck.IsCompleted);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => stuck.WaitAsync(PipeSocketHarness.Timeout));
        Assert.Equal((WebSocketState.Aborted, 1), (harness.Socket.State, harness.TransportAborts));
    }

    [Fact]
    public async Task Dispose_wakes_a_pending_receive_and_leaves_the_connection_to_kestrel()
    {
        var harness = new PipeSocketHarness();
        var pending = harness.Socket.ReceiveAsync(new byte[16].AsMemory(), CancellationToken.None).AsTask();
        harness.Socket.Dispose();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending.WaitAsync(PipeSocketHarness.Timeout));
        Assert.Equal((WebSocketState.Closed, 0), (harness.Socket.State, harness.TransportAborts));
    }

    [Fact]
    public async Task A_peer_that_goes_away_mid_frame_fails_the_receive()
    {
        var harness = new PipeSocketHarness();
        await harness.ClientSendsAsync(ClientFrame.Text("cut short")[..6]);
        await harness.ToServer.Writer.CompleteAsync();
        var error = await Assert.ThrowsAsync<WebSocketException>(() => harness.ReceiveMessageAsync());
        Assert.Equal(WebSocketError.ConnectionClosedPrematurely, error.WebSocketErrorCode);
        Assert.Equal(WebSocketState.Aborted, harness.Socket.State);
    }

    [Fact]
    public async Task Batched_frames_of_every_length_class_are_read_back_by_a_client_websocket()
    {
        int[] lengths = [0, 1, 125, 126, 127, 65_535, 65_536, 200_000];
        var harness = new PipeSocketHarness();
        var outbound = new OutboundWebSocket(harness.Socket, harness.Socket, static () => { });
        var sending = Task.Run(async () =>
        {
            foreach (var length in lengths) await outbound.Write(ClientFrame.Payload(length), text: false, CancellationToken.None);
            await outbound.FlushAsync(CancellationToken.None);
        });
        using var client = WebSocket.CreateFromStream(new DuplexStream(harness.ToClient.Reader.AsStream(), Stream.Null), new WebSocketCreationOptions { IsServer = false });
        foreach (var length in lengths)
        {
            var buffer = new byte[length + 16];
            var total = 0;
            ValueWebSocketReceiveResult result;
            do
            {
                result = await client.ReceiveAsync(buffer.AsMemory(total), CancellationToken.None).AsTask().WaitAsync(PipeSocketHarness.Timeout);
                total += result.Count;
            } while (!result.EndOfMessage);
            Assert.Equal(WebSocketMessageType.Binary, result.MessageType);
            Assert.Equal(ClientFrame.Payload(length), buffer[..total]);
        }
        await sending.WaitAsync(PipeSocketHarness.Timeout);

        // After the socket's own close (for bad input), the batch refuses more, whatever state the caller saw.
        await harness.ClientSendsAsync(ClientFrame.Make(0x81, "x"u8, masked: false));
        await Assert.ThrowsAsync<WebSocketException>(() => harness.ReceiveAsync(new byte[8]));
        await Assert.ThrowsAsync<WebSocketException>(async () => await outbound.Write("late"u8.ToArray(), text: true, CancellationToken.None));
        Assert.Throws<WebSocketException>(() => harness.Socket.AppendFrame("late"u8, text: true));
    }

    private sealed class FrameComparer : IEqualityComparer<ServerFrame>
    {
        public static readonly FrameComparer Instance = new();
        public bool Equals(ServerFrame? x, ServerFrame? y) => x!.Fin == y!.Fin && x.Opcode == y.Opcode && x.Payload.SequenceEqual(y.Payload);
        public int GetHashCode(ServerFrame obj) => obj.Opcode;
    }
}
