using NeuralFP.Core.Matching;
using NeuralFP.Core.Tests.Verdicts;
using NeuralFP.Core.Verdicts;

namespace NeuralFP.Core.Tests.Matching;

/// <summary>Match score = in-distribution share × (1 − mean KS distance): own-distribution batches fit best.</summary>
public sealed class ModelMatcherScoreTests
{
    private static readonly OneOutRule Rule =
        OneOutRule.Calibrate(SyntheticErrors.Layers, SyntheticErrors.Generate(seed: 60, records: 10_000), 0.05, twoSided: true);

    [Fact]
    public void A_batch_from_the_fingerprints_own_distribution_matches_better_than_a_shifted_one()
    {
        var own = ModelMatcher.Score("m", Rule, SyntheticErrors.Generate(seed: 61, records: 500));
        var shifted = ModelMatcher.Score("m", Rule, SyntheticErrors.Generate(seed: 61, records: 500, logShift: 0.5));

        Assert.True(own.Score > shifted.Score, $"own {own.Score} vs shifted {shifted.Score}");
        Assert.True(own.InDistributionShare > shifted.InDistributionShare);
        Assert.True(own.MeanDistance < shifted.MeanDistance);
        Assert.InRange(own.InDistributionShare, 0.92, 0.98); // about 1 − target FPR
        Assert.InRange(own.MeanDistance, 0, 0.1);
    }

    [Fact]
    public void Unusually_small_errors_lower_the_score_through_the_distance()
    {
        var own = ModelMatcher.Score("m", Rule, SyntheticErrors.Generate(seed: 62, records: 500));
        var easy = ModelMatcher.Score("m", Rule, SyntheticErrors.Generate(seed: 62, records: 500, logShift: -0.3));

        Assert.True(easy.MeanDistance > own.MeanDistance + 0.1);
        Assert.True(easy.Score < own.Score);
    }

    [Fact]
    public void The_score_is_the_share_times_one_minus_the_mean_distance()
    {
        float[][] batch = SyntheticErrors.Generate(seed: 63, records: 300, logShift: 0.2);

        var result = ModelMatcher.Score("model-a", Rule, batch);

        int inDistribution = Enumerable.Range(0, 300).Count(r => !Rule.IsOod(SyntheticErrors.Record(batch, r)));
        Assert.Equal(inDistribution / 300.0, result.InDistributionShare);
        Assert.Equal(result.LayerDistances.Values.Average(), result.MeanDistance, precision: 14);
        Assert.Equal(result.InDistributionShare * (1 - result.MeanDistance), result.Score, precision: 14);
        Assert.Equal(SyntheticErrors.Layers, result.LayerDistances.Keys);
        Assert.Equal("model-a", result.ModelId);
        Assert.Equal(0, result.Rank);
    }

    [Fact]
    public void A_batch_entirely_beyond_the_reference_scores_zero()
    {
        float[][] batch = [[1e6f, 2e6f], [1e6f, 2e6f], [1e6f, 2e6f]];

        var result = ModelMatcher.Score("m", Rule, batch);

        Assert.Equal(0, result.InDistributionShare);
        Assert.Equal(1, result.MeanDistance);
        Assert.Equal(0, result.Score);
    }

    [Fact]
    public void Errors_for_the_wrong_number_of_layers_are_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => ModelMatcher.Score("m", Rule, [new float[3], new float[3]]));

        Assert.Contains("3 fingerprint layers but errors for 2", e.Message);
    }

    [Fact]
    public void An_empty_batch_is_refused()
    {
        Assert.Throws<ArgumentException>(() => ModelMatcher.Score("m", Rule, [[], [], []]));
    }
}
