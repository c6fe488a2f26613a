namespace NeuralFP.Functions.Reports;

/// <summary>How the fingerprint's thresholds were calibrated.</summary>
/// <param name="TargetFpr">The false-positive rate the whole rule was calibrated to.</param>
/// <param name="RealisedFpr">The rate the rule gives on the held-out reference records.</param>
/// <param name="ReferenceRecords">Reference records the fingerprint was built from.</param>
/// <param name="HeldOutRecords">Of those, the held-out records the error distributions and thresholds come from.</param>
/// <param name="TwoSided">Whether small errors (below μ) count as outliers too.</param>
/// <param name="NewDataFpr">Where the rate on new in-distribution records lies with 90% probability; null for fingerprints built before.</param>
/// <param name="UnseenFrom">The first reference record the model never trained on, when the thresholds were set on those records only.</param>
public sealed record CalibrationSummary(
    double TargetFpr,
    double RealisedFpr,
    int ReferenceRecords,
    int HeldOutRecords,
    bool TwoSided,
    Core.Metrics.FprInterval? NewDataFpr = null,
    int? UnseenFrom = null);
