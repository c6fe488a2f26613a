using NeuralFP.Core.Verdicts;

namespace NeuralFP.Core.Tests.Verdicts;

/// <summary>The quantile grid, its interpolated CDF and the smoothed p-values.</summary>
public sealed class ErrorDistributionTests
{
    [Fact]
    public void Quantiles_interpolate_linearly_like_numpy()
    {
        // np.quantile([4, 1, 3, 2, 10], np.linspace(0, 1, 9)) = [1, 1.5, 2, 2.5, 3, 3.5, 4, 7, 10]
        var distribution = ErrorDistribution.FromSamples([4f, 1f, 3f, 2f, 10f], gridSize: 9);

        Assert.Equal([1, 1.5, 2, 2.5, 3, 3.5, 4, 7, 10], distribution.Quantiles);
        Assert.Equal(5, distribution.SampleSize);
    }

    [Fact]
    public void The_default_grid_has_1001_levels_from_min_to_max()
    {
        float[] errors = [.. SyntheticErrors.Generate(seed: 1, records: 5000)[0]];

        var distribution = ErrorDistribution.FromSamples(errors);

        Assert.Equal(1001, distribution.Quantiles.Length);
        Assert.Equal(errors.Min(), distribution.Quantiles[0]);
        Assert.Equal(errors.Max(), distribution.Quantiles[^1]);
    }

    [Fact]
    public void Cdf_inverts_the_quantile_function()
    {
        var distribution = ErrorDistribution.FromSamples(SyntheticErrors.Generate(seed: 2, records: 3000)[1]);

        foreach (double level in new[] { 0.001, 0.025, 0.3, 0.5, 0.9, 0.975, 0.9995 })
            Assert.Equal(level, distribution.Cdf(distribution.Quantile(level)), precision: 9);
    }

    [Fact]
    public void Cdf_is_zero_below_and_one_from_the_largest_error()
    {
        var distribution = ErrorDistribution.FromSamples([1f, 2f, 3f]);

        Assert.Equal(0, distribution.Cdf(0.999));
        Assert.Equal(0, distribution.Cdf(1));
        Assert.Equal(0.25, distribution.Cdf(1.5), precision: 12);
        Assert.Equal(1, distribution.Cdf(3));
        Assert.Equal(1, distribution.Cdf(1e30));
    }

    [Fact]
    public void P_values_stay_within_the_smoothing_bounds()
    {
        var distribution = ErrorDistribution.FromSamples(SyntheticErrors.Generate(seed: 3, records: 999)[2]);
        double floor = 1.0 / (999 + 1);
        double[] errors = [0, 1e-30, 0.5, 1, 1.5, 2, 5, 1e30, double.MaxValue, double.NaN];

        foreach (double e in errors)
        {
            foreach (bool twoSided in new[] { false, true })
            {
                double p = distribution.PValue(e, twoSided);
                Assert.InRange(p, floor, 1);
            }
        }
        Assert.Equal(floor, distribution.PValue(1e30, twoSided: false), precision: 15);
        Assert.Equal(2 * floor, distribution.PValue(1e30, twoSided: true), precision: 15);
        Assert.Equal(2 * floor, distribution.PValue(0, twoSided: true), precision: 15);
        Assert.Equal(1, distribution.PValue(0, twoSided: false));
        Assert.Equal(1, distribution.PValue(distribution.Quantile(0.5), twoSided: true));
    }

    [Fact]
    public void The_upper_tail_p_value_matches_the_empirical_share_above()
    {
        var distribution = ErrorDistribution.FromSamples(SyntheticErrors.Generate(seed: 4, records: 10_000)[0]);
        double e = distribution.Quantile(0.95);

        // (n·0.05 + 1)/(n + 1)
        Assert.Equal((10_000 * 0.05 + 1) / 10_001, distribution.PValue(e, twoSided: false), precision: 9);
        Assert.Equal(2 * (10_000 * 0.05 + 1) / 10_001, distribution.PValue(e, twoSided: true), precision: 9);
    }

    [Theory]
    [InlineData(new double[] { 1 }, 5, "at least 2 quantiles")]
    [InlineData(new double[] { 1, 3, 2 }, 5, "non-decreasing")]
    [InlineData(new double[] { 1, double.PositiveInfinity }, 5, "finite")]
    public void Invalid_persisted_state_is_refused(double[] quantiles, int sampleSize, string expected)
    {
        var e = Assert.Throws<ArgumentException>(() => new ErrorDistribution(quantiles, sampleSize));

        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Non_finite_or_missing_samples_are_refused()
    {
        Assert.Throws<ArgumentException>(() => ErrorDistribution.FromSamples([]));
        var e = Assert.Throws<ArgumentException>(() => ErrorDistribution.FromSamples([1f, float.NaN]));
        Assert.Contains("error 1", e.Message);
    }
}
