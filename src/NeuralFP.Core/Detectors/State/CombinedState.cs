namespace NeuralFP.Core.Detectors.State;

/// <summary>The combined detector: its members (resolved from the same detector set on load), rule and per-member held-out scores.</summary>
public sealed record CombinedState : DetectorState
{
    public string[] Members { get; init; } = [];

    public string Rule { get; init; } = CombinedDetector.FisherRule;

    /// <summary>Per member, its sorted scores on held-out in-distribution records (conformal p-values come from them).</summary>
    public double[][] HeldOutScores { get; init; } = [];

    /// <summary>The Gaussian rule's density (null for the p-value rules).</summary>
    public CombinedGaussianState? Gaussian { get; init; }

    /// <summary>Per member its weight (the weighted-min-p and fisher-decorrelated rules; absent for the others, so their state reads as before).</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public double[]? Weights { get; init; }

    /// <summary>The fingerprint's share of the false-positive budget (the weighted rules; null for the others).</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public double? FingerprintShare { get; init; }

    /// <summary>The density's cross-fitted scores on the held-out records, sorted (the fingerprint-or-density rule; absent for the others).</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public double[]? DensityHeldOutScores { get; init; }

    /// <summary>"interpolated" (p-values interpolated between neighbouring held-out scores, written since 2026-12-01);
    /// absent = the stepped p-values of detectors saved before, which load and score as they were calibrated.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public string? PValues { get; init; }

    public const string InterpolatedPValues = "interpolated";
}

/// <summary>The combined detector's Gaussian over the fingerprint's log statistics and the partners' standardised scores.</summary>
public sealed record CombinedGaussianState
{
    public bool[] Statistics { get; init; } = [];

    public double[] LogFloor { get; init; } = [];

    public double[] PartnerMean { get; init; } = [];

    public double[] PartnerScale { get; init; } = [];

    public double[] Mean { get; init; } = [];

    public double[] InverseCholesky { get; init; } = [];

    /// <summary>Per predicted class its mean (the per-class Gaussian rule); null = one mean.</summary>
    public double[][]? ClassMeans { get; init; }

    /// <summary>The neighbours rules' whitened held-out vectors, [rows, dimension] row-major (absent for the Gaussian rules,
    /// so their state reads as before).</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public float[]? NeighbourBank { get; init; }

    /// <summary>Per banked vector its predicted class (the neighbours-per-class rule).</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public int[]? NeighbourClasses { get; init; }

    /// <summary>k of the neighbours rules' k-NN density.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public int? Neighbours { get; init; }
}
