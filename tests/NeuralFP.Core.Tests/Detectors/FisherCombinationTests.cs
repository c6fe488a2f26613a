using NeuralFP.Core.Detectors;

namespace NeuralFP.Core.Tests.Detectors;

public sealed class FisherCombinationTests
{
    [Fact]
    public void Two_p_values_combine_through_the_chi_square_four_tail()
    {
        // p1 = p2 = 0.05: X = −2 ln 0.0025 ≈ 11.983; P(χ²₄ ≥ X) = e^(−X/2)(1 + X/2) = 0.0025·(1 + 5.991) ≈ 0.017479.
        Assert.Equal(0.0025 * (1 - Math.Log(0.0025)), FisherCombination.PValue(0.05, 0.05), 12);
        Assert.Equal(0.017479, FisherCombination.PValue(0.05, 0.05), 6);
        Assert.Equal(1.0, FisherCombination.PValue(1, 1), 12);
        Assert.Equal(-2 * Math.Log(0.0025), FisherCombination.Statistic(0.05, 0.05), 12);
    }

    [Fact]
    public void Arrays_combine_element_wise_and_the_score_orders_like_the_p_value()
    {
        double[] fingerprint = [0.5, 0.01, 0.2, 1.0];
        double[] detector = [0.5, 0.5, 0.01, 0.001];
        var p = new double[4];
        var scores = new double[4];

        FisherCombination.PValues(fingerprint, detector, p);
        FisherCombination.Scores(fingerprint, detector, scores);

        for (var i = 0; i < 4; i++) Assert.Equal(FisherCombination.PValue(fingerprint[i], detector[i]), p[i]);
        var byP = Enumerable.Range(0, 4).OrderBy(i => p[i]).ToArray();
        var byScore = Enumerable.Range(0, 4).OrderByDescending(i => scores[i]).ToArray();
        Assert.Equal(byP, byScore);
    }

    [Fact]
    public void Mismatched_lengths_and_invalid_p_values_are_refused()
    {
        Assert.Throws<ArgumentException>(() => FisherCombination.PValues([0.1, 0.2], [0.1], new double[2]));
        Assert.Throws<ArgumentOutOfRangeException>(() => FisherCombination.PValue(1.5, 0.1));
        Assert.Throws<ArgumentOutOfRangeException>(() => FisherCombination.PValue(double.NaN, 0.1));
    }
}
