using System.Diagnostics.Metrics;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using Parley.Core.Diagnostics;
using Parley.Core.Sessions;
using Parley.Server.Operations;

namespace Parley.Benchmarks;

/// <summary>
/// What one instrument update costs on the send path (MessagesIn, FramesIn and DeliverySeconds run once per message
/// or frame) with and without the server's <see cref="PrometheusExporter"/> listening.
/// </summary>
[MemoryDiagnoser]
public class MetricsBenchmarks
{
    private ServiceProvider _quiet = null!;
    private ServiceProvider _exported = null!;
    private ParleyMetrics _quietMetrics = null!;
    private ParleyMetrics _exportedMetrics = null!;
    private PrometheusExporter _exporter = null!;
    private readonly KeyValuePair<string, object?> _tag = new("transport", "native");

    [GlobalSetup]
    public void Setup()
    {
        _quiet = new ServiceCollection().AddMetrics().BuildServiceProvider();
        _exported = new ServiceCollection().AddMetrics().BuildServiceProvider();
        _quietMetrics = new ParleyMetrics(new SessionRegistry(), _quiet.GetRequiredService<IMeterFactory>());
        var factory = _exported.GetRequiredService<IMeterFactory>();
        _exporter = new PrometheusExporter(factory);
        _exportedMetrics = new ParleyMetrics(new SessionRegistry(), factory);
    }

    [Benchmark(Baseline = true, Description = "counter add, no listener")]
    public void CounterQuiet() => _quietMetrics.MessagesIn.Add(1);

    [Benchmark(Description = "counter add, PrometheusExporter listening")]
    public void CounterExported() => _exportedMetrics.MessagesIn.Add(1);

    [Benchmark(Description = "counter add with a tag, PrometheusExporter listening")]
    public void TaggedCounterExported() => _exportedMetrics.Connects.Add(1, _tag);

    [Benchmark(Description = "histogram record, PrometheusExporter listening")]
    public void HistogramExported() => _exportedMetrics.DeliverySeconds.Record(0.0042);

    [GlobalCleanup]
    public void Cleanup()
    {
        _exporter.Dispose();
        _quietMetrics.Dispose();
        _exportedMetrics.Dispose();
        _quiet.Dispose();
        _exported.Dispose();
    }
}
