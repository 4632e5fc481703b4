using Microsoft.Extensions.DependencyInjection;
using Parley.IntegrationTests.Infrastructure;
using Parley.Protocol.MobileImSdk;
using Parley.Transports.MobileImSdk;

namespace Parley.IntegrationTests.MobileImSdk;

/// <summary>
/// The captured packets of the protocol spec (§16), replayed against the gateway with accounts named like the
/// capture's users (password = the capture's token): what the gateway emits must be byte-identical (apart from the
/// server-chosen firstLoginTime).
/// </summary>
public sealed class SpecVectorTests : IAsyncLifetime
{
    private const string V1 = "{\"bridge\":false,\"type\":0,\"dataContent\":\"{\\\"loginUserId\\\":\\\"bob-udp\\\",\\\"loginToken\\\":\\\"token-of-bob-udp\\\",\\\"firstLoginTime\\\":0}\",\"from\":\"bob-udp\",\"to\":\"0\",\"QoS\":false,\"typeu\":-1,\"sm\":-1}";
    private const string V3 = "{\"bridge\":false,\"type\":1,\"dataContent\":\"{}\",\"from\":\"bob-udp\",\"to\":\"0\",\"QoS\":false,\"typeu\":-1,\"sm\":-1}";
    private const string V3Response = "{\"bridge\":false,\"type\":51,\"dataContent\":\"{}\",\"from\":\"0\",\"to\":\"bob-udp\",\"QoS\":false,\"typeu\":-1,\"sm\":-1}";
    private const string V4 = "{\"bridge\":false,\"type\":2,\"dataContent\":\"hello bob-udp from alice-udp\",\"from\":\"alice-udp\",\"to\":\"bob-udp\",\"fp\":\"4010dff4-f19a-42be-b743-4c5f17c26306\",\"QoS\":true,\"typeu\":1,\"sm\":-1}";
    private const string V4Ack = "{\"bridge\":false,\"type\":4,\"dataContent\":\"4010dff4-f19a-42be-b743-4c5f17c26306\",\"from\":\"bob-udp\",\"to\":\"alice-udp\",\"QoS\":false,\"typeu\":-1,\"sm\":-1}";
    private const string V5 = "{\"bridge\":false,\"type\":54,\"dataContent\":\"{\\\"code\\\":1}\",\"from\":\"0\",\"to\":\"dave-udp\",\"QoS\":false,\"typeu\":-1,\"sm\":-1}";
    private const string V6 = "{\"bridge\":false,\"type\":3,\"from\":\"bob-tcp\",\"to\":\"0\",\"QoS\":false,\"typeu\":-1,\"sm\":-1}";
    private const string V10C2S = "{\"bridge\":false,\"type\":2,\"dataContent\":\"s2c:server push for erin-udp\",\"from\":\"erin-udp\",\"to\":\"0\",\"fp\":\"e77d077c-a5d2-4952-a97b-5f430fca8ced\",\"QoS\":true,\"typeu\":3,\"sm\":-1}";
    private const string V10Ack = "{\"bridge\":false,\"type\":4,\"dataContent\":\"e77d077c-a5d2-4952-a97b-5f430fca8ced\",\"from\":\"0\",\"to\":\"erin-udp\",\"QoS\":false,\"typeu\":-1,\"sm\":-1}";
    private const string V10Push = "{\"bridge\":false,\"type\":2,\"dataContent\":\"server push for erin-udp\",\"from\":\"0\",\"to\":\"erin-udp\",\"fp\":\"7b5fc29c-4623-4f06-b414-7ab83422162a\",\"QoS\":true,\"typeu\":99,\"sm\":-1}";
    private const string V10ClientAck = "{\"bridge\":false,\"type\":4,\"dataContent\":\"7b5fc29c-4623-4f06-b414-7ab83422162a\",\"from\":\"erin-udp\",\"to\":\"0\",\"QoS\":false,\"typeu\":-1,\"sm\":-1}";

    private ParleyTestServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await MobileImKit.StartAsync();
        foreach (var name in new[] { "alice-udp", "bob-udp", "dave-udp", "bob-tcp", "erin-udp" })
        {
            await _server.CreateUserAsync(name, "token-of-" + name);
        }
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task V1_to_V4_login_keep_alive_and_a_c2c_qos_message()
    {
        await using var bob = await MobileImKit.RawAsync(_server, Wire.Udp);
        await bob.SendAsync(V1);
        var response = await bob.NextAsync(ProtocalType.ResponseLogin);
        Assert.Equal(MobileImKit.LoginResponse("bob-udp", MobileImKit.FirstLoginTimeOf(response)), response);
        await _server.WaitOnlineAsync("bob-udp");
        await bob.SendAsync(V3);
        Assert.Equal(V3Response, await bob.NextAsync(ProtocalType.ResponseKeepAlive));

        await using var alice = await MobileImKit.RawAsync(_server, Wire.Udp);
        await alice.LoginAsync("alice-udp", "token-of-alice-udp");
        await alice.SendAsync(V4);
        Assert.Equal(V4, await bob.NextAsync(ProtocalType.CommonData)); // forwarded byte-identical
        Assert.Equal(V4Ack, await alice.NextAsync(ProtocalType.Received));
        await bob.SendAsync(V4Ack); // bob's ACK is consumed by the server, never forwarded to alice
        Assert.True(await alice.NoneAsync(ProtocalType.Received, TimeSpan.FromMilliseconds(300)));
    }

    [Fact]
    public async Task V5_kick_and_V6_logout()
    {
        await using var first = await MobileImKit.RawAsync(_server, Wire.Udp);
        await first.LoginAsync("dave-udp", "token-of-dave-udp");
        await _server.WaitOnlineAsync("dave-udp");
        await using var second = await MobileImKit.RawAsync(_server, Wire.Udp);
        await second.LoginAsync("dave-udp", "token-of-dave-udp");
        Assert.Equal(V5, await first.NextAsync(ProtocalType.Kickout));

        await using var tcp = await MobileImKit.RawAsync(_server, Wire.Tcp);
        await tcp.LoginAsync("bob-tcp", "token-of-bob-tcp");
        await tcp.SendAsync(V6);
        await tcp.Closed.WaitAsync(MobileImKit.Timeout);
    }

    [Fact]
    public async Task V10_c2s_ack_then_a_server_push_and_its_ack()
    {
        await using var erin = await MobileImKit.RawAsync(_server, Wire.Udp);
        await erin.LoginAsync("erin-udp", "token-of-erin-udp");
        await _server.WaitOnlineAsync("erin-udp");
        await erin.SendAsync(V10C2S);
        Assert.Equal(V10Ack, await erin.NextAsync(ProtocalType.Received));
        var push = _server.Services.GetRequiredService<MobileImPush>();
        var pending = push.PushAsync("erin-udp", "server push for erin-udp", 99, fp: "7b5fc29c-4623-4f06-b414-7ab83422162a");
        Assert.Equal(V10Push, await erin.NextAsync(ProtocalType.CommonData));
        await erin.SendAsync(V10ClientAck);
        Assert.Equal(MobileImPushStatus.Received, await pending.WaitAsync(MobileImKit.Timeout));
    }
}
