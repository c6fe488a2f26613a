using NeuralFP.Core.Verdicts;

namespace NeuralFP.Core.Tests.Verdicts;

/// <summary>The continuous score: Bonferroni min p-value in −log10, ordered and finite even beyond the reference range.</summary>
public sealed class OneOutRuleScoreTests
{
    private static readonly float[][] HeldOut = SyntheticErrors.Generate(seed: 20, records: 5000);
    private static readonly OneOutRule TwoSided = OneOutRule.Calibrate(SyntheticErrors.Layers, HeldOut, 0.05, twoSided: true);
    private static readonly OneOutRule OneSided = OneOutRule.Calibrate(SyntheticErrors.Layers, HeldOut, 0.05, twoSided: false);

    [Fact]
    public void One_sided_score_rises_with_the_error_inside_and_beyond_the_reference_range()
    {
        double max = OneSided.Distributions[1].Quantiles[^1];
        float[] errors = [.. Enumerable.Range(0, 200).Select(i => (float)(1e-4 * Math.Pow(10, i * 0.05)))]; // 1e-4 … ~1e6

        double[] scores = [.. errors.Select(e => OneSided.Score(WithLayer1(e)))];

        for (int i = 1; i < scores.Length; i++)
        {
            Assert.True(scores[i] >= scores[i - 1], $"score fell from {scores[i - 1]} to {scores[i]} at error {errors[i]}");
            if (errors[i - 1] > max) Assert.True(scores[i] > scores[i - 1], $"scores beyond the largest reference error are tied at {errors[i]}");
        }
    }

    [Fact]
    public void Two_sided_score_rises_away_from_the_median_in_both_directions()
    {
        float median = (float)TwoSided.Distributions[1].Quantile(0.5);
        float min = (float)TwoSided.Distributions[1].Quantiles[0];
        float[] below = [.. Enumerable.Range(0, 100).Select(i => median * (1 - i / 99f))]; // median → 0
        float[] above = [.. Enumerable.Range(0, 100).Select(i => median * MathF.Pow(10, i * 0.08f))];

        foreach (float[] path in new[] { below, above })
        {
            for (int i = 1; i < path.Length; i++)
                Assert.True(TwoSided.Score(WithLayer1(path[i])) >= TwoSided.Score(WithLayer1(path[i - 1])));
        }
        Assert.True(TwoSided.Score(WithLayer1(0)) > TwoSided.Score(WithLayer1(min * 0.5f)), "below the smallest error scores are tied");
    }

    [Fact]
    public void Scores_are_finite_for_zero_huge_infinite_and_NaN_errors()
    {
        float[] extremes = [0f, float.Epsilon, 1e30f, float.MaxValue, float.PositiveInfinity, float.NegativeInfinity, float.NaN];

        foreach (var rule in new[] { TwoSided, OneSided })
        {
            foreach (float e in extremes)
            {
                double score = rule.Score([e, e, e]);
                Assert.True(double.IsFinite(score), $"score {score} for error {e}");
                Assert.True(score >= -Math.Log10(3), "the score is bounded below by −log10(L), reached at p = 1");
            }
        }
    }

    [Fact]
    public void Two_records_beyond_the_largest_reference_error_are_ordered_by_distance()
    {
        double max = TwoSided.Distributions[0].Quantiles[^1];

        double near = TwoSided.Score([(float)(max * 2), SyntheticErrors.Median(1), SyntheticErrors.Median(2)]);
        double far = TwoSided.Score([(float)(max * 4), SyntheticErrors.Median(1), SyntheticErrors.Median(2)]);

        Assert.True(far > near);
        Assert.True(TwoSided.Score([float.MaxValue, 0.05f, 1.5f]) > far);
    }

    [Fact]
    public void Inside_the_range_the_score_is_minus_log10_of_the_uncapped_Bonferroni_p_value()
    {
        for (int r = 0; r < 200; r++)
        {
            float[] record = SyntheticErrors.Record(HeldOut, r);
            var verdict = TwoSided.Evaluate(record, predictedClass: 0, maxProbability: 1);
            double expectedP = Math.Min(1, 3 * verdict.Layers.Min(l => l.PValue));

            Assert.Equal(expectedP, verdict.PValue, precision: 12);
            Assert.Equal(-Math.Log10(3 * verdict.Layers.Min(l => l.PValue)), verdict.Score, precision: 9);
        }
    }

    [Fact]
    public void Typical_records_are_ordered_not_tied_at_zero()
    {
        float[] typical = [SyntheticErrors.Median(0), SyntheticErrors.Median(1), SyntheticErrors.Median(2)];
        float[] lessTypical = [SyntheticErrors.Median(0), SyntheticErrors.Median(1) * 1.3f, SyntheticErrors.Median(2)];

        Assert.InRange(TwoSided.Score(typical), -Math.Log10(3.0), -Math.Log10(3.0) + 0.05);
        Assert.True(TwoSided.Score(lessTypical) > TwoSided.Score(typical));
    }

    private static float[] WithLayer1(float error) => [SyntheticErrors.Median(0), error, SyntheticErrors.Median(2)];
}
