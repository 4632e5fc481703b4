using Parley.LoadGen;
using Parley.LoadGen.Scenarios;

RunOptions? options;
try
{
    options = RunOptions.Parse(args);
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine(ex.Message);
    Console.Error.WriteLine("Parley.LoadGen --help for the options");
    return 2;
}
if (options is null)
{
    Console.WriteLine(RunOptions.Usage);
    return 0;
}

try
{
    if (options.Url is not null) await TargetPolicy.EnsureAllowedAsync(options.Url, options.AllowRemote);
    if (options.Scenario == Scenario.Suite) return await Suite.RunAsync(options);
    var result = await Scenarios.RunAsync(options);
    Report.Print(result, options.JsonPath);
    return result.Lost == 0 && result.Duplicates == 0 ? 0 : 1;
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine(ex.Message);
    return 2;
}
