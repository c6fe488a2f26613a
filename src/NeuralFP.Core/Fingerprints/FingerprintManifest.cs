using NeuralFP.Core.Verdicts;

namespace NeuralFP.Core.Fingerprints;

/// <summary>Contents of <c>fingerprint.json</c>: everything needed to score with <c>scorer.onnx</c> and to explain a verdict.</summary>
public sealed record FingerprintManifest
{
    /// <summary>Bumped on any incompatible change; readers reject versions they do not know.</summary>
    public const int CurrentFormatVersion = 1;

    public int FormatVersion { get; init; } = CurrentFormatVersion;

    /// <summary>SHA-256 of the original model file.</summary>
    public required string ModelSha256 { get; init; }

    /// <summary>SHA-256 of the reference records as float32 (little-endian, C order).</summary>
    public required string ReferenceSha256 { get; init; }

    public required string InputName { get; init; }

    /// <summary>Record shape the model accepts (batch dimension removed).</summary>
    public required int[] InputShape { get; init; }

    /// <summary>The model's own outputs, first in the scorer's outputs; the first is read as logits (or probabilities).</summary>
    public required IReadOnlyList<string> ModelOutputs { get; init; }

    /// <summary>True when the model's first output is already a probability vector (graph ends in Softmax).</summary>
    public required bool OutputIsProbability { get; init; }

    public required IReadOnlyList<FingerprintLayer> Layers { get; init; }

    /// <summary>The calibrated one-out rule: per-layer error quantiles and thresholds.</summary>
    public required OneOutRule Rule { get; init; }

    /// <summary>
    /// The integrated score that decides verdicts (Fisher or Gaussian), calibrated on held-out errors; null when
    /// the one-out <see cref="Rule"/> decides (and for artifacts built before integrations existed).
    /// </summary>
    public LayerIntegration? Integration { get; init; }

    /// <summary>scorer.onnx's [N] outputs of the input record's complexity measures (<see cref="Activations.InputComplexity"/>),
    /// which the integration reads after the latent distances; null for a fingerprint without them (every one built before).</summary>
    public IReadOnlyList<string>? InputComplexityOutputs { get; init; }

    /// <summary>scorer.onnx's [N] output of the input layer's largest regional error (<see cref="Activations.InputRegionalError"/>),
    /// which the integration reads after the complexity measures; null for a fingerprint without it (every one built before).</summary>
    public string? InputRegionalErrorOutput { get; init; }

    /// <summary>scorer.onnx's [N] output of a table's marginal surprise (<see cref="Activations.InputMarginals"/>), which the
    /// integration reads after the regional error; null for a fingerprint without it (images, and every one built before).</summary>
    public string? InputMarginalsOutput { get; init; }

    /// <summary>The statistics of the input record the integration reads after the latent distances, in its order: the
    /// complexity measures, the regional error, then the marginal surprise.</summary>
    public IReadOnlyList<string> InputStatisticOutputs() =>
        [.. InputComplexityOutputs ?? [], .. InputRegionalErrorOutput is { } regional ? [regional] : Array.Empty<string>(),
            .. InputMarginalsOutput is { } marginals ? [marginals] : Array.Empty<string>()];

    public required CalibrationSummary Calibration { get; init; }

    public required FingerprintOptions Options { get; init; }

    /// <summary>The other detectors fitted beside the fingerprint (state in detectors.json).</summary>
    public IReadOnlyList<DetectorSummary> Detectors { get; init; } = [];

    /// <summary>Extra scorer.onnx outputs the other detectors read; empty when none were fitted.</summary>
    public DetectorOutputs DetectorOutputs { get; init; } = new(null, null);

