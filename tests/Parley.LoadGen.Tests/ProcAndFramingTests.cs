using System.Buffers;
using Parley.LoadGen.Net;
using Parley.LoadGen.Targets;

namespace Parley.LoadGen.Tests;

public class ProcAndFramingTests
{
    [Fact]
    public void Cpu_seconds_are_read_after_the_command_name_even_with_spaces_in_it()
    {
        const string stat = "4242 (dotnet host (x)) S 1 4242 4242 0 -1 4194560 9000 0 0 0 1234 566 0 0 20 0 30 0 100 0 0";
        Assert.Equal(18.0, ProcStats.ParseCpuSeconds(stat, 100), 6);
    }

    [Fact]
    public void This_process_has_cpu_time_and_memory()
    {
        Assert.True(ProcStats.Available(Environment.ProcessId)); // the load generator reads /proc (Linux)
        Assert.True(ProcStats.CpuSeconds(Environment.ProcessId) > 0);
        var (rss, peak) = ProcStats.Memory(Environment.ProcessId);
        Assert.True(rss > 1024 * 1024 && peak >= rss);
    }

    [Fact]
    public void Udp_drops_are_the_last_column_of_the_socket_on_that_port()
    {
        const string line = "  123: 0100007F:1EDD 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 98765 2 0000000000000000 17";
        Assert.Equal(17, ProcStats.ParseUdpDrops(line, 0x1EDD));
        Assert.Equal(0, ProcStats.ParseUdpDrops(line, 7902));
        Assert.Equal(0, ProcStats.ParseUdpDrops("garbage", 0x1EDD));
    }

    [Theory]
    [InlineData(0, 2)]
    [InlineData(125, 2)]
    [InlineData(126, 4)]
    [InlineData(65535, 4)]
    [InlineData(65536, 10)]
    public void Client_frames_are_masked_with_the_right_header(int length, int header)
    {
        var payload = new byte[length];
        Random.Shared.NextBytes(payload);
        var w = new ArrayBufferWriter<byte>();
        const uint mask = 0xA1B2C3D4;
        WebSocketConnection.WriteFrame(w, 1, payload, mask);
        var frame = w.WrittenSpan;
        Assert.Equal(header + 4 + length, frame.Length);
        Assert.Equal(0x81, frame[0]);                 // FIN + text
        Assert.True((frame[1] & 0x80) != 0);          // masked
        var body = frame[(header + 4)..].ToArray();
        WebSocketConnection.Mask(body, mask);         // XOR twice = the payload
        Assert.Equal(payload, body);
    }
}
