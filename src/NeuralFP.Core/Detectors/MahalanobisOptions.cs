namespace NeuralFP.Core.Detectors;

/// <summary>Options for <see cref="MahalanobisDetector"/>.</summary>
public sealed record MahalanobisOptions
{
    /// <summary>
    /// Shrinkage δ of the tied covariance toward (trace/D)·I: Σ* = (1 − δ)·S + δ·(tr S / D)·I.
    /// Null estimates δ with Ledoit–Wolf (2004); a number in [0, 1] fixes it.
    /// </summary>
    public double? Shrinkage { get; init; }

    /// <summary>Group the reference records by their true labels when <see cref="DetectorInputs.Labels"/> has them, else by the predicted class.</summary>
    public bool PreferLabels { get; init; } = true;

    internal void Validate()
    {
        if (Shrinkage is { } s && !(s >= 0 && s <= 1))
            throw new ArgumentOutOfRangeException(nameof(Shrinkage), s, "Mahalanobis shrinkage must be in [0, 1], or null for the Ledoit–Wolf estimate.");
    }
}
