namespace NeuralFP.Core.Fingerprints;

/// <summary>
/// How closely the fused scorer graph reproduces the C# autoencoder errors on the early-stopping records (the
/// calibration records whose features the build keeps). Small deviations are float summation order; a systematic one is a fusion bug, and a
/// build with one is refused rather than published.
/// </summary>
/// <param name="MedianRelativeDeviation">Median over records and layers of |fused − C#| / max(|C#|, 1e-6).</param>
/// <param name="P99RelativeDeviation">99th percentile of the same.</param>
/// <param name="MaxRelativeDeviation">Largest deviation, and where.</param>
public sealed record FusionCheck(double MedianRelativeDeviation, double P99RelativeDeviation, double MaxRelativeDeviation, string MaxAtLayer)
{
    /// <summary>Above this 99th-percentile deviation the fused graph is considered wrong.</summary>
    public const double Tolerance = 1e-2;

    /// <exception cref="InvalidOperationException">The graph disagrees systematically with the autoencoders.</exception>
    internal static FusionCheck Compare(IReadOnlyList<float[]> expected, IReadOnlyList<float[]> actual, IReadOnlyList<string> layers)
    {
        var deviations = new List<double>(expected.Count * (expected.Count == 0 ? 0 : expected[0].Length));
        double max = 0;
        var maxLayer = "";
        for (var l = 0; l < expected.Count; l++)
        for (var r = 0; r < expected[l].Length; r++)
        {
            var e = (double)expected[l][r];
            var deviation = Math.Abs(actual[l][r] - e) / Math.Max(Math.Abs(e), 1e-6);
            if (double.IsNaN(deviation)) deviation = double.PositiveInfinity;
            deviations.Add(deviation);
            if (deviation > max) (max, maxLayer) = (deviation, layers[l]);
        }
        deviations.Sort();
        double At(double q) => deviations.Count == 0 ? 0 : deviations[(int)Math.Min(deviations.Count - 1, Math.Floor(q * deviations.Count))];
        var check = new FusionCheck(At(0.5), At(0.99), max, maxLayer);
        if (check.P99RelativeDeviation > Tolerance)
            throw new InvalidOperationException($"The fused scorer graph disagrees with the autoencoders (99th-percentile relative deviation {check.P99RelativeDeviation:G3}, worst at layer {maxLayer}). This is a bug in NeuralFP; please report it with the model.");
        return check;
    }
}
