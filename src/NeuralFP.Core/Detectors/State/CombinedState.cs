namespace NeuralFP.Core.Detectors.State;

/// <summary>The combined detector: its members (resolved from the same detector set on load), rule and per-member held-out scores.</summary>
public sealed record CombinedState : DetectorState
{
    public string[] Members { get; init; } = [];

    public string Rule { get; init; } = CombinedDetector.FisherRule;

    /// <summary>Per member, its sorted scores on held-out in-distribution records (conformal p-values come from them).</summary>
    public double[][] HeldOutScores { get; init; } = [];
}
