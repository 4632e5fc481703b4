using Parley.LoadGen.Clients;

namespace Parley.LoadGen.Tests;

public class OptionsTests
{
    [Fact]
    public void Defaults_and_values_are_parsed()
    {
        var o = RunOptions.Parse(["pairs"])!;
        Assert.Equal((Scenario.Pairs, WireProtocol.Native, 200, 8, 10, "Full"), (o.Scenario, o.Protocol, o.Users, o.InFlight, o.DurationSeconds, o.Sync));
        Assert.Null(o.Url);

        o = RunOptions.Parse(["rate", "--protocol", "mim-udp", "--users", "1001", "--rate", "2500.5", "--sync", "off", "--text", "64",
            "--server-env", "DOTNET_gcServer=0", "--server-arg", "--x=1", "--no-progress"])!;
        Assert.Equal((Scenario.Rate, WireProtocol.MimUdp, 1002, 2500.5, "Off", 64), (o.Scenario, o.Protocol, o.Users, o.Rate, o.Sync, o.TextLength));
        Assert.Equal("0", o.ServerEnvironment["DOTNET_gcServer"]);
        Assert.Equal(["--x=1"], o.ServerArgs);
        Assert.False(o.Progress);
        Assert.True(RunOptions.Parse(["idle", "--protocol", "hub"])!.Hub);
        Assert.Equal(1, RunOptions.Parse(["suite"])!.Repeat);
        Assert.Equal(3, RunOptions.Parse(["suite", "--repeat", "3"])!.Repeat);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("help")]
    public void Help_returns_null(string arg) => Assert.Null(RunOptions.Parse([arg]));

    [Fact]
    public void No_arguments_is_help() => Assert.Null(RunOptions.Parse([]));

    [Theory]
    [InlineData("storm")]
    [InlineData("pairs", "--bogus", "1")]
    [InlineData("pairs", "--users")]
    [InlineData("pairs", "--users", "1")]
    [InlineData("pairs", "--users", "-4")]
    [InlineData("pairs", "--protocol", "mqtt")]
    [InlineData("pairs", "--sync", "sometimes")]
    [InlineData("rate")]
    [InlineData("rate", "--rate", "0")]
    [InlineData("group", "--protocol", "mim-tcp")]
    [InlineData("group", "--members", "3", "--group-senders", "4")]
    [InlineData("pairs", "--server-env", "NOEQUALS")]
    [InlineData("suite", "--url", "http://127.0.0.1:5080")]
    [InlineData("pairs", "--url", "ftp://127.0.0.1/")]
    [InlineData("suite", "--repeat", "0")]
    public void Bad_arguments_are_refused_with_a_message(params string[] args)
    {
        var ex = Assert.Throws<ArgumentException>(() => RunOptions.Parse(args));
        Assert.False(string.IsNullOrWhiteSpace(ex.Message));
    }
}
