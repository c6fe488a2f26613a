using NeuralFP.Core.Shifts;

namespace NeuralFP.Core.Tests.Shifts;

/// <summary>What the self-check's summary calls weak, which detector it points to instead, and when one statistic sees more than all.</summary>
public sealed class SelfCheckSummaryTests
{
    private static ShiftSensitivity Shift(double auroc, params (string Name, double Auroc)[] detectors) =>
        new("occlusion", "two patches", auroc, 0.1, detectors.Length == 0 ? null : [.. detectors.Select(d => new DetectorShiftSensitivity(d.Name, d.Auroc, 0.2))]);

    [Fact]
    public void A_shift_below_the_weak_auroc_is_weak_and_the_best_detector_is_named_only_when_it_sees_the_shift()
    {
        var summary = new SelfCheckSummary(256, "calibration", [Shift(0.95), Shift(0.79, ("knn", 0.91), ("energy", 0.85)), Shift(0.6, ("knn", 0.78))]);

        Assert.Equal([0.79, 0.6], summary.Weak().Select(s => s.Auroc));
        Assert.Equal("knn", summary.Shifts[1].BetterDetector()!.Detector);
        Assert.Null(summary.Shifts[2].BetterDetector());   // knn is better than the fingerprint but weak too
        Assert.Null(summary.Shifts[0].BetterDetector());   // no detectors
        Assert.Null(Shift(0.9, ("knn", 0.85)).BetterDetector()); // not better than the fingerprint
        Assert.Contains("occlusion AUROC 0.790, 10 % flagged", summary.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_statistic_is_named_as_diluted_only_when_alone_it_sees_the_shift_by_the_margin_more()
    {
        ShiftSensitivity With(double fingerprint, double statistic) =>
            new("feature noise", "noise", fingerprint, 0.3, Statistics: [new StatisticShiftSensitivity("input error", statistic, Lower: false)]);

        Assert.Equal("input error", With(0.84, 0.92).DilutingStatistic()!.Statistic);
        Assert.Equal("input error", With(0.84, 0.84 + SelfCheckSummary.DilutionMargin).DilutingStatistic()!.Statistic);
        Assert.Null(With(0.84, 0.86).DilutingStatistic());
        Assert.Null(Shift(0.84).DilutingStatistic()); // fingerprints built before keep no statistics
        Assert.Equal("On feature noise, the statistic input error alone reads self-check AUROC 0.920 (higher when shifted), above the fingerprint's 0.840: its other statistics dilute it",
            With(0.84, 0.92).Dilution());
        Assert.Null(With(0.84, 0.86).Dilution());
        // A statistic the integration leaves out is not said to be diluted.
        var leftOut = new ShiftSensitivity("feature noise", "noise", 0.84, 0.3, Statistics: [new StatisticShiftSensitivity("input energy", 0.92, Lower: false, NotRead: true)]);
        Assert.EndsWith("the fingerprint's integration does not read it (integration.excluded says why)", leftOut.Dilution());
    }
}
