using System.Globalization;

namespace Parley.LoadGen.Targets;

/// <summary>The few series of the server's Prometheus text that show group commit at work.</summary>
public sealed record MetricsSnapshot(IReadOnlyDictionary<string, double> Values)
{
    public static async Task<MetricsSnapshot> ScrapeAsync(HttpClient http, Uri baseUri)
    {
        var text = await http.GetStringAsync(new Uri(baseUri, "metrics"));
        var values = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#') continue;
            var space = line.LastIndexOf(' ');
            if (space <= 0) continue;
            if (double.TryParse(line[(space + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var v)) values[line[..space]] = v;
        }
        return new MetricsSnapshot(values);
    }

    public double Get(string series) => Values.TryGetValue(series, out var v) ? v : 0;

    /// <summary>This minus <paramref name="before"/>, for one series.</summary>
    public double Delta(MetricsSnapshot before, string series) => Get(series) - before.Get(series);

    /// <summary>Histogram buckets (le → cumulative count) of a series, minus <paramref name="before"/>.</summary>
    public List<(string Le, double Count)> Buckets(MetricsSnapshot before, string name)
    {
        var prefix = name + "_bucket{le=\"";
        return Values.Keys
            .Where(k => k.StartsWith(prefix, StringComparison.Ordinal))
            .Select(k => (Le: k[prefix.Length..^2], Count: Delta(before, k)))
            .OrderBy(b => b.Le == "+Inf" ? double.MaxValue : double.Parse(b.Le, CultureInfo.InvariantCulture))
            .ToList();
    }
}
