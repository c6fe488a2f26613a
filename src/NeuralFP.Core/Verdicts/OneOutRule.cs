namespace NeuralFP.Core.Verdicts;

/// <summary>
/// NeuralFP's "one-out" integration: a record is OOD iff ∃l: e_l &gt; τ_l or e_l &lt; μ_l, with the
/// thresholds calibrated so the whole rule's false-positive rate on held-out data meets the target.
/// Serialisable with System.Text.Json (all state is public properties set by the constructor).
/// </summary>
public sealed class OneOutRule
{
    public OneOutRule(
        IReadOnlyList<string> layers,
        IReadOnlyList<ErrorDistribution> distributions,
        double[] lower,
        double[] upper,
        double layerAlpha,
        bool twoSided,
        double targetFpr,
        double realisedFpr) => throw new NotImplementedException();

    /// <summary>Calibrates τ_l, μ_l on held-out errors ([layer][record]) for the target whole-rule FPR.</summary>
    public static OneOutRule Calibrate(IReadOnlyList<string> layers, IReadOnlyList<float[]> heldOutErrors, double targetFpr, bool twoSided)
        => throw new NotImplementedException();

    public IReadOnlyList<string> Layers => throw new NotImplementedException();
    public IReadOnlyList<ErrorDistribution> Distributions => throw new NotImplementedException();
    public double[] Lower => throw new NotImplementedException();
    public double[] Upper => throw new NotImplementedException();

    /// <summary>Per-layer tail level that the thresholds sit at.</summary>
    public double LayerAlpha => throw new NotImplementedException();
    public bool TwoSided => throw new NotImplementedException();
    public double TargetFpr => throw new NotImplementedException();

    /// <summary>FPR of the rule on the held-out records it was calibrated on.</summary>
    public double RealisedFpr => throw new NotImplementedException();

    /// <summary>Allocation-free decision for one record's layer errors.</summary>
    public bool IsOod(ReadOnlySpan<float> layerErrors) => throw new NotImplementedException();

    /// <summary>Allocation-free continuous score, higher = more OOD (monotone in the Bonferroni min p-value, continuous beyond the reference range).</summary>
    public double Score(ReadOnlySpan<float> layerErrors) => throw new NotImplementedException();

    public Verdict Evaluate(ReadOnlySpan<float> layerErrors, int predictedClass, double maxProbability) => throw new NotImplementedException();
}
