using NeuralFP.Core.Detectors;
using NeuralFP.Core.Explanations;
using NeuralFP.Core.Fingerprints;
using NeuralFP.Core.Matching;
using NeuralFP.Core.Verdicts;

namespace NeuralFP.Client;

/// <summary>
/// Fingerprint verdicts per record, in order: what a gateway acts on, with each record's per-layer evidence when asked
/// for (<see cref="VerdictsOptions.Layers"/>); the layers' thresholds once; <see cref="Explanations"/> when asked for
/// (<see cref="VerdictsOptions.Explain"/>).
/// </summary>
/// <param name="Detail">"verdict" or "layers" (each verdict carries <see cref="RecordVerdict.Layers"/>).</param>
/// <param name="Layers">The fingerprint's layers in order with their thresholds (the same for every record).</param>
public sealed record VerdictsResponse(string ModelId, int ModelVersion, int Records, int OodRecords, string Detail,
    IReadOnlyList<LayerThresholds> Layers, IReadOnlyList<RecordVerdict> Verdicts, IReadOnlyList<VerdictExplanation>? Explanations = null)
{
    /// <summary>The full verdicts (every field of the in-process <see cref="Verdict"/>), from an answer asked for with <see cref="VerdictsOptions.Layers"/>.</summary>
    /// <exception cref="InvalidOperationException">The answer carries no per-layer detail.</exception>
    public IReadOnlyList<Verdict> ToVerdicts() => Verdicts.Select(v => v.ToVerdict(Layers)).ToArray();
}

/// <summary>Verdicts of one detector fitted beside the fingerprint (<c>?detector=name</c>).</summary>
public sealed record DetectorVerdictsResponse(string ModelId, int ModelVersion, string Detector, double Threshold, double TargetFpr,
    bool KeepsReferenceData, int Records, int OodRecords, IReadOnlyList<DetectorVerdict> Verdicts);

/// <summary>Ready models ranked by fit (rank 1 best) and the ones skipped because the records do not fit their input.</summary>
public sealed record MatchResponse(int Records, IReadOnlyList<MatchResult> Matches, IReadOnlyList<SkippedModel> Skipped);

public sealed record SkippedModel(string ModelId, string Reason);

/// <summary>A model: status (pending, fingerprinting, ready, failed), versions, layers, calibration, hashes, drift flag, timestamps.</summary>
public sealed record ModelView(
    string ModelId,
    string Status,
    string? FailureReason,
    int? CurrentVersion,
    int LatestVersion,
    int? BuildingVersion,
    IReadOnlyList<string> Layers,
    int[]? InputShape,
    CalibrationSummary? Calibration,
    ModelHashes? Hashes,
    double? BuildSeconds,
    bool DriftAlarm,
    DateTimeOffset? DriftAlarmSince,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? BuildStartedAt,
    DateTimeOffset? ReadyAt)
{
    /// <summary>Detectors fitted beside the current fingerprint: the names <see cref="NeuralFpClient.GetDetectorVerdictsAsync"/> accepts.</summary>
    public IReadOnlyList<string> Detectors { get; init; } = [];
}

/// <summary>SHA-256 (lowercase hex) of the current fingerprint's inputs.</summary>
public sealed record ModelHashes(string Model, string Reference, string Options);

internal sealed record ModelList(IReadOnlyList<ModelView> Models);

/// <summary>The drift test of a model's current fingerprint (see the service's README, "Drift alarms").</summary>
public sealed record DriftView(
    string ModelId,
    int ModelVersion,
    int WindowSize,
    int Count,
    int OodCount,
    double Rate,
    double ExpectedRate,
    double PValue,
    double Alpha,
    int MinimumRecords,
    bool Alarm,
    DateTimeOffset? AlarmSince,
    int AlarmsRaised,
    long LastDayRecords,
    long LastDayOodRecords,
    double? LastDayRate,
    long TotalRecords,
    DateTimeOffset? UpdatedAt);

/// <summary>The health answer; <see cref="Status"/> is <c>healthy</c> when storage answers.</summary>
public sealed record HealthReport(string Status, string Storage, string Mode, string Version)
{
    public bool IsHealthy => string.Equals(Status, "healthy", StringComparison.OrdinalIgnoreCase);
}

/// <summary>Options of a verdicts request.</summary>
public sealed record VerdictsOptions
{
    /// <summary>Each verdict also carries its per-layer evidence (error, p-value, fired; <c>?detail=layers</c>).</summary>
    public bool Layers { get; init; }

    /// <summary>Add one explanation per verdict (deciding layer, top input features, heatmap).</summary>
    public bool Explain { get; init; }

    /// <summary>Input features per explanation (1–1000; null = the service's default, 10).</summary>
    public int? Top { get; init; }
}

/// <summary>
/// The fingerprint archive of a model's current version, or <see cref="NotModified"/> when the caller's ETag is still
/// current. Dispose it to release the response.
/// </summary>
public sealed class FingerprintDownload : IAsyncDisposable, IDisposable
{
    private readonly HttpResponseMessage _response;

    internal FingerprintDownload(HttpResponseMessage response, Stream? content)
    {
        _response = response;
        Content = content;
        NotModified = response.StatusCode == System.Net.HttpStatusCode.NotModified;
        ETag = response.Headers.ETag?.ToString();
        ModelSha256 = Header(response, NeuralFpClient.ModelSha256Header);
        Version = int.TryParse(Header(response, NeuralFpClient.ModelVersionHeader), System.Globalization.CultureInfo.InvariantCulture, out var v) ? v : null;
    }

    /// <summary>True for a 304: the archive the caller holds (its ETag) is still the current one; <see cref="Content"/> is null.</summary>
    public bool NotModified { get; }

    /// <summary>The archive's strong entity tag (quoted), to send as <c>ifNoneMatch</c> next time.</summary>
    public string? ETag { get; }

    /// <summary>The fingerprint version (from <c>X-NeuralFP-Model-Version</c>).</summary>
    public int? Version { get; }

    /// <summary>SHA-256 of the model the fingerprint belongs to (from <c>X-NeuralFP-Model-Sha256</c>).</summary>
    public string? ModelSha256 { get; }

    /// <summary>The zip archive, streamed from the response (read it with <c>EdgeFingerprint.LoadAsync</c>); null when not modified.</summary>
    public Stream? Content { get; }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    public async ValueTask DisposeAsync()
    {
        if (Content is not null) await Content.DisposeAsync().ConfigureAwait(false);
        _response.Dispose();
    }

    public void Dispose()
    {
        Content?.Dispose();
        _response.Dispose();
    }
}
