using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Parley.LoadGen.Scenarios;

/// <summary>The figures of one run; printed as a table and as one JSON line.</summary>
public sealed record RunResult
{
    public required string Scenario { get; init; }
    public required string Server { get; init; }
    public required string Protocol { get; init; }
    public int Users { get; init; }
    public double WindowSeconds { get; init; }
    public double OfferedRate { get; init; }
    public long Sent { get; init; }
    public long Expected { get; init; }
    public long Delivered { get; init; }
    public long Lost { get; init; }
    public long Duplicates { get; init; }
    public long Acked { get; init; }
    public long Errors { get; init; }
    public double DeliveredPerSecond { get; init; }
    public double ServerCpuSeconds { get; init; }
    public double DeliveredPerCpuSecond { get; init; }
    public double ServerCores => WindowSeconds > 0 ? ServerCpuSeconds / WindowSeconds : double.NaN;
    public double P50Ms { get; init; } = double.NaN;
    public double P99Ms { get; init; } = double.NaN;
    public double P999Ms { get; init; } = double.NaN;
    public double MaxMs { get; init; } = double.NaN;
    public long ServerRssBytes { get; init; }
    public long ServerPeakRssBytes { get; init; }
    public double BytesPerConnection { get; init; } = double.NaN;
    public double ConnectsPerSecond { get; init; } = double.NaN;
    public long UdpDrops { get; init; }
    public double BeforeChurnPerCpuSecond { get; init; } = double.NaN;
    public double AfterChurnPerCpuSecond { get; init; } = double.NaN;
    public double AverageCommitBatch { get; init; } = double.NaN;
    public IReadOnlyList<string> ErrorSamples { get; init; } = [];
    public string? Note { get; init; }

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static RunResult? FromJson(string line) => JsonSerializer.Deserialize<RunResult>(line, Json);

    public string ToText()
    {
        var sb = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        sb.AppendLine(c, $"{Scenario} | {Server} | {Protocol} | {Users} users");
        if (WindowSeconds > 0)
        {
            sb.AppendLine(c, $"  delivered        {Delivered:N0} in {WindowSeconds:F1} s = {DeliveredPerSecond:N0}/s{(OfferedRate > 0 ? $" (offered {OfferedRate:N0}/s)" : "")}");
            sb.AppendLine(c, $"  server CPU       {ServerCpuSeconds:F2} s ({ServerCores:F2} cores) = {DeliveredPerCpuSecond:N0} delivered per CPU-second");
            sb.AppendLine(c, $"  latency          p50 {P50Ms:F2} ms  p99 {P99Ms:F2} ms  p99.9 {P999Ms:F2} ms  max {MaxMs:F2} ms");
        }
        if (!double.IsNaN(BytesPerConnection))
            sb.AppendLine(c, $"  memory           {BytesPerConnection / 1024:F1} KiB per connection; {ConnectsPerSecond:N0} connects/s");
        if (!double.IsNaN(AfterChurnPerCpuSecond))
            sb.AppendLine(c, $"  churn            {BeforeChurnPerCpuSecond:N0} per CPU-s fresh, {AfterChurnPerCpuSecond:N0} after ({AfterChurnPerCpuSecond / BeforeChurnPerCpuSecond:P0}); {ConnectsPerSecond:N0} connect+close/s");
        sb.AppendLine(c, $"  sent {Sent:N0}, expected deliveries {Expected:N0}, lost {Lost:N0}, duplicates {Duplicates:N0}, acked {Acked:N0}, errors {Errors:N0}{(UdpDrops > 0 ? $", UDP drops at the server {UdpDrops:N0}" : "")}");
        sb.AppendLine(c, $"  server memory    RSS {ServerRssBytes / 1048576.0:F0} MiB, peak {ServerPeakRssBytes / 1048576.0:F0} MiB{(double.IsNaN(AverageCommitBatch) ? "" : $"; {AverageCommitBatch:F1} messages per commit")}");
        foreach (var e in ErrorSamples) sb.AppendLine(c, $"  error: {e}");
        if (Note is not null) sb.AppendLine(c, $"  note: {Note}");
        return sb.ToString();
    }
}
