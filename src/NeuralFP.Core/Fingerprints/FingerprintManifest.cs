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

    public required CalibrationSummary Calibration { get; init; }

    public required FingerprintOptions Options { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required double BuildSeconds { get; init; }
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
    float[] Scale);

/// <summary>How the thresholds were calibrated and how the rule did on the records it was calibrated on.</summary>
public sealed record CalibrationSummary(
    int ReferenceRecords,
    int TrainRecords,
    int ValidationRecords,
    int HeldOutRecords,
    double TargetFpr,
    double RealisedFpr,
    double LayerAlpha,
    bool TwoSided);
