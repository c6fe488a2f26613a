using NeuralFP.Core.Shifts;

namespace NeuralFP.Functions.Reports;

/// <summary>Everything the fingerprint report page shows for one model version.</summary>
/// <param name="ModelId">The model's ID.</param>
/// <param name="Version">The fingerprint version the figures belong to.</param>
/// <param name="SelfCheck">How well the fingerprint saw the build's shifted calibration records; null for fingerprints built without.</param>
/// <param name="GeneratedAt">When the page was made.</param>
/// <param name="Layers">Per-layer error distributions and thresholds, in fingerprint order.</param>
/// <param name="Calibration">How the thresholds were calibrated.</param>
/// <param name="Drift">Recent verdict statistics, or null when none were recorded.</param>
/// <param name="BatchLabel">Name of the posted batch whose errors the layers carry, if any.</param>
/// <param name="Unusual">The posted batch's most unusual records with their explanations, most unusual first; null without a batch.</param>
/// <param name="Integration">How the verdict joins the fingerprint's statistics, and what it leaves out; null when unknown.</param>
/// <param name="Detectors">The detectors beside the fingerprint (<c>?detector=</c>) and how each calibrated; null or empty for none.</param>
public sealed record ReportModel(
    string ModelId,
    string Version,
    DateTimeOffset GeneratedAt,
    IReadOnlyList<LayerReport> Layers,
    CalibrationSummary Calibration,
    DriftSummary? Drift = null,
    string? BatchLabel = null,
    IReadOnlyList<UnusualRecord>? Unusual = null,
    SelfCheckSummary? SelfCheck = null,
    NeuralFP.Core.Verdicts.IntegrationSummary? Integration = null,
    IReadOnlyList<NeuralFP.Core.Fingerprints.DetectorSummary>? Detectors = null)
{
    /// <summary>Records in the posted batch (0 without one).</summary>
    public int BatchSize => Layers.Count > 0 && Layers[0].BatchErrors is { } errors ? errors.Length : 0;

    public bool HasBatch => Layers.Any(l => l.BatchErrors is not null);

    /// <summary>Throws with a message naming the first thing that cannot be drawn.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(ModelId))
        {
            throw new ArgumentException("The report needs a model ID.", nameof(ModelId));
        }

        ArgumentNullException.ThrowIfNull(Layers);
        ArgumentNullException.ThrowIfNull(Calibration);
        if (Layers.Count == 0)
        {
            throw new ArgumentException("The report needs at least one layer; the fingerprint has none.", nameof(Layers));
        }

        foreach (var layer in Layers)
        {
            ArgumentNullException.ThrowIfNull(layer, nameof(Layers));
            layer.Validate();
        }

        if (HasBatch)
        {
            int size = Layers[0].BatchErrors?.Length ?? -1;
            if (Layers.Any(l => l.BatchErrors is null || l.BatchErrors.Length != size))
            {
                throw new ArgumentException(
                    "A posted batch must carry one error per record for every layer (same count in each).", nameof(Layers));
            }
        }
    }
}
