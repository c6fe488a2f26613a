namespace NeuralFP.Core.Fingerprints;

/// <summary>One detector's scores for a batch (higher = more OOD), its calibrated verdicts and p-values.</summary>
public sealed record DetectorScores(string Detector, double[] Scores, bool[] Ood, double[] PValues, double Threshold);
