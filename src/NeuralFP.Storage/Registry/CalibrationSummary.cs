namespace NeuralFP.Storage.Registry;

/// <summary>What the fingerprint's calibration achieved, copied from its manifest for the registry and the API.</summary>
/// <param name="TargetFpr">The false-positive rate the thresholds were calibrated for.</param>
/// <param name="RealisedFpr">The rule's false-positive rate on the held-out reference records; null if the manifest does not say.</param>
/// <param name="ReferenceRecords">Records in the reference set.</param>
public sealed record CalibrationSummary(double TargetFpr, double? RealisedFpr, int ReferenceRecords);
