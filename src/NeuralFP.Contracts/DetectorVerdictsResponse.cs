using NeuralFP.Core.Detectors;

namespace NeuralFP.Contracts;

/// <summary>
/// Verdicts for each posted record, in order, from one of the detectors fitted beside the fingerprint
/// (<c>?detector=name</c>). Each verdict carries the detector's score (higher = more OOD), its calibrated
/// threshold and the record's p-value against the held-out in-distribution scores.
/// </summary>
/// <param name="ModelId">The model's ID.</param>
/// <param name="ModelVersion">The fingerprint version whose detector judged the records.</param>
/// <param name="Detector">The detector's name (as in ?detector=).</param>
/// <param name="Threshold">The detector's calibrated threshold: scores above it are OOD.</param>
/// <param name="Records">Records judged.</param>
/// <param name="OodRecords">Of those, records judged out of distribution.</param>
/// <param name="Verdicts">One verdict per posted record, in order.</param>
/// <param name="TargetFpr">False-positive rate the threshold was calibrated for.</param>
/// <param name="KeepsReferenceData">True when the detector stores reference features (k-NN keeps a subsample of the reference set).</param>
/// <param name="NewDataFpr">Where the threshold's rate on new in-distribution records lies with 90% probability, from the
/// held-out records that set it (fewer than the fingerprint's on a small reference, so wider).</param>
public sealed record DetectorVerdictsResponse(
    string ModelId,
    int ModelVersion,
    string Detector,
    double Threshold,
    double TargetFpr,
    bool KeepsReferenceData,
    int Records,
    int OodRecords,
    IReadOnlyList<DetectorVerdict> Verdicts,
    NeuralFP.Core.Metrics.FprInterval? NewDataFpr = null);
