using NeuralFP.Core.Detectors;
using NeuralFP.Core.Fingerprints;

namespace NeuralFP.Core.Tests.Detectors;

/// <summary>The combined detector: conformal member p-values from held-out data, Fisher or min-p, bound to its set on load.</summary>
public sealed class CombinedDetectorTests
{
    private static DetectorInputs WithFingerprint(DetectorInputs inputs, Func<int, double> score) =>
        new(inputs.Logits, inputs.Penultimate, inputs.PatternLayer) { FingerprintScores = Enumerable.Range(0, inputs.Records).Select(score).ToArray() };

    private static (CalibratedDetector Knn, CombinedDetector Combined, DetectorInputs HeldOut) Fit(string rule)
    {
        var knn = CalibratedDetector.FitAndCalibrate(new KnnDetector(new KnnOptions { Seed = 1 }), SyntheticActivations.Reference(seed: 1), SyntheticActivations.Reference(seed: 2));
        var heldOut = WithFingerprint(SyntheticActivations.Reference(seed: 3), i => (i * 7919 % 1000) / 1000.0);
        var combined = new CombinedDetector([CombinedDetector.FingerprintMember, DetectorNames.Knn], rule);
        combined.Bind([knn.Detector]);
        combined.Fit(heldOut);
        return (knn, combined, heldOut);
    }

    [Theory]
    [InlineData(CombinedDetector.FisherRule)]
    [InlineData(CombinedDetector.MinPRule)]
    public void Strong_evidence_from_either_member_scores_above_every_held_out_record(string rule)
    {
        var (_, combined, heldOut) = Fit(rule);
        var heldOutScores = new double[heldOut.Records];
        combined.Score(heldOut, heldOutScores);

        var farInFeatures = WithFingerprint(SyntheticActivations.Far(), _ => 0.5);
        var farInFingerprint = WithFingerprint(SyntheticActivations.Reference(perClass: 1, seed: 4), _ => 50.0);
        var a = new double[farInFeatures.Records];
        var b = new double[farInFingerprint.Records];
        combined.Score(farInFeatures, a);
        combined.Score(farInFingerprint, b);

        Assert.True(a.Min() > heldOutScores.Max(), $"k-NN evidence: {a.Min()} vs {heldOutScores.Max()}");
        Assert.True(b.Min() > heldOutScores.Max(), $"fingerprint evidence: {b.Min()} vs {heldOutScores.Max()}");
    }

    [Fact]
    public void A_saved_set_restores_the_combined_detector_bound_to_its_members()
    {
        var (knn, combined, heldOut) = Fit(CombinedDetector.FisherRule);
        var set = new DetectorSet("penultimate", [knn, CalibratedDetector.Calibrate(combined, heldOut)]);

        var restored = DetectorSet.FromJson(set.ToJson());
        var before = new double[heldOut.Records];
        var after = new double[heldOut.Records];
        set[DetectorNames.Combined].Detector.Score(heldOut, before);
        restored[DetectorNames.Combined].Detector.Score(heldOut, after);

        Assert.Equal(before, after);
        Assert.Equal(set[DetectorNames.Combined].Threshold, restored[DetectorNames.Combined].Threshold);
    }

    [Fact]
    public void Scoring_without_the_fingerprint_scores_names_what_is_missing()
    {
        var (_, combined, _) = Fit(CombinedDetector.FisherRule);

        var e = Assert.Throws<ArgumentException>(() => combined.Score(SyntheticActivations.Far(), new double[SyntheticActivations.Far().Records]));

        Assert.Contains("FingerprintScores", e.Message);
    }

    [Fact]
    public void A_set_without_a_member_is_refused()
    {
        var (_, combined, heldOut) = Fit(CombinedDetector.FisherRule);
        var calibrated = CalibratedDetector.Calibrate(combined, heldOut);

        var e = Assert.Throws<InvalidDataException>(() => new DetectorSet(null, [calibrated]));

        Assert.Contains("knn", e.Message);
    }
}
