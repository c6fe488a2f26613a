using NeuralFP.Core.Detectors;
using NeuralFP.Core.Metrics;

namespace NeuralFP.Core.Tests.Metrics;

/// <summary>The interval a calibrated threshold's rate on new data lies in, from the held-out sample's size.</summary>
public sealed class FprIntervalTests
{
    [Theory]
    // scipy.stats.beta.ppf(0.05 / 0.95, k + 1, n − k), scipy 1.10: an independent implementation of the same Beta.
    [InlineData(196, 9, 0.0279381650, 0.0787593454)]   // the tabular panel model's calibration
    [InlineData(4900, 245, 0.0451706290, 0.0554257403)] // an image panel model's calibration
    [InlineData(20, 0, 0.0025613788, 0.1391083407)]
    public void Ends_are_the_beta_quantiles_of_the_order_statistic(int n, int k, double low, double high)
    {
        var interval = FprInterval.Of(n, k);

        Assert.Equal(low, interval.Low, 1e-8);
        Assert.Equal(high, interval.High, 1e-8);
        Assert.Equal((0.9, n), (interval.Coverage, interval.CalibrationRecords));
    }

    [Fact]
    public void Over_many_calibrations_the_true_rate_falls_inside_about_nine_times_in_ten()
    {
        // Uniform scores: a threshold t leaves a new record above it with probability exactly 1 − t.
        var random = new Random(20261201);
        const int trials = 4000, n = 200;
        var inside = 0;
        var scores = new double[n];
        for (var trial = 0; trial < trials; trial++)
        {
            for (var i = 0; i < n; i++) scores[i] = random.NextDouble();
            var calibration = ScoreCalibration.Fit(scores, 0.05);
            var interval = calibration.NewDataFprInterval();
            var trueRate = 1 - calibration.Threshold;
            if (trueRate >= interval.Low && trueRate <= interval.High) inside++;
        }

        // Binomial sd of the share over 4,000 trials is 0.005: ±0.02 is four of them.
        Assert.InRange((double)inside / trials, 0.88, 0.92);
    }

    [Fact]
    public void More_held_out_records_narrow_it_and_the_suggested_count_reaches_one_point()
    {
        var small = FprInterval.Of(196, 9);
        var needed = FprInterval.RecordsFor(0.05, 0.01);
        var enough = FprInterval.Of(needed, (int)Math.Floor(0.05 * needed));

        Assert.InRange(needed, 1200, 1400); // 1.645² · 0.05 · 0.95 / 0.01²
        Assert.True(small.High - small.Low > 0.04);
        Assert.InRange(enough.High - enough.Low, 0.018, 0.0205);
    }

    [Fact]
    public void Impossible_inputs_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => FprInterval.Of(0, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => FprInterval.Of(10, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => FprInterval.Of(10, 1, coverage: 1));
    }
}