    /// <summary>How closely scorer.onnx reproduces the autoencoders' errors on the held-out records.</summary>
    public required FusionCheck Fusion { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required double BuildSeconds { get; init; }

    /// <summary>How well the fingerprint told shifted calibration records from in-distribution ones at build
    /// (<see cref="FingerprintOptions.SelfCheckRecords"/>); null for fingerprints built without it.</summary>
    public Shifts.SelfCheckSummary? SelfCheck { get; init; }
}

/// <summary>One fingerprinted layer: where it is tapped, how it is pooled and standardised, its autoencoder.</summary>
public sealed record FingerprintLayer(
    string Name,
    string OpType,
    int[] TapShape,
    string Pooling,
    int Features,
    string ErrorOutput,
    string AutoencoderKind,
    int[] AutoencoderWidths,
    int Epochs,
    bool StoppedEarly,
    double TrainError,
    double ValidationError,
    double HeldOutMedianError,
    float[] Mean,
    float[] Scale)
{
    /// <summary>scorer.onnx's [N] output of the latent code's squared Mahalanobis distance; null when the layer has none.</summary>
    public string? LatentOutput { get; init; }

    /// <summary>Means of the training records' latent codes, one row per predicted class (or one overall), or the sampled training codes themselves (latentNeighbours), [rows, latent] row-major (to recompute <see cref="LatentOutput"/> outside the graph).</summary>
    public float[]? LatentMeans { get; init; }

    /// <summary>The latent whitening W, [latent, latent] row-major: distance = min_c ‖(h − μ_c)·W‖².</summary>
    public float[]? LatentWhitening { get; init; }
}

/// <summary>How the thresholds were calibrated and how the rule did on the records it was calibrated on.</summary>
/// <param name="ReferenceRecords">Reference records the fingerprint was built from.</param>
/// <param name="TrainRecords">Of those, records the autoencoders were trained on.</param>
/// <param name="ValidationRecords">Of those, records that decided when the autoencoders' training stopped.</param>
/// <param name="HeldOutRecords">Of those, held-out records the error distributions and thresholds come from.</param>
/// <param name="TargetFpr">The false-positive rate the whole rule was calibrated to (0-1).</param>
/// <param name="RealisedFpr">The rate the rule gives on the held-out records (0-1).</param>
/// <param name="LayerAlpha">Per-layer tail probability the thresholds were set at so that the whole rule meets the target.</param>
/// <param name="TwoSided">Whether errors below μ count as outliers too (else only errors above τ).</param>
/// <param name="NewDataFpr">Where the verdict's false-positive rate on new in-distribution records lies with 90% probability,
/// given how many held-out records set its threshold (<see cref="Metrics.FprInterval"/>); null in fingerprints built before.</param>
/// <param name="UnseenFrom">The first reference record the model never trained on, when the build was told
/// (<see cref="FingerprintOptions.UnseenFrom"/>): the held-out and validation records all come from there on. Null otherwise.</param>
public sealed record CalibrationSummary(
    int ReferenceRecords,
    int TrainRecords,
    int ValidationRecords,
    int HeldOutRecords,
    double TargetFpr,
    double RealisedFpr,
    double LayerAlpha,
    bool TwoSided,
    Metrics.FprInterval? NewDataFpr = null,
    int? UnseenFrom = null);

/// <summary>Outputs of scorer.onnx beyond the model's and the layer errors.</summary>
/// <param name="Penultimate">The penultimate features, for Mahalanobis, k-NN, patterns, histograms, Gaussian-KL.</param>
/// <param name="DiceLogits">DICE's sparsified last layer, computed inside the graph.</param>
public sealed record DetectorOutputs(string? Penultimate, string? DiceLogits)
{
    /// <summary>The logits before a Softmax or LogSoftmax output, tapped when the model outputs (log-)probabilities (msp and energy read them).</summary>
    public string? Logits { get; init; }

    public IReadOnlyList<string> Names => new[] { Penultimate, DiceLogits, Logits }.OfType<string>().ToArray();
}

/// <summary>One detector fitted beside the fingerprint: what it is, what it cost, how it calibrated.</summary>
/// <param name="Name">The detector's name, as <c>?detector=</c> takes it.</param>
/// <param name="Description">What it reads and how it scores, with its citation.</param>
/// <param name="FitSeconds">How long fitting and calibrating it took at build.</param>
/// <param name="StateBytes">The size of its saved state in the fingerprint.</param>
/// <param name="RealisedFpr">FPR at its threshold on the held-out records it was calibrated on.</param>
/// <param name="KeepsReferenceData">True for k-NN, which stores a subsample of reference features.</param>
/// <param name="NewDataFpr">Where its rate on new in-distribution records lies with 90% probability, given how many
/// held-out records set its threshold (<see cref="Metrics.FprInterval"/>; detectors set theirs on the held-out records
/// alone, fewer than the fingerprint's calibration records, so theirs is the wider one); null in fingerprints built before.</param>
public sealed record DetectorSummary(string Name, string Description, double FitSeconds, long StateBytes, double RealisedFpr, bool KeepsReferenceData,
    Metrics.FprInterval? NewDataFpr = null)
{
    /// <summary>The summary of a detector just calibrated: its figures and its threshold's interval on new data.</summary>
    internal static DetectorSummary Of(Detectors.CalibratedDetector detector, double fitSeconds) =>
        new(detector.Name, detector.Detector.Description, fitSeconds, detector.StateBytes, detector.RealisedFpr, detector.Detector.KeepsReferenceData,
            detector.Calibration.NewDataFprInterval());

    /// <summary>The build log's line for it.</summary>
    internal string Describe() =>
        $"realised FPR {RealisedFpr:P2} on {NewDataFpr?.CalibrationRecords:N0} held-out records; on new in-distribution data {NewDataFpr?.Low:P1}–{NewDataFpr?.High:P1} with 90% probability.";
}
