using NeuralFP.Core.Verdicts;

namespace NeuralFP.Core.Tests.Verdicts;

/// <summary>A histogram rebuilt from stored quantiles puts each bin's share of the distribution in it.</summary>
public sealed class ErrorDistributionHistogramTests
{
    [Fact]
    public void UniformQuantilesGiveEqualBins()
    {
        var quantiles = Enumerable.Range(0, 1001).Select(i => i / 1000.0).ToArray();

        var bins = Of(quantiles).Histogram(0, 1, 10);

        Assert.All(bins, b => Assert.Equal(0.1, b.Mass, 1e-12));
        Assert.Equal(0.0, bins[0].Start);
        Assert.Equal(1.0, bins[^1].End);
    }

    [Fact]
    public void LogSpacedEdgesOfALogUniformDistributionGiveEqualBins()
    {
        // Quantiles of 10^U, U uniform on [-3, 1]: each decade holds a quarter of the mass.
        var quantiles = Enumerable.Range(0, 1001).Select(i => Math.Pow(10, -3 + 4 * i / 1000.0)).ToArray();

        var bins = Of(quantiles).Histogram([1e-3, 1e-2, 1e-1, 1, 10]);

        Assert.Equal(4, bins.Length);
        Assert.All(bins, b => Assert.Equal(0.25, b.Mass, 2));
        Assert.Equal((1e-2, 1e-1), (bins[1].Start, bins[1].End));
        Assert.Throws<ArgumentException>(() => Of(quantiles).Histogram([1, 1]));
        Assert.Throws<ArgumentException>(() => Of(quantiles).Histogram([1.0]));
    }

    [Fact]
    public void MassOutsideTheRangeIsLeftOut()
    {
        var quantiles = Enumerable.Range(0, 101).Select(i => i / 100.0).ToArray();

        var bins = Of(quantiles).Histogram(0.2, 0.7, 5);

        Assert.Equal(0.5, bins.Sum(b => b.Mass), 1e-12);
    }

    [Fact]
    public void ExponentialQuantilesGiveFallingBinsWithTheExactMass()
    {
        // Quantiles of Exp(1): −ln(1 − level); the last level (1) is capped at the 0.9999 quantile.
        var quantiles = Enumerable.Range(0, 1001).Select(i => -Math.Log(1 - Math.Min(i / 1000.0, 0.9999))).ToArray();

        var bins = Of(quantiles).Histogram(0, 3, 6);

        for (int i = 1; i < bins.Length; i++)
        {
            Assert.True(bins[i].Mass < bins[i - 1].Mass, $"Bin {i} should hold less than bin {i - 1}.");
        }

        // Exact mass of [0, 0.5) is 1 − e^−0.5; linear interpolation between 1001 quantiles is close.
        Assert.Equal(1 - Math.Exp(-0.5), bins[0].Mass, 1e-3);
    }

    [Fact]
    public void RepeatedQuantilesAreAPointMassInOneBin()
    {
        // Levels 0.2..0.8 sit at exactly 1.2: 60% of the distribution in the bin holding 1.2.
        double[] quantiles = [0, 1.2, 1.2, 1.2, 1.2, 2];

        var bins = Of(quantiles).Histogram(0, 2, 4);

        double ramp = 0.5 / 1.2 / 5; // the linear rise from 0 to 1.2 carries the first 20%
        Assert.Equal(ramp, bins[0].Mass, 1e-12);
        Assert.Equal(ramp, bins[1].Mass, 1e-12);
        Assert.Equal(0.2 - 2 * ramp + 0.6 + 0.2 * (0.3 / 0.8), bins[2].Mass, 1e-12);
        Assert.Equal(0.2 * (0.5 / 0.8), bins[3].Mass, 1e-12);
    }

    [Fact]
    public void CdfIsExactAtTheStoredQuantiles()
    {
        double[] quantiles = [1, 2, 4, 8, 16];

        Assert.Equal(0.0, Of(quantiles).Cdf(0.5));
        Assert.Equal(0.25, Of(quantiles).Cdf(2), 1e-15);
        Assert.Equal(0.625, Of(quantiles).Cdf(6), 1e-15);
        Assert.Equal(1.0, Of(quantiles).Cdf(16));
    }

    [Theory]
    [InlineData(1.0, 1.0)]
    [InlineData(2.0, 1.0)]
    [InlineData(double.NaN, 1.0)]
    public void RejectsEmptyOrInvalidRanges(double start, double end)
    {
        Assert.Throws<ArgumentException>(() => Of([0.0, 1.0]).Histogram(start, end, 4));
    }

    private static ErrorDistribution Of(double[] quantiles) => new(quantiles, quantiles.Length);
}
