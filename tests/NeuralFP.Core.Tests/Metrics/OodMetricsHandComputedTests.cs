using NeuralFP.Core.Metrics;

namespace NeuralFP.Core.Tests.Metrics;

/// <summary>Small cases worked out by hand, ties included.</summary>
public sealed class OodMetricsHandComputedTests
{
    [Fact]
    public void Ties_between_ID_and_OOD_count_half_and_enter_as_one_threshold()
    {
        // ID {0.1, 0.2, 0.5, 0.5}, OOD {0.5, 0.7, 0.9}.
        // AUROC: OOD 0.5 beats 0.1, 0.2 and ties 0.5 twice → 3; 0.7 and 0.9 beat all four → 8; 11/12.
        // AUPR-Out, thresholds 0.9, 0.7, 0.5: recall 1/3 at precision 1, 2/3 at 1, 1 at 3/5 → 1/3 + 1/3 + 1/3·3/5 = 13/15.
        // AUPR-In (ID positive, ascending): 0.1, 0.2 at precision 1 (recall 1/4 each), 0.5 adds 1/2 recall at 4/5 → 9/10.
        // FPR@95: TPR reaches 1 only at threshold 0.5, where 2 of 4 ID records are flagged → 1/2.
        var result = OodMetrics.Compute([0.1, 0.2, 0.5, 0.5], [0.5, 0.7, 0.9]);

        Assert.Equal(11.0 / 12, result.Auroc, precision: 14);
        Assert.Equal(13.0 / 15, result.AuprOut, precision: 14);
        Assert.Equal(9.0 / 10, result.AuprIn, precision: 14);
        Assert.Equal(0.5, result.Fpr95, precision: 14);
        Assert.Equal(4, result.InCount);
        Assert.Equal(3, result.OutCount);
    }

    [Fact]
    public void All_scores_tied_is_chance_with_base_rate_precision()
    {
        // One threshold flags everything: AUROC ½, precision = share of the positive class, FPR 1.
        var result = OodMetrics.Compute([1, 1], [1, 1, 1]);

        Assert.Equal(0.5, result.Auroc);
        Assert.Equal(3.0 / 5, result.AuprOut, precision: 14);
        Assert.Equal(2.0 / 5, result.AuprIn, precision: 14);
        Assert.Equal(1, result.Fpr95);
    }

    [Fact]
    public void Perfect_separation_scores_one_and_no_false_positives()
    {
        var result = OodMetrics.Compute([0, 1, 1], [2, 3, double.PositiveInfinity]);

        Assert.Equal(new OodMetricsResult(1, 1, 1, 0, 3, 3), result);
    }

    [Fact]
    public void Reversed_scores_score_zero()
    {
        var result = OodMetrics.Compute([2, 3], [0, 1]);

        Assert.Equal(0, result.Auroc);
        Assert.Equal(1, result.Fpr95);
    }

    [Fact]
    public void FPR95_stops_at_the_first_threshold_reaching_exactly_95_percent()
    {
        // OOD 1..20, ID {1.5, 5.5, 10.5}: threshold 2 flags 19/20 = 95% OOD and ID 5.5, 10.5 → 2/3.
        // Going one block further (ID 1.5) would give 3/3. AUROC = (19 + 15 + 10)/60.
        double[] ood = [.. Enumerable.Range(1, 20).Select(i => (double)i)];

        var result = OodMetrics.Compute([1.5, 5.5, 10.5], ood);

        Assert.Equal(2.0 / 3, result.Fpr95, precision: 14);
        Assert.Equal(44.0 / 60, result.Auroc, precision: 14);
    }

    [Fact]
    public void Input_order_does_not_matter()
    {
        var a = OodMetrics.Compute([0.5, 0.1, 0.5, 0.2], [0.9, 0.5, 0.7]);
        var b = OodMetrics.Compute([0.1, 0.2, 0.5, 0.5], [0.5, 0.7, 0.9]);

        Assert.Equal(b, a);
    }

    [Fact]
    public void Empty_sets_and_NaN_scores_are_refused()
    {
        Assert.Throws<ArgumentException>(() => OodMetrics.Compute([], [1]));
        Assert.Throws<ArgumentException>(() => OodMetrics.Compute([1], []));
        var e = Assert.Throws<ArgumentException>(() => OodMetrics.Compute([1, double.NaN], [2]));
        Assert.Contains("In-distribution score 1 is NaN", e.Message);
    }
}
