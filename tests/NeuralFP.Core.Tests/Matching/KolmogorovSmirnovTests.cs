using NeuralFP.Core.Matching;
using NeuralFP.Core.Verdicts;

namespace NeuralFP.Core.Tests.Matching;

/// <summary>The per-layer distance is the one-sample KS statistic against the reference's interpolated CDF.</summary>
public sealed class KolmogorovSmirnovTests
{
    // Reference CDF: uniform on [0, 1] (quantiles 0, 0.5, 1 interpolate linearly).
    private static readonly ErrorDistribution Uniform = new([0, 0.5, 1], sampleSize: 1000);

    [Fact]
    public void Matches_a_hand_computed_statistic()
    {
        // Sorted batch 0.1, 0.2, 0.9: steps to 1/3, 2/3, 1 against F = 0.1, 0.2, 0.9.
        // Gaps: 1/3 − 0.1, 0.1 − 0, 2/3 − 0.2 = 0.4667, 0.2 − 1/3, 1 − 0.9, 0.9 − 2/3 → sup 0.4667.
        double d = ModelMatcher.KolmogorovSmirnov([0.9f, 0.1f, 0.2f], Uniform, new double[3]);

        Assert.Equal(2.0 / 3 - 0.2, d, precision: 6);
    }

    [Fact]
    public void Ties_in_the_batch_form_one_step()
    {
        // All at 0.5: F_batch jumps from 0 to 1 where F = 0.5 → 0.5.
        double d = ModelMatcher.KolmogorovSmirnov([0.5f, 0.5f, 0.5f, 0.5f], Uniform, new double[4]);

        Assert.Equal(0.5, d, precision: 12);
    }

    [Fact]
    public void An_evenly_spread_batch_is_close_and_a_batch_outside_the_range_is_at_distance_one()
    {
        float[] even = [.. Enumerable.Range(0, 100).Select(i => (i + 0.5f) / 100)];

        Assert.Equal(0.005, ModelMatcher.KolmogorovSmirnov(even, Uniform, new double[100]), precision: 6);
        Assert.Equal(1, ModelMatcher.KolmogorovSmirnov([2f, 3f, float.NaN], Uniform, new double[3]));
        Assert.Equal(1, ModelMatcher.KolmogorovSmirnov([-1f], Uniform, new double[1]));
    }
}
