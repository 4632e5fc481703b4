namespace Parley.LoadGen.Scenarios;

public static class Report
{
    /// <summary>The table on stdout, then one machine-readable line ("RESULT {json}"), optionally appended to a file.</summary>
    public static void Print(RunResult result, string? jsonPath)
    {
        Console.WriteLine(result.ToText());
        var json = result.ToJson();
        Console.WriteLine("RESULT " + json);
        if (jsonPath is not null) File.AppendAllText(jsonPath, json + Environment.NewLine);
    }
}
