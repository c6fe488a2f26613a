using NeuralFP.Core.Detectors;

namespace NeuralFP.Core.Tests.Detectors;

public sealed class ScoreCalibrationTests
{
    [Fact]
    public void Threshold_sits_at_the_one_minus_target_quantile_and_realises_the_target()
    {
        var scores = Enumerable.Range(1, 100).Select(i => (double)i).Reverse().ToArray();

        var calibration = ScoreCalibration.Fit(scores, 0.05);

        Assert.Equal(95, calibration.Threshold);     // 5 scores (96..100) lie above it
        Assert.Equal(0.05, calibration.RealisedFpr, 12);
        Assert.False(calibration.IsOod(95));
        Assert.True(calibration.IsOod(95.5));
    }

    [Fact]
    public void Ties_at_the_threshold_lower_the_realised_rate_rather_than_exceed_the_target()
    {
        // 90 scores of 0 and 10 of 1: any threshold below 1 would flag 10%.
        var scores = Enumerable.Repeat(0.0, 90).Concat(Enumerable.Repeat(1.0, 10)).ToArray();

        var calibration = ScoreCalibration.Fit(scores, 0.05);

        Assert.Equal(1.0, calibration.Threshold);
        Assert.Equal(0.0, calibration.RealisedFpr);
    }

    [Fact]
    public void Conformal_p_values_count_held_out_scores_at_or_above()
    {
        var calibration = ScoreCalibration.Fit([1, 2, 2, 3], 0.25);

        Assert.Equal(5 / 5.0, calibration.PValue(0.5));
        Assert.Equal(4 / 5.0, calibration.PValue(2));  // 2, 2, 3 are ≥ 2 → (1 + 3)/5
        Assert.Equal(2 / 5.0, calibration.PValue(3));
        Assert.Equal(1 / 5.0, calibration.PValue(100));
    }

    [Fact]
    public void Calibrated_detector_on_fresh_in_distribution_data_is_near_the_target()
    {
        var fit = SyntheticActivations.Reference(perClass: 300, seed: 1);
        var heldOut = SyntheticActivations.Reference(perClass: 300, seed: 2);
        var fresh = SyntheticActivations.Reference(perClass: 300, seed: 3);
        var calibrated = CalibratedDetector.FitAndCalibrate(new GaussianKlDetector(), fit, heldOut, 0.1);

        var scores = new double[fresh.Records];
        var ood = new bool[fresh.Records];
        var p = new double[fresh.Records];
        calibrated.Evaluate(fresh, scores, ood, p);

        Assert.InRange(calibrated.RealisedFpr, 0.09, 0.1);
        Assert.InRange(ood.Count(o => o) / (double)ood.Length, 0.06, 0.14);
        Assert.All(p, v => Assert.InRange(v, 1.0 / (heldOut.Records + 1), 1.0));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(double.NaN)]
    public void Target_outside_zero_one_is_refused(double target)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ScoreCalibration.Fit([1, 2, 3], target));
        Assert.Contains("between 0 and 1", e.Message);
    }
}
