using NeuralFP.Core.Verdicts;

namespace NeuralFP.Core.Tests.Verdicts;

/// <summary>One per-layer level α is chosen so the whole rule's FPR meets the target, and that holds on fresh data.</summary>
public sealed class OneOutRuleCalibrationTests
{
    private const double Target = 0.05;
    private const int Records = 20_000;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Realised_FPR_on_the_held_out_records_is_the_target(bool twoSided)
    {
        var rule = OneOutRule.Calibrate(SyntheticErrors.Layers, SyntheticErrors.Generate(seed: 10, Records), Target, twoSided);

        Assert.InRange(rule.RealisedFpr, Target - 1.0 / Records, Target + 1.0 / Records);
        Assert.Equal(Target, rule.TargetFpr);
        Assert.Equal(twoSided, rule.TwoSided);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void FPR_on_a_fresh_sample_from_the_same_distribution_is_within_one_point_of_the_target(bool twoSided)
    {
        var rule = OneOutRule.Calibrate(SyntheticErrors.Layers, SyntheticErrors.Generate(seed: 11, Records), Target, twoSided);
        float[][] fresh = SyntheticErrors.Generate(seed: 12, Records);

        int flagged = 0;
        for (int r = 0; r < Records; r++)
            flagged += rule.IsOod(SyntheticErrors.Record(fresh, r)) ? 1 : 0;

        Assert.InRange((double)flagged / Records, Target - 0.01, Target + 0.01);
    }

    [Fact]
    public void The_layer_level_lies_between_the_Bonferroni_bound_and_the_target()
    {
        // The union of L correlated layer tests fires more often than any one (α < target) but at most L·α.
        var rule = OneOutRule.Calibrate(SyntheticErrors.Layers, SyntheticErrors.Generate(seed: 13, Records), Target, twoSided: true);

        Assert.InRange(rule.LayerAlpha, Target / SyntheticErrors.Layers.Length, Target);
    }

    [Fact]
    public void Two_sided_thresholds_are_the_layer_level_quantiles()
    {
        var rule = OneOutRule.Calibrate(SyntheticErrors.Layers, SyntheticErrors.Generate(seed: 14, Records), Target, twoSided: true);

        for (int l = 0; l < rule.Layers.Count; l++)
        {
            Assert.Equal(rule.Distributions[l].Quantile(rule.LayerAlpha / 2), rule.Lower[l], precision: 12);
            Assert.Equal(rule.Distributions[l].Quantile(1 - rule.LayerAlpha / 2), rule.Upper[l], precision: 12);
        }
    }

    [Fact]
    public void One_sided_has_no_lower_threshold_and_its_upper_one_sits_at_one_minus_alpha()
    {
        var rule = OneOutRule.Calibrate(SyntheticErrors.Layers, SyntheticErrors.Generate(seed: 15, Records), Target, twoSided: false);

        for (int l = 0; l < rule.Layers.Count; l++)
        {
            Assert.Equal(0, rule.Lower[l]);
            Assert.Equal(rule.Distributions[l].Quantile(1 - rule.LayerAlpha), rule.Upper[l], precision: 12);
        }
    }

    [Fact]
    public void Suspiciously_small_errors_fire_only_the_two_sided_rule()
    {
        float[][] heldOut = SyntheticErrors.Generate(seed: 16, Records);
        var twoSided = OneOutRule.Calibrate(SyntheticErrors.Layers, heldOut, Target, twoSided: true);
        var oneSided = OneOutRule.Calibrate(SyntheticErrors.Layers, heldOut, Target, twoSided: false);
        float[] tiny = [SyntheticErrors.Median(0), 1e-6f, SyntheticErrors.Median(2)];
        float[] huge = [SyntheticErrors.Median(0), 50f, SyntheticErrors.Median(2)];
        float[] typical = [SyntheticErrors.Median(0), SyntheticErrors.Median(1), SyntheticErrors.Median(2)];

        Assert.True(twoSided.IsOod(tiny));
        Assert.False(oneSided.IsOod(tiny));
        Assert.True(twoSided.IsOod(huge));
        Assert.True(oneSided.IsOod(huge));
        Assert.False(twoSided.IsOod(typical));
        Assert.False(oneSided.IsOod(typical));
    }

    [Fact]
    public void A_one_sided_rule_over_negative_errors_keeps_a_lower_bound_that_never_fires()
    {
        float[] errors = [.. Enumerable.Range(0, 1000).Select(i => i - 500f)];

        var rule = OneOutRule.Calibrate(["score"], [errors], Target, twoSided: false);

        Assert.Equal(double.MinValue, rule.Lower[0]);
        Assert.False(rule.IsOod([-499f]));
    }

    [Fact]
    public void Too_few_held_out_records_for_the_target_are_refused()
    {
        float[][] errors = SyntheticErrors.Generate(seed: 17, records: 19);

        var e = Assert.Throws<ArgumentException>(() => OneOutRule.Calibrate(SyntheticErrors.Layers, errors, Target, twoSided: true));

        Assert.Contains("at least 20 held-out records", e.Message);
    }

    [Fact]
    public void Layers_with_different_record_counts_are_refused()
    {
        float[][] errors = [new float[100], new float[100], new float[99]];

        var e = Assert.Throws<ArgumentException>(() => OneOutRule.Calibrate(SyntheticErrors.Layers, errors, Target, twoSided: true));

        Assert.Contains("'fc1' has 99", e.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(double.NaN)]
    public void A_target_outside_zero_to_one_is_refused(double target)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            OneOutRule.Calibrate(SyntheticErrors.Layers, SyntheticErrors.Generate(seed: 18, records: 100), target, twoSided: true));
    }
}
