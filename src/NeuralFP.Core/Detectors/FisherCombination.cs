namespace NeuralFP.Core.Detectors;

// Fisher, "Statistical Methods for Research Workers" (1925): −2·Σ ln p_i ~ χ²(2k) under independent nulls.
/// <summary>
/// Combines two p-values per record, e.g. the fingerprint's Bonferroni layer p-value and a
/// detector's calibrated p-value (<see cref="ScoreCalibration.PValue"/>). For k = 2 the χ²(4) tail
/// has the closed form P = t·(1 − ln t), t = p₁·p₂. Both come from the same activations, so they are
/// not independent: treat the result as a score and calibrate its threshold with <see cref="ScoreCalibration"/>.
/// </summary>
public static class FisherCombination
{
    /// <summary>Fisher's combined p-value of two p-values.</summary>
    public static double PValue(double first, double second)
    {
        Check(first, nameof(first));
        Check(second, nameof(second));
        var t = first * second;
        return t <= 0 ? 0 : Math.Min(1.0, t * (1 - Math.Log(t)));
    }

    /// <summary>Fisher's statistic −2·(ln p₁ + ln p₂), higher = more OOD.</summary>
    public static double Statistic(double first, double second)
    {
        Check(first, nameof(first));
        Check(second, nameof(second));
        return -2.0 * (Math.Log(first) + Math.Log(second));
    }

    /// <summary>Per record: combined p-values of the two arrays.</summary>
    public static void PValues(ReadOnlySpan<double> first, ReadOnlySpan<double> second, Span<double> combined)
    {
        CheckLengths(first, second, combined);
        for (var i = 0; i < first.Length; i++) combined[i] = PValue(first[i], second[i]);
    }

    /// <summary>Per record: the combined score (Fisher's statistic), higher = more OOD.</summary>
    public static void Scores(ReadOnlySpan<double> first, ReadOnlySpan<double> second, Span<double> scores)
    {
        CheckLengths(first, second, scores);
        for (var i = 0; i < first.Length; i++) scores[i] = Statistic(first[i], second[i]);
    }

    private static void Check(double p, string name)
    {
        if (!(p >= 0 && p <= 1)) throw new ArgumentOutOfRangeException(name, p, "A p-value must be in [0, 1].");
    }

    private static void CheckLengths(ReadOnlySpan<double> first, ReadOnlySpan<double> second, Span<double> destination)
    {
        if (first.Length != second.Length || destination.Length != first.Length)
            throw new ArgumentException($"Fisher combination needs equal lengths: {first.Length} and {second.Length} p-values into {destination.Length} slots.");
    }
}
