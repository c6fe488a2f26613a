using System.Diagnostics;
using System.Diagnostics.Metrics;
using NeuralFP.Core.Verdicts;

namespace NeuralFP.Application.Telemetry;

/// <summary>
/// The service's own spans (<see cref="ActivitySource"/> "NeuralFP") and metrics (meter "NeuralFP"): records scored,
/// OOD verdicts by the layer that decided them, scoring latency, fingerprint build duration, drift alarms.
/// Queue depth and age are observable gauges fed by the app's queue poller (<see cref="QueueGauges"/>).
/// The source, meter and instruments are process-wide, like the listeners that read them: a per-app meter would be
/// merged with others of the same name by the SDK and silenced when any of them is disposed.
/// </summary>
public sealed class ServiceTelemetry
{
    public const string Name = "NeuralFP";

    /// <summary>Sources of scored records, the value of <see cref="TelemetryTags.Source"/>.</summary>
    public const string HttpSource = "http";
    public const string QueueSource = "queue";

    public static readonly ActivitySource ActivitySource = new(Name, typeof(ServiceTelemetry).Assembly.GetName().Version?.ToString());

    private static readonly Meter SharedMeter = new(Name, typeof(ServiceTelemetry).Assembly.GetName().Version?.ToString());

    private static readonly Counter<long> SharedRecordsScored =
        SharedMeter.CreateCounter<long>("neuralfp.records.scored", "{record}", "Records judged, by model, source (http or queue) and detector.");

    private static readonly Counter<long> SharedOodVerdicts = SharedMeter.CreateCounter<long>("neuralfp.verdicts.ood", "{record}",
        "Out-of-distribution verdicts, by model and the layer that decided them (the fired layer with the smallest p-value) or the detector.");

    // Seconds: the SDK's default buckets are meant for milliseconds and would put every request in the first one.
    private static readonly Histogram<double> SharedScoringDuration = SharedMeter.CreateHistogram("neuralfp.scoring.duration", "s", "Time to score one request or queued batch.", tags: null,
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60] });

    private static readonly Histogram<double> SharedBuildDuration = SharedMeter.CreateHistogram("neuralfp.fingerprint.build.duration", "s", "Time to build a fingerprint, by model and outcome.", tags: null,
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300, 600, 1200] });

    private static readonly Counter<long> SharedDriftAlarms = SharedMeter.CreateCounter<long>("neuralfp.drift.alarms", "{alarm}", "Drift alarms raised, by model.");

    private static readonly Counter<long> SharedDriftOutcomesDropped = SharedMeter.CreateCounter<long>("neuralfp.drift.outcomes.dropped", "{record}",
        "Verdict outcomes given up before reaching the drift window, by model and reason (storage refused the content, too many model versions waiting, lost at shutdown, a queued batch's write refused).");

    private static readonly Counter<long> SharedBatchesRejected = SharedMeter.CreateCounter<long>("neuralfp.batches.rejected", "{batch}",
        "Queued score requests rejected for good (not retried), by model (when the request named one) and problem type.");

    private static readonly QueueGauges SharedQueues = new(SharedMeter);

    public Meter Meter => SharedMeter;

    public Counter<long> RecordsScored => SharedRecordsScored;

    public Counter<long> OodVerdicts => SharedOodVerdicts;

    public Histogram<double> ScoringDuration => SharedScoringDuration;

    public Histogram<double> FingerprintBuildDuration => SharedBuildDuration;

    public Counter<long> DriftAlarms => SharedDriftAlarms;

    public Counter<long> DriftOutcomesDropped => SharedDriftOutcomesDropped;

    public Counter<long> BatchesRejected => SharedBatchesRejected;

    /// <summary>Counts a queued request rejected for good; <paramref name="problemType"/> is the problem's type URI.</summary>
    public void RecordBatchRejected(string? modelId, string problemType)
        => BatchesRejected.Add(1, new KeyValuePair<string, object?>(TelemetryTags.ModelId, modelId ?? "unknown"), new KeyValuePair<string, object?>(TelemetryTags.Problem, problemType));

    /// <summary>Readings by queue name (queue names differ between apps sharing a process, as in the tests).</summary>
    public QueueGauges Queues => SharedQueues;
    /// <summary>Counts a batch of fingerprint verdicts: records scored, OOD verdicts by deciding layer, and the time it took.</summary>
    public void RecordVerdicts(string modelId, int version, string source, VerdictBatch verdicts, TimeSpan elapsed)
    {
        ArgumentNullException.ThrowIfNull(verdicts);
        var model = new KeyValuePair<string, object?>(TelemetryTags.ModelId, modelId);
        var versionTag = new KeyValuePair<string, object?>(TelemetryTags.ModelVersion, version);
        var sourceTag = new KeyValuePair<string, object?>(TelemetryTags.Source, source);
        RecordsScored.Add(verdicts.Count, model, versionTag, sourceTag, new KeyValuePair<string, object?>(TelemetryTags.Detector, "fingerprint"));
        ScoringDuration.Record(elapsed.TotalSeconds, model, sourceTag, new KeyValuePair<string, object?>(TelemetryTags.Detector, "fingerprint"));
        Dictionary<string, int>? byLayer = null;
        for (var r = 0; r < verdicts.Count; r++)
        {
            if (!verdicts.Ood[r]) continue;
            var deciding = DecidingLayer(verdicts, r);
            byLayer ??= new Dictionary<string, int>(StringComparer.Ordinal);
            byLayer[deciding] = byLayer.GetValueOrDefault(deciding) + 1;
        }
        if (byLayer is null) return;
        foreach (var (layer, count) in byLayer)
            OodVerdicts.Add(count, model, versionTag, new KeyValuePair<string, object?>(TelemetryTags.Layer, layer));
    }

    /// <summary>Counts a batch judged by one of the other detectors.</summary>
    public void RecordDetectorVerdicts(string modelId, int version, string source, string detector, int records, int ood, TimeSpan elapsed)
    {
        var model = new KeyValuePair<string, object?>(TelemetryTags.ModelId, modelId);
        var detectorTag = new KeyValuePair<string, object?>(TelemetryTags.Detector, detector);
        var sourceTag = new KeyValuePair<string, object?>(TelemetryTags.Source, source);
        RecordsScored.Add(records, model, new KeyValuePair<string, object?>(TelemetryTags.ModelVersion, version), sourceTag, detectorTag);
        ScoringDuration.Record(elapsed.TotalSeconds, model, sourceTag, detectorTag);
        if (ood > 0) OodVerdicts.Add(ood, model, new KeyValuePair<string, object?>(TelemetryTags.ModelVersion, version), detectorTag);
    }

    // The fired layer with the smallest p-value (the batch's deciding layer when one fired), else "unknown".
    private static string DecidingLayer(VerdictBatch verdicts, int record)
    {
        var deciding = verdicts.DecidingLayers[record];
        return verdicts.Fired(record)[deciding] ? verdicts.Layers[deciding] : "unknown";
    }
}
