namespace NeuralFP.Core.Detectors;

/// <summary>The stable names of the detectors (used in URLs, the CLI and persisted state).</summary>
public static class DetectorNames
{
    public const string MaxSoftmax = "msp";
    public const string Energy = "energy";
    public const string Dice = "dice";
    public const string Mahalanobis = "mahalanobis";
    public const string Knn = "knn";
    public const string ActivationPatterns = "activation-patterns";
    public const string NodeHistograms = "node-histograms";
    public const string GaussianKl = "gaussian-kl";

    /// <summary>Fingerprint + k-NN + energy + Mahalanobis, fixed a priori, combined by a rule fitted on held-out in-distribution records only.</summary>
    public const string Combined = "combined";

    public static IReadOnlyList<string> All { get; } =
        [MaxSoftmax, Energy, Dice, Mahalanobis, Knn, ActivationPatterns, NodeHistograms, GaussianKl, Combined];
}
