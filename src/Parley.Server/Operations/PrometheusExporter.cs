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
    private static readonly double[] TimeBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
    private static readonly double[] CountBuckets = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 5000];
    private static readonly string[] Meters = [Core.Diagnostics.ParleyMetrics.MeterName, "Microsoft.AspNetCore.Server.Kestrel"];
    private readonly MeterListener _listener = new();
    private readonly ConcurrentBag<InstrumentSeries> _instruments = [];

    public PrometheusExporter(IMeterFactory meterFactory)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (!Meters.Contains(instrument.Meter.Name) || !ReferenceEquals(instrument.Meter.Scope, meterFactory)) return;
            var series = new InstrumentSeries(instrument);
            _instruments.Add(series);
            // The per-instrument state rides along with every measurement, so recording looks nothing up by name.
            listener.EnableMeasurementEvents(instrument, series);
        };
        _listener.SetMeasurementEventCallback<long>((_, v, tags, state) => ((InstrumentSeries)state!).Record(v, tags));
        _listener.SetMeasurementEventCallback<int>((_, v, tags, state) => ((InstrumentSeries)state!).Record(v, tags));
        _listener.SetMeasurementEventCallback<double>((_, v, tags, state) => ((InstrumentSeries)state!).Record(v, tags));
        _listener.Start();
    }

    private static string Labels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
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
        foreach (var group in _instruments.OrderBy(i => i.Name).GroupBy(i => i.Name))
        {
            var first = group.First();
            if (!group.Any(i => i.HasData)) continue;
            sb.Append("# HELP ").Append(group.Key).Append(' ').Append(first.Instrument.Description ?? group.Key).Append('\n');
            sb.Append("# TYPE ").Append(group.Key).Append(' ').Append(first.Type).Append('\n');
            foreach (var instrument in group) instrument.Write(sb);
        }
        return sb.ToString();
    }

    public void Dispose() => _listener.Dispose();

    /// <summary>One instrument's series: untagged, or keyed by its tag set (low cardinality by design).</summary>
    private sealed class InstrumentSeries(Instrument instrument)
    {
        private readonly Series _untagged = new(instrument, "");
        private readonly ConcurrentDictionary<object, Series> _bySingleTag = new();
        private readonly ConcurrentDictionary<string, Series> _byLabels = new();

        public Instrument Instrument { get; } = instrument;
        public string Name { get; } = string.Concat(instrument.Name.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_'));
        public string Type => _untagged.Type;
        public bool HasData => _untagged.HasData || !_bySingleTag.IsEmpty || !_byLabels.IsEmpty;

        public void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            if (tags.Length == 0)
            {
                _untagged.Add(value);
                return;
            }
            if (tags.Length == 1 && tags[0].Value is { } single)
            {
                if (!_bySingleTag.TryGetValue(single, out var byTag))
                    byTag = _bySingleTag.GetOrAdd(single, new Series(Instrument, Labels(tags)));
                byTag.Add(value);
                return;
            }
            var labels = Labels(tags);
            _byLabels.GetOrAdd(labels, l => new Series(Instrument, l)).Add(value);
        }

        public void Write(StringBuilder sb)
        {
            if (_untagged.HasData) _untagged.Write(sb, Name);
            foreach (var series in _bySingleTag.Values.Concat(_byLabels.Values).OrderBy(s => s.Labels)) series.Write(sb, Name);
        }
    }

    private sealed class Series
    {
        private readonly Lock _gate = new();
        private readonly double[] _buckets;
        private readonly long[] _bucketCounts;
        private readonly Kind _kind;
        private readonly bool _observable;
        private double _value;
        private double _sum;
        private long _count;

        private enum Kind { Counter, Gauge, Histogram }

        public Series(Instrument instrument, string labels)
        {
            Labels = labels;
            _kind = instrument switch
            {
                Histogram<double> or Histogram<long> => Kind.Histogram,
                ObservableGauge<int> or ObservableGauge<long> or ObservableGauge<double> or UpDownCounter<long> or ObservableUpDownCounter<long> => Kind.Gauge,
                _ => Kind.Counter,
            };
            _observable = instrument.IsObservable;
            _buckets = instrument.Unit == "s" ? TimeBuckets : CountBuckets;
            _bucketCounts = new long[_buckets.Length];
        }

        public string Labels { get; }
        public bool HasData { get; private set; }
        public string Type => _kind switch { Kind.Histogram => "histogram", Kind.Gauge => "gauge", _ => "counter" };

        public void Add(double value)
        {
            lock (_gate)
            {
                HasData = true;
                switch (_kind)
                {
                    case Kind.Histogram:
                        _sum += value;
                        _count++;
                        for (var i = 0; i < _buckets.Length; i++) if (value <= _buckets[i]) _bucketCounts[i]++;
                        break;
                    case Kind.Gauge when _observable:
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
                if (_kind != Kind.Histogram)
                {
                    sb.Append(name).Append(Braces(Labels)).Append(' ').Append(_value.ToString(CultureInfo.InvariantCulture)).Append('\n');
                    return;
                }
                var prefix = Labels.Length > 0 ? Labels + "," : "";
                for (var i = 0; i < _buckets.Length; i++)
                {
                    sb.Append(name).Append("_bucket{").Append(prefix).Append("le=\"").Append(_buckets[i].ToString(CultureInfo.InvariantCulture))
                      .Append("\"} ").Append(_bucketCounts[i]).Append('\n');
                }
                sb.Append(name).Append("_bucket{").Append(prefix).Append("le=\"+Inf\"} ").Append(_count).Append('\n');
                sb.Append(name).Append("_sum").Append(Braces(Labels)).Append(' ').Append(_sum.ToString(CultureInfo.InvariantCulture)).Append('\n');
                sb.Append(name).Append("_count").Append(Braces(Labels)).Append(' ').Append(_count).Append('\n');
            }
        }

        private static string Braces(string labels) => labels.Length == 0 ? "" : "{" + labels + "}";
    }
}
