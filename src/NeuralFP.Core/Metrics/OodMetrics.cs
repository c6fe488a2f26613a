using System.Numerics.Tensors;

namespace NeuralFP.Core.Metrics;

/// <summary>Threshold-free OOD metrics over ID and OOD scores, OOD as the positive class.</summary>
public static class OodMetrics
{
    private const double TargetTpr = 0.95;

    /// <summary>
    /// Scores are higher = more OOD. Ties are handled exactly: records with equal scores are one threshold step
    /// (as scikit-learn's roc_curve and average_precision_score do), never ordered arbitrarily. O(n log n).
    /// </summary>
    /// <exception cref="ArgumentException">Either set is empty or holds a NaN score.</exception>
    public static OodMetricsResult Compute(ReadOnlySpan<double> inDistributionScores, ReadOnlySpan<double> outOfDistributionScores)
    {
        CheckScores(inDistributionScores, "in-distribution", nameof(inDistributionScores));
        CheckScores(outOfDistributionScores, "out-of-distribution", nameof(outOfDistributionScores));

        var blocks = TieBlocks.Build(inDistributionScores, outOfDistributionScores);
        double positives = outOfDistributionScores.Length, negatives = inDistributionScores.Length;

        // Walk thresholds from the highest score down; each block of equal scores enters at once.
        double pairs = 0, outAbove = 0, tp = 0, fp = 0, fpr95 = 1;
        bool reached = false;
        for (int b = blocks.Count - 1; b >= 0; b--)
        {
            double outB = blocks.Out[b], inB = blocks.In[b];
            pairs += inB * (outAbove + 0.5 * outB);
            outAbove += outB;
            tp += outB;
            fp += inB;
            if (!reached && tp / positives >= TargetTpr)
            {
                fpr95 = fp / negatives;
                reached = true;
            }
        }

        double auprOut = AveragePrecision(blocks.Out, blocks.In, blocks.Count, descending: true, positives);
        double auprIn = AveragePrecision(blocks.In, blocks.Out, blocks.Count, descending: false, negatives);
        return new OodMetricsResult(pairs / (positives * negatives), auprIn, auprOut, fpr95,
            inDistributionScores.Length, outOfDistributionScores.Length);
    }

    /// <summary>Σ_k (R_k − R_{k−1})·P_k over thresholds, one per block of equal scores.</summary>
    private static double AveragePrecision(int[] positiveCounts, int[] negativeCounts, int count, bool descending, double positives)
    {
        double tp = 0, fp = 0, previousRecall = 0, ap = 0;
        for (int i = 0; i < count; i++)
        {
            int b = descending ? count - 1 - i : i;
            tp += positiveCounts[b];
            fp += negativeCounts[b];
            if (positiveCounts[b] == 0) continue; // recall unchanged: contributes nothing
            double recall = tp / positives;
            ap += (recall - previousRecall) * (tp / (tp + fp));
            previousRecall = recall;
        }
        return ap;
    }

    private static void CheckScores(ReadOnlySpan<double> scores, string what, string paramName)
    {
        if (scores.IsEmpty)
            throw new ArgumentException($"OOD metrics need at least one {what} score.", paramName);
        if (TensorPrimitives.IsNaNAny(scores))
            throw new ArgumentException($"{char.ToUpperInvariant(what[0])}{what[1..]} score {scores.IndexOf(double.NaN)} is NaN; scores must be numbers (±infinity is allowed).", paramName);
    }
}
