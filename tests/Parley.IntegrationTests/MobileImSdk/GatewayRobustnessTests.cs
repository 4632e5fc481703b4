using System.Net.WebSockets;
using System.Text;
using Parley.IntegrationTests.Infrastructure;
using Parley.Protocol.MobileImSdk;
using Parley.Transports.MobileImSdk;

namespace Parley.IntegrationTests.MobileImSdk;

/// <summary>
/// Size limits and malformed input. Documented outcomes: an oversize or unparsable packet ends the session (UDP: the
/// pseudo-session is forgotten, so the next datagram from that address is "not logged in"; TCP and WebSocket: the
/// connection is closed, WebSocket with 1000 "Bye"); the server keeps serving everyone else. The idle timeout is the
/// kit's long one: a "not logged in" here can only come from the packet under test (see <see cref="GatewayIdleTests"/>).
/// </summary>
public sealed class GatewayRobustnessTests : IAsyncLifetime
{
    private ParleyTestServer _server = null!;
    private static int s_users;

    public async Task InitializeAsync() => _server = await MobileImKit.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private Task<TestUser> UserAsync(string prefix) => _server.CreateUserAsync($"{prefix}{Interlocked.Increment(ref s_users)}");

    internal static string KeepAlive(string user) => $"{{\"type\":1,\"dataContent\":\"{{}}\",\"from\":\"{user}\",\"to\":\"0\"}}";

    private static string Padded(string user, int totalBytes)
    {
        var shell = MobileImKit.Data(user, "0", "", null);
        return MobileImKit.Data(user, "0", new string('x', totalBytes - Encoding.UTF8.GetByteCount(shell)), null);
    }

    [Fact]
    public async Task Udp_accepts_2048_bytes_and_drops_a_2049_byte_datagram_with_its_session()
    {
        var u = await UserAsync("udpsize");
        await using var peer = await MobileImKit.RawAsync(_server, Wire.Udp);
        await peer.LoginAsync(u.Account, u.Password);
        var max = Padded(u.Account, 2048);
        Assert.Equal(2048, Encoding.UTF8.GetByteCount(max));
        await peer.SendAsync(max);
        await peer.SendAsync(KeepAlive(u.Account));
        await peer.NextAsync(ProtocalType.ResponseKeepAlive); // still logged in

        await peer.SendAsync(Padded(u.Account, 2049));
        await peer.SendAsync(KeepAlive(u.Account));
        Assert.Contains("301", await peer.NextAsync(ProtocalType.ResponseForError));
    }

    [Fact]
    public async Task Tcp_accepts_6144_bytes_and_closes_on_6145_or_a_zero_length()
    {
        var u = await UserAsync("tcpsize");
        await using var peer = await MobileImKit.RawAsync(_server, Wire.Tcp);
        await peer.LoginAsync(u.Account, u.Password);
        await peer.SendAsync(Padded(u.Account, 6144));
        await peer.SendAsync(KeepAlive(u.Account));
        await peer.NextAsync(ProtocalType.ResponseKeepAlive);
        await peer.SendAsync(Padded(u.Account, 6145));
        await peer.Closed.WaitAsync(MobileImKit.Timeout);

        await using var zero = await MobileImKit.RawAsync(_server, Wire.Tcp);
        await zero.RawTcpStream!.WriteAsync(new byte[] { 0, 0, 0, 0 });
        await zero.Closed.WaitAsync(MobileImKit.Timeout);

        await using var littleEndian = await MobileImKit.RawAsync(_server, Wire.Tcp);
        await littleEndian.RawTcpStream!.WriteAsync(new byte[] { 0x65, 0, 0, 0 });
        await littleEndian.Closed.WaitAsync(MobileImKit.Timeout);
    }

    [Theory]
    [InlineData(Wire.Udp, "not json at all")]
    [InlineData(Wire.Tcp, "{\"type\":")]
    [InlineData(Wire.Ws, "[1,2,3]")]
    [InlineData(Wire.Tcp, "{\"type\":0,\"dataContent\":\"{not json\"}")]
    [InlineData(Wire.Udp, "\u00ff\u00fe")]
    public async Task Malformed_packets_end_the_session_and_the_server_keeps_working(Wire wire, string garbage)
    {
        var u = await UserAsync("bad");
        await using var peer = await MobileImKit.RawAsync(_server, wire);
        await peer.LoginAsync(u.Account, u.Password);
        await peer.SendBytesAsync(garbage == "\u00ff\u00fe" ? [0xff, 0xfe, 0x7b] : Encoding.UTF8.GetBytes(garbage));
        if (wire == Wire.Udp)
        {
            await peer.SendAsync(KeepAlive(u.Account));
            Assert.Contains("301", await peer.NextAsync(ProtocalType.ResponseForError));
        }
        else
        {
            await peer.Closed.WaitAsync(MobileImKit.Timeout);
            if (wire == Wire.Ws) Assert.Equal((WebSocketCloseStatus.NormalClosure, "Bye"), (peer.WsCloseStatus, peer.WsCloseReason));
        }
        await using var fresh = await MobileImKit.RawAsync(_server, wire);
        Assert.Equal(0, GatewayLoginTests.LoginCode(await fresh.LoginAsync(u.Account, u.Password)));
    }

    [Fact]
    public async Task Websocket_binary_frames_and_oversize_messages_close_with_bye()
    {
        await using var binary = await MobileImKit.RawAsync(_server, Wire.Ws);
        await binary.WebSocket!.SendAsync(new byte[] { 1, 2, 3 }, WebSocketMessageType.Binary, true, CancellationToken.None);
        await binary.Closed.WaitAsync(MobileImKit.Timeout);
        Assert.Equal("Bye", binary.WsCloseReason);

        await using var big = await MobileImKit.RawAsync(_server, Wire.Ws);
        await big.SendAsync(Padded("someone", 65537));
        await big.Closed.WaitAsync(MobileImKit.Timeout);
        Assert.Equal("Bye", big.WsCloseReason);
    }

    internal static async Task WaitUntilAsync(Func<bool> condition)
    {
        // Server-side state has no event to wait on from here; re-check on a short period within the usual timeout.
        using var cts = new CancellationTokenSource(MobileImKit.Timeout);
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
        while (!condition()) await timer.WaitForNextTickAsync(cts.Token);
    }
}
