namespace NeuralFP.Core.Detectors;

/// <summary>How per-node p-values become one score per record (both higher = more OOD).</summary>
public enum PValueCombination
{
    /// <summary>Fisher's statistic −2·Σ ln p_j. Nodes are dependent, so it is a score, not a calibrated p-value.</summary>
    Fisher,

    /// <summary>−ln of the Bonferroni-corrected smallest p-value, min(1, D·min_j p_j).</summary>
    MinBonferroni,
}
