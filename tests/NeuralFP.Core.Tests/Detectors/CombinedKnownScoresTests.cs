using NeuralFP.Core.Detectors;
using NeuralFP.Core.Fingerprints;

namespace NeuralFP.Core.Tests.Detectors;

/// <summary>
/// The build fits the combined detector on the members' held-out scores it already has from calibrating them (k-NN is
/// not scored twice): the saved detector must be the very one that scoring the members again gives, byte for byte.
/// </summary>
public sealed class CombinedKnownScoresTests
{
    private const int Statistics = 3;

    private static DetectorInputs HeldOut()
    {
        var inputs = SyntheticActivations.Reference(perClass: 80, seed: 11);
        var random = new Random(12);
        var statistics = new float[inputs.Records * Statistics];
        for (var i = 0; i < statistics.Length; i++) statistics[i] = (float)Math.Exp(0.4 * SyntheticActivations.Gaussian(random));
        var scores = Enumerable.Range(0, inputs.Records).Select(r => (double)statistics[r * Statistics] + statistics[r * Statistics + 1]).ToArray();
        return new DetectorInputs(inputs.Logits, inputs.Penultimate, inputs.PatternLayer)
        {
            FingerprintStatistics = statistics, FingerprintStatisticCount = Statistics, FingerprintScores = scores,
        };
    }

    [Theory]
    [InlineData(CombinedDetector.FisherRule)]
    [InlineData(CombinedDetector.MinPRule)]
    [InlineData(CombinedDetector.GaussianRule)]
    [InlineData(CombinedDetector.GaussianPerClassRule)]
    public void Fitting_on_the_calibration_scores_saves_the_same_detector_as_scoring_the_members_again(string rule)
    {
        string[] partners = [DetectorNames.Knn, DetectorNames.Energy, DetectorNames.Mahalanobis];
        var fit = SyntheticActivations.Reference(seed: 1);
        var heldOut = HeldOut();
        var known = new Dictionary<string, double[]>(StringComparer.Ordinal);
        var calibrated = partners.Select(name =>
        {
            var detector = OodDetectorCatalog.Create(name, SyntheticActivations.Head, seed: 3);
            detector.Fit(fit);
            var result = CalibratedDetector.Calibrate(detector, heldOut, 0.05, out var scores);
            known[name] = scores;
            return result;
        }).ToArray();
        CombinedDetector Combined(IReadOnlyDictionary<string, double[]>? knownScores)
        {
            var combined = new CombinedDetector([CombinedDetector.FingerprintMember, .. partners], rule);
            combined.Bind(calibrated.Select(c => c.Detector));
            combined.Fit(heldOut, knownScores);
            return combined;
        }
        byte[] Saved(CombinedDetector combined) =>
            new DetectorSet("penultimate", [.. calibrated, new CalibratedDetector(combined, ScoreCalibration.Fit(combined.CalibrationScores, 0.05))]).ToJson();

        var scoredAgain = Saved(Combined(knownScores: null));
        var reused = Saved(Combined(known));

        Assert.Equal(scoredAgain, reused);
    }

    [Fact]
    public void A_member_with_known_scores_is_not_scored_again_and_one_without_is()
    {
        var heldOut = HeldOut();
        var fit = SyntheticActivations.Reference(seed: 1);
        var knn = new Counting(OodDetectorCatalog.Create(DetectorNames.Knn, SyntheticActivations.Head, seed: 3));
        var energy = new Counting(OodDetectorCatalog.Create(DetectorNames.Energy, SyntheticActivations.Head, seed: 3));
        knn.Fit(fit);
        energy.Fit(fit);
        var knownKnn = SyntheticActivations.Scores(knn, heldOut);
        knn.Scored = 0;
        var combined = new CombinedDetector([CombinedDetector.FingerprintMember, DetectorNames.Knn, DetectorNames.Energy], CombinedDetector.GaussianPerClassRule);
        combined.Bind([knn, energy]);

        combined.Fit(heldOut, new Dictionary<string, double[]> { [DetectorNames.Knn] = knownKnn });

        Assert.Equal(0, knn.Scored);
        Assert.Equal(1, energy.Scored);
    }

    /// <summary>A detector that counts the batches it scores.</summary>
    private sealed class Counting(IOodDetector inner) : IOodDetector
    {
        public int Scored { get; set; }

        public string Name => inner.Name;

        public string Description => inner.Description;

        public bool IsFitted => inner.IsFitted;

        public bool KeepsReferenceData => inner.KeepsReferenceData;

        public long StateBytes => inner.StateBytes;

        public void Fit(DetectorInputs reference, CancellationToken cancellationToken = default) => inner.Fit(reference, cancellationToken);

        public void Score(DetectorInputs records, Span<double> scores)
        {
            Scored++;
            inner.Score(records, scores);
        }

        public NeuralFP.Core.Detectors.State.DetectorState Save() => inner.Save();
    }

    [Fact]
    public void Known_scores_for_other_records_are_refused()
    {
        var heldOut = HeldOut();
        var knn = OodDetectorCatalog.Create(DetectorNames.Knn, SyntheticActivations.Head, seed: 3);
        knn.Fit(SyntheticActivations.Reference(seed: 1));
        var combined = new CombinedDetector([CombinedDetector.FingerprintMember, DetectorNames.Knn], CombinedDetector.FisherRule);
        combined.Bind([knn]);

        var e = Assert.Throws<ArgumentException>(() => combined.Fit(heldOut, new Dictionary<string, double[]> { [DetectorNames.Knn] = new double[heldOut.Records - 1] }));

        Assert.Contains("knn", e.Message);
    }
}
