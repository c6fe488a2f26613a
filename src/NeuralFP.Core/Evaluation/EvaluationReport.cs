using NeuralFP.Core.Metrics;

namespace NeuralFP.Core.Evaluation;

/// <summary>One detector on one OOD set, OOD as the positive class (OpenOOD's convention).</summary>
/// <param name="DetectionRate">Share of the OOD set flagged at the detector's calibrated threshold (TPR), where it has one.</param>
public sealed record EvaluationRow(string Detector, string OodSet, OodMetricsResult Metrics, double? DetectionRate);

/// <param name="RealisedFpr">Share of the in-distribution set the fingerprint's calibrated rule flags.</param>
/// <param name="TargetFpr">The FPR the rule was calibrated for.</param>
public sealed record EvaluationReport(string InDistributionSet, int InDistributionRecords, double TargetFpr, double RealisedFpr, IReadOnlyList<EvaluationRow> Rows)
{
    /// <summary>Per detector: realised FPR on the in-distribution set, scoring throughput, fit time, state size.</summary>
    public IReadOnlyList<DetectorEvaluation> Detectors { get; init; } = [];

    public const string Convention = "OOD is the positive class (OpenOOD convention): AUROC, AUPR-Out and FPR@95%TPR treat OOD records as positives; AUPR-In treats in-distribution records as positives.";
}

/// <param name="RealisedFpr">Share of the in-distribution set flagged at the detector's calibrated threshold.</param>
/// <param name="RecordsPerSecond">Scoring throughput including the forward pass, on the in-distribution set.</param>
/// <param name="FitSeconds">Fit time (for the fingerprint: the whole build).</param>
/// <param name="StateBytes">Size of what it stores (for the fingerprint: scorer.onnx, model included).</param>
public sealed record DetectorEvaluation(string Detector, double RealisedFpr, double RecordsPerSecond, double? FitSeconds, long? StateBytes, bool KeepsReferenceData);
