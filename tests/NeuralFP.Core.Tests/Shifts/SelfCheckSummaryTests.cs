using NeuralFP.Core.Shifts;

namespace NeuralFP.Core.Tests.Shifts;

/// <summary>What the self-check's summary calls weak, and which detector it points to instead.</summary>
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
}
