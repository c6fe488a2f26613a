namespace NeuralFP.Core.Verdicts;

/// <summary>
/// The held-out reconstruction errors of one layer, kept as a fixed grid of quantiles so the
/// fingerprint does not store reference data. Gives interpolated CDF values and p-values.
/// </summary>
public sealed class ErrorDistribution
{
    /// <summary>Rebuilds from persisted state.</summary>
    public ErrorDistribution(double[] quantiles, int sampleSize) => throw new NotImplementedException();

    /// <summary>Summarises held-out errors into <paramref name="gridSize"/> quantiles (levels 0..1 evenly spaced).</summary>
    public static ErrorDistribution FromSamples(ReadOnlySpan<float> errors, int gridSize = 1001) => throw new NotImplementedException();

    /// <summary>Quantile values at evenly spaced levels 0, 1/(n−1), …, 1.</summary>
    public double[] Quantiles => throw new NotImplementedException();

    public int SampleSize => throw new NotImplementedException();

    public double Cdf(double error) => throw new NotImplementedException();

    public double Quantile(double level) => throw new NotImplementedException();

    /// <summary>Empirical p-value of an error: upper tail, or two-sided 2·min(F, 1−F), smoothed so it is never 0.</summary>
    public double PValue(double error, bool twoSided) => throw new NotImplementedException();
}
