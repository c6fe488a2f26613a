namespace NeuralFP.Core.Detectors;

/// <summary>
/// A member's evidence against its held-out in-distribution scores for the combined detector's p-value rules: −ln of a
/// conformal p-value, extended past the largest held-out score so that far-out records stay ordered.
/// </summary>
internal static class ConformalEvidence
{
    private const double Ln10 = 2.302585092994046;

    /// <summary>
    /// −ln p of a conformal p-value, interpolated between neighbouring held-out scores (so that thresholds do not sit on
    /// the p-values' lattice, where held-out records counted against n − 1 others and new records against n fall on
    /// different steps) and extended past the largest held-out score.
    /// </summary>
    /// <param name="heldOutItself">The score is one of <paramref name="sorted"/> (a held-out record): measured against the
    /// other n − 1, as a new record is against all n.</param>
    /// <param name="interpolated">False for a detector saved before interpolation: the stepped p-value (1 + #held-out ≥ s) / (n + 1)
    /// its threshold was calibrated on, so that it scores as it did.</param>
    public static double Of(double[] sorted, double tailScale, double score, bool heldOutItself, bool interpolated)
    {
        if (double.IsNaN(score)) score = double.MaxValue;
        int lo = 0, hi = sorted.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (sorted[mid] < score) lo = mid + 1; else hi = mid;
        }
        if (!interpolated)
            return -Math.Log((1.0 + sorted.Length - lo) / (sorted.Length + 1)) + (score > sorted[^1] ? Math.Min((score - sorted[^1]) / tailScale, 1e6) * Ln10 : 0);
        // Reference values: all held-out scores, or all but the record itself (the first of its equal block, at lo).
        var self = heldOutItself && sorted.Length > 1 && lo < sorted.Length;
        var m = self ? sorted.Length - 1 : sorted.Length;
        var below = lo; // reference values < score
        if (below == m)
            return Math.Log(m + 1.0) + Math.Min((score - sorted[lo - 1]) / tailScale, 1e6) * Ln10;
        if (below == 0) return 0;
        double lower = sorted[lo - 1], upper = sorted[self ? lo + 1 : lo];
        var fraction = upper > lower ? Math.Clamp((score - lower) / (upper - lower), 0, 1) : 1;
        return -Math.Log((1.0 + m - below - fraction) / (m + 1));
    }

    /// <summary>The unit of the evidence's extension past the largest held-out score: the 90%–99% quantile spread.</summary>
    public static double TailScale(double[] sorted)
    {
        double q90 = sorted[(int)(0.9 * (sorted.Length - 1))], q99 = sorted[(int)(0.99 * (sorted.Length - 1))];
        var range = sorted[^1] - sorted[0];
        return q99 - q90 > 1e-12 ? q99 - q90 : range > 1e-12 ? range : 1.0;
    }
}
