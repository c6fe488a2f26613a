namespace NeuralFP.Core.Detectors;

/// <summary>One detector's judgement of one record.</summary>
/// <param name="Detector">The detector's name.</param>
/// <param name="Score">Higher = more OOD.</param>
/// <param name="Ood">Score above the calibrated threshold.</param>
/// <param name="PValue">Conformal p-value of the score against the held-out in-distribution scores.</param>
/// <param name="Threshold">The calibrated threshold.</param>
public sealed record DetectorVerdict(string Detector, double Score, bool Ood, double PValue, double Threshold);
