namespace NeuralFP.Core.Metrics;

/// <summary>Threshold-free OOD metrics with OOD as the positive class (OpenOOD's convention).</summary>
public sealed record OodMetricsResult(double Auroc, double AuprIn, double AuprOut, double Fpr95, int InCount, int OutCount);

public static class OodMetrics
{
    /// <summary>Scores are higher = more OOD. Ties are handled exactly (no arbitrary ordering within a tie).</summary>
    public static OodMetricsResult Compute(ReadOnlySpan<double> inDistributionScores, ReadOnlySpan<double> outOfDistributionScores)
        => throw new NotImplementedException();
}
