using System.Diagnostics;
using System.Text.Json;

namespace Parley.IntegrationTests.Infrastructure;

/// <summary>Runs a script of tests/js (real npm clients) with a timeout; stdout lines are JSON events.</summary>
public static class NodeScenario
{
    public static string ScriptsDirectory { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "js");
            if (File.Exists(Path.Combine(candidate, "package.json"))) return candidate;
        }
        throw new InvalidOperationException("tests/js not found above " + AppContext.BaseDirectory);
    }

    public sealed record Result(int ExitCode, List<JsonElement> Events, string Output, string Errors)
    {
        public JsonElement Event(string name) => Events.FirstOrDefault(e => e.GetProperty("event").GetString() == name) is { ValueKind: JsonValueKind.Object } e
            ? e
            : throw new Xunit.Sdk.XunitException($"no '{name}' event; exit {ExitCode}\nstdout:\n{Output}\nstderr:\n{Errors}");

        public void AssertSucceeded()
        {
            if (ExitCode != 0 || !Events.Any(e => e.GetProperty("event").GetString() == "done"))
                throw new Xunit.Sdk.XunitException($"node scenario failed (exit {ExitCode})\nstdout:\n{Output}\nstderr:\n{Errors}");
        }
    }

    public static async Task<Result> RunAsync(string script, string scenario, object options, TimeSpan? timeout = null)
    {
        if (!Directory.Exists(Path.Combine(ScriptsDirectory, "node_modules")))
            throw new InvalidOperationException("run 'npm ci' in tests/js first (test.sh does)");
        var limit = timeout ?? TimeSpan.FromSeconds(30);
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = ScriptsDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(script);
        start.ArgumentList.Add(scenario);
        start.ArgumentList.Add(JsonSerializer.Serialize(options, new JsonSerializerOptions(JsonSerializerDefaults.Web)));
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(limit);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"node {script} {scenario} did not finish within {limit.TotalSeconds}s; stdout so far:\n{await stdout.WaitAsync(TimeSpan.FromSeconds(5))}");
        }
        var output = await stdout.WaitAsync(TimeSpan.FromSeconds(10));
        var errors = await stderr.WaitAsync(TimeSpan.FromSeconds(10));
        var events = new List<JsonElement>();
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (line.StartsWith('{')) events.Add(JsonDocument.Parse(line).RootElement.Clone());
        }
        return new Result(process.ExitCode, events, output, errors);
    }
}
