using NeuralFP.Core.Detectors;

namespace NeuralFP.Functions.Contracts;

/// <summary>
/// Verdicts for each posted record, in order, from one of the detectors fitted beside the fingerprint
/// (<c>?detector=name</c>). Each verdict carries the detector's score (higher = more OOD), its calibrated
/// threshold and the record's p-value against the held-out in-distribution scores.
/// </summary>
/// <param name="TargetFpr">False-positive rate the threshold was calibrated for.</param>
/// <param name="KeepsReferenceData">True when the detector stores reference features (k-NN keeps a subsample of the reference set).</param>
public sealed record DetectorVerdictsResponse(
    string ModelId,
    int ModelVersion,
    string Detector,
    double Threshold,
    double TargetFpr,
    bool KeepsReferenceData,
    int Records,
    int OodRecords,
    IReadOnlyList<DetectorVerdict> Verdicts);
