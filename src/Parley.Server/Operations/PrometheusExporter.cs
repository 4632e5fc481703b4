using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace Parley.Server.Operations;

/// <summary>
/// Collects this server's Parley meter (and Kestrel's connection counters) with a MeterListener and renders the Prometheus
/// text exposition format. OpenTelemetry's exporters are not available here, and the format is small.
/// </summary>
public sealed class PrometheusExporter : IDisposable
{
    private static readonly double[] Buckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
    private static readonly string[] Meters = [Core.Diagnostics.ParleyMetrics.MeterName, "Microsoft.AspNetCore.Server.Kestrel"];
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<(string Name, string Labels), Series> _series = new();

    public PrometheusExporter(IMeterFactory meterFactory)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (Meters.Contains(instrument.Meter.Name) && ReferenceEquals(instrument.Meter.Scope, meterFactory)) listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<int>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Record(i, v, tags));
        _listener.Start();
    }

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var series = _series.GetOrAdd((Name(instrument), Labels(tags)), key => new Series(instrument, key.Labels));
        series.Add(value);
    }

    private static string Name(Instrument i)
    {
        var name = new StringBuilder();
        foreach (var c in i.Name) name.Append(char.IsAsciiLetterOrDigit(c) ? c : '_');
        return name.ToString();
    }

    private static string Labels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.Length == 0) return "";
        var sb = new StringBuilder();
        foreach (var (key, value) in tags)
        {
            if (sb.Length > 0) sb.Append(',');
            sb.Append(key.Replace('.', '_')).Append("=\"")
              .Append((Convert.ToString(value, CultureInfo.InvariantCulture) ?? "").Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n"))
              .Append('"');
        }
        return sb.ToString();
    }

    public string Render()
    {
        _listener.RecordObservableInstruments();
        var sb = new StringBuilder();
        foreach (var group in _series.OrderBy(s => s.Key.Name).GroupBy(s => s.Key.Name))
        {
            var first = group.First().Value;
            sb.Append("# HELP ").Append(group.Key).Append(' ').Append(first.Instrument.Description ?? group.Key).Append('\n');
            sb.Append("# TYPE ").Append(group.Key).Append(' ').Append(first.Type).Append('\n');
            foreach (var (key, series) in group) series.Write(sb, key.Name);
        }
        return sb.ToString();
    }

    public void Dispose() => _listener.Dispose();

    private sealed class Series(Instrument instrument, string labels)
    {
        private readonly Lock _gate = new();
        private readonly long[] _bucketCounts = new long[Buckets.Length];
        private double _value;
        private double _sum;
        private long _count;

        public Instrument Instrument { get; } = instrument;

        public string Type => Instrument switch
        {
            Histogram<double> or Histogram<long> => "histogram",
            ObservableGauge<int> or ObservableGauge<long> or ObservableGauge<double> or UpDownCounter<long> or ObservableUpDownCounter<long> => "gauge",
            _ => "counter",
        };

        public void Add(double value)
        {
            lock (_gate)
            {
                switch (Type)
                {
                    case "histogram":
                        _sum += value;
                        _count++;
                        for (var i = 0; i < Buckets.Length; i++) if (value <= Buckets[i]) _bucketCounts[i]++;
                        break;
                    case "gauge" when Instrument.IsObservable:
                        _value = value;
                        break;
                    default:
                        _value += value;
                        break;
                }
            }
        }

        public void Write(StringBuilder sb, string name)
        {
            lock (_gate)
            {
                if (Type != "histogram")
                {
                    sb.Append(name).Append(Braces(labels)).Append(' ').Append(_value.ToString(CultureInfo.InvariantCulture)).Append('\n');
                    return;
                }
                var prefix = labels.Length > 0 ? labels + "," : "";
                for (var i = 0; i < Buckets.Length; i++)
                {
                    sb.Append(name).Append("_bucket{").Append(prefix).Append("le=\"").Append(Buckets[i].ToString(CultureInfo.InvariantCulture))
                      .Append("\"} ").Append(_bucketCounts[i]).Append('\n');
                }
                sb.Append(name).Append("_bucket{").Append(prefix).Append("le=\"+Inf\"} ").Append(_count).Append('\n');
                sb.Append(name).Append("_sum").Append(Braces(labels)).Append(' ').Append(_sum.ToString(CultureInfo.InvariantCulture)).Append('\n');
                sb.Append(name).Append("_count").Append(Braces(labels)).Append(' ').Append(_count).Append('\n');
            }
        }

        private static string Braces(string labels) => labels.Length == 0 ? "" : "{" + labels + "}";
    }
}
