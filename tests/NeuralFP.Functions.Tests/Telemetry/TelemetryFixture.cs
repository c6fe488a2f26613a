using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using NeuralFP.Functions.Tests.Infrastructure;
using NeuralFP.Azure.Configuration;
using NeuralFP.Functions.Hosting;
using NeuralFP.Application.Registry;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace NeuralFP.Functions.Tests.Telemetry;

/// <summary>
/// An app whose worker runs in the test process with its OpenTelemetry pipelines also exporting to memory, with one ready model. The service's source and meter
/// are process-wide, so other test apps' signals land here too: tests pick theirs by this fixture's model id.
/// </summary>
public sealed class TelemetryFixture : IAsyncLifetime
{
    public const string ModelId = "otel-cnn";

    private readonly List<Activity> _spans = [];
    private readonly List<MetricSnapshot> _metrics = [];
    private readonly List<LogRecord> _logs = [];

    public TestApp App { get; private set; } = null!;
    public ModelRecord Ready { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        // In this process (not a worker process), so that the exporters can be attached to the worker's pipelines.
        App = await TestApp.StartAsync(
            // No exporter is configured: the pipeline is built for the in-memory exporters attached below.
            settings: [StorageNames.Setting(Hosting.SettingNames.TelemetryWithoutExporter, "true")],
            configure: builder =>
            {
                builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(_spans));
                // Exports only when a test collects (no periodic export), so each collection is one complete batch.
                builder.Services.ConfigureOpenTelemetryMeterProvider(metrics => metrics.AddInMemoryExporter(_metrics,
                    reader => reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = Timeout.Infinite));
                builder.Services.ConfigureOpenTelemetryLoggerProvider(logging => logging.AddInMemoryExporter(_logs));
            });
        // Built by the job on the test's own adapters, in this process, so its build is measured by the same meter.
        Ready = await TestModels.BuildReadyInProcessAsync(App, ModelId);
    }

    public async Task DisposeAsync() => await App.DisposeAsync();

    /// <summary>The service's spans of this fixture's model so far (the exporter appends under its own lock; copy under retry).</summary>
    public IReadOnlyList<Activity> Spans(string name) => Snapshot(_spans)
        .Where(a => a.Source.Name == "NeuralFP" && a.OperationName == name && Equals(a.GetTagItem("neuralfp.model.id"), ModelId))
        .ToList();

    public IReadOnlyList<Activity> AllSpans() => Snapshot(_spans);

    public IReadOnlyList<LogRecord> Logs() => Snapshot(_logs);

    /// <summary>
    /// Collects the meters now and returns <paramref name="name"/>'s points from that collection. Every app in the test
    /// process has its own meter named NeuralFP, so one collection may hold several streams of the same name.
    /// </summary>
    public IReadOnlyList<MetricPoint> Points(string name)
    {
        var start = Snapshot(_metrics).Length;
        App.Worker!.Provider.GetRequiredService<MeterProvider>().ForceFlush();
        return Snapshot(_metrics).Skip(start).Where(m => m.Name == name).SelectMany(m => m.MetricPoints).ToList();
    }

    public static object? Tag(MetricPoint point, string key)
    {
        foreach (var tag in point.Tags)
            if (tag.Key == key) return tag.Value;
        return null;
    }

    private static T[] Snapshot<T>(List<T> list)
    {
        while (true)
        {
            try
            {
                lock (list) return [.. list];
            }
            catch (ArgumentException)
            {
                // The exporter grew the list while it was being copied: copy again.
            }
        }
    }
}
