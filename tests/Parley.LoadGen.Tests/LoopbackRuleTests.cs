namespace Parley.LoadGen.Tests;

public class LoopbackRuleTests
{
    [Theory]
    [InlineData("http://127.0.0.1:5080")]
    [InlineData("http://127.0.0.9:5080/")]
    [InlineData("http://localhost:5080")]
    [InlineData("http://[::1]:5080")]
    [InlineData("ws://127.0.0.1:5080")]
    public async Task Loopback_urls_are_accepted(string url)
    {
        var o = RunOptions.Parse(["pairs", "--url", url])!;
        Assert.Equal(5080, o.Url!.Port);
        await TargetPolicy.EnsureAllowedAsync(o.Url, allowRemote: false);
    }

    [Theory]
    [InlineData("http://10.1.2.3:5080")]
    [InlineData("http://192.168.0.10:80")]
    [InlineData("http://[2001:db8::1]:5080")]
    public void Remote_addresses_need_allow_remote(string url)
    {
        var ex = Assert.Throws<ArgumentException>(() => RunOptions.Parse(["pairs", "--url", url]));
        Assert.Contains("--allow-remote", ex.Message);
        // Given explicitly, it is accepted.
        Assert.NotNull(RunOptions.Parse(["pairs", "--allow-remote", "--url", url])!.Url);
    }

    [Fact]
    public async Task A_name_that_does_not_resolve_to_loopback_is_refused()
    {
        var url = RunOptions.Parse(["pairs", "--url", "http://parley-loadgen-test.invalid:5080"])!.Url!;
        await Assert.ThrowsAsync<ArgumentException>(() => TargetPolicy.EnsureAllowedAsync(url, allowRemote: false));
        await TargetPolicy.EnsureAllowedAsync(url, allowRemote: true);   // no look-up when remote is allowed
    }

    [Fact]
    public void MobileImSdk_endpoints_follow_the_same_rule()
    {
        Assert.Equal(7901, RunOptions.Parse(["pairs", "--mim-udp", "127.0.0.1:7901"])!.MimUdp!.Port);
        Assert.Throws<ArgumentException>(() => RunOptions.Parse(["pairs", "--mim-udp", "10.0.0.5:7901"]));
        Assert.Throws<ArgumentException>(() => RunOptions.Parse(["pairs", "--mim-tcp", "not-an-endpoint"]));
        Assert.NotNull(RunOptions.Parse(["pairs", "--allow-remote", "--mim-tcp", "10.0.0.5:8901"])!.MimTcp);
    }

    [Fact]
    public void Started_servers_listen_on_loopback_only()
    {
        // The suite and single scenarios start servers on 127.0.0.1 with free ports; nothing else is addressed.
        var port = Targets.ServerProcess.FreePort();
        Assert.InRange(port, 1, 65535);
        Assert.True(TargetPolicy.IsLoopbackLiteral("127.0.0.1"));
        Assert.False(TargetPolicy.IsLoopbackLiteral("0.0.0.0"));
        Assert.False(TargetPolicy.IsLoopbackLiteral("example.com"));
    }
}
