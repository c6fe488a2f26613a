using NeuralFP.Core.Metrics;

namespace NeuralFP.Core.Evaluation;

/// <summary>One detector on one OOD set, OOD as the positive class (OpenOOD's convention).</summary>
/// <param name="DetectionRate">Share of the OOD set flagged at the detector's calibrated threshold (TPR), where it has one.</param>
public sealed record EvaluationRow(string Detector, string OodSet, OodMetricsResult Metrics, double? DetectionRate);

/// <param name="RealisedFpr">Share of the in-distribution set the fingerprint's calibrated rule flags.</param>
/// <param name="TargetFpr">The FPR the rule was calibrated for.</param>
public sealed record EvaluationReport(string InDistributionSet, int InDistributionRecords, double TargetFpr, double RealisedFpr, IReadOnlyList<EvaluationRow> Rows)
{
    public const string Convention = "OOD is the positive class (OpenOOD convention): AUROC, AUPR-Out and FPR@95%TPR treat OOD records as positives; AUPR-In treats in-distribution records as positives.";
}
