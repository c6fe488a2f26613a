using NeuralFP.Core.Detectors;
using NeuralFP.Core.Detectors.State;
using NeuralFP.Core.Detectors.Numerics;
using NeuralFP.Core.Fingerprints;
using NeuralFP.Core.Metrics;

namespace NeuralFP.Core.Tests.Detectors;

/// <summary>
/// The combined detector's neighbours rules: the fingerprint's k-NN density over the Gaussian rules' vectors (log
/// statistics and the partners' standardised scores), fitted on held-out records, calibrated on cross-fitted scores,
/// saved with its bank, and a class the held-out records never had read against every banked vector.
/// </summary>
public sealed class CombinedNeighboursRuleTests
{
    private const int Statistics = 4;

    /// <summary>Per record 4 correlated log-normal statistics; <paramref name="shift"/> raises the first two. Records
    /// class-major (3 classes of <c>records / 3</c>); <paramref name="classShift"/> multiplies class 0's by e (or, with
    /// <paramref name="lookLikeClass"/> 0, every record's).</summary>
    private static float[] FingerprintStatistics(int records, int seed, double shift = 0, bool classShift = false, int? lookLikeClass = null)
    {
        var random = new Random(seed);
        var values = new float[records * Statistics];
        for (var r = 0; r < records; r++)
        {
            var common = SyntheticActivations.Gaussian(random);
            var ofClass0 = classShift && (lookLikeClass ?? r / (records / 3)) == 0;
            for (var s = 0; s < Statistics; s++)
                values[r * Statistics + s] = (float)Math.Exp(0.3 * (0.6 * common + 0.8 * SyntheticActivations.Gaussian(random)) + (s < 2 ? shift : 0) + (ofClass0 ? 1 : 0));
        }
        return values;
    }

    private static DetectorInputs With(DetectorInputs inputs, float[] statistics) =>
        new(inputs.Logits, inputs.Penultimate, inputs.PatternLayer)
        {
            FingerprintStatistics = statistics, FingerprintStatisticCount = Statistics,
            FingerprintScores = [.. Enumerable.Range(0, statistics.Length / Statistics).Select(r => Enumerable.Range(0, Statistics).Sum(s => Math.Pow(Math.Log(statistics[r * Statistics + s]), 2)))],
        };

    private static CalibratedDetector Knn() =>
        CalibratedDetector.FitAndCalibrate(new KnnDetector(new KnnOptions { Seed = 1 }), SyntheticActivations.Reference(seed: 1), SyntheticActivations.Reference(seed: 2));

    private static CombinedDetector Fit(string rule, CalibratedDetector knn, DetectorInputs heldOut)
    {
        var combined = new CombinedDetector([CombinedDetector.FingerprintMember, DetectorNames.Knn], rule);
        combined.Bind([knn.Detector]);
        combined.Fit(heldOut);
        return combined;
    }

    [Theory]
    [InlineData(CombinedDetector.NeighboursRule)]
    [InlineData(CombinedDetector.NeighboursPerClassRule)]
    public void Strong_evidence_in_the_statistics_or_in_a_partner_scores_above_every_held_out_record(string rule)
    {
        var knn = Knn();
        var heldOut = With(SyntheticActivations.Reference(seed: 3), FingerprintStatistics(300, seed: 3));
        var combined = Fit(rule, knn, heldOut);
        var heldOutScores = SyntheticActivations.Scores(combined, heldOut);

        var farInFeatures = SyntheticActivations.Scores(combined, With(SyntheticActivations.Far(), FingerprintStatistics(1, seed: 9)));
        var farInStatistics = SyntheticActivations.Scores(combined, With(SyntheticActivations.Reference(perClass: 1, seed: 4), FingerprintStatistics(3, seed: 4, shift: Math.Log(50))));

        Assert.True(farInFeatures.Min() > heldOutScores.Max(), $"partner evidence: {farInFeatures.Min()} vs {heldOutScores.Max()}");
        Assert.True(farInStatistics.Min() > heldOutScores.Max(), $"fingerprint evidence: {farInStatistics.Min()} vs {heldOutScores.Max()}");
        Assert.Contains($"k-NN density (k = {NeighbourDensity.DefaultNeighbours}", combined.Description);
    }

    [Theory]
    [InlineData(CombinedDetector.NeighboursRule)]
    [InlineData(CombinedDetector.NeighboursPerClassRule)]
    public void A_threshold_on_the_cross_fitted_scores_flags_fresh_records_near_the_target(string rule)
    {
        var knn = Knn();
        var heldOut = With(SyntheticActivations.Reference(perClass: 200, seed: 3), FingerprintStatistics(600, seed: 3));
        var combined = Fit(rule, knn, heldOut);

        var crossFitted = combined.CalibrationScores;
        var inSample = SyntheticActivations.Scores(combined, heldOut);

        Assert.Equal(heldOut.Records, crossFitted.Length);
        // Scored by the bank that holds it, a held-out record's k-th neighbour is one of k − 1 others: closer than a new record's.
        Assert.True(crossFitted.Average() > inSample.Average() * 1.02, $"cross-fitted mean {crossFitted.Average():F3}, in-sample {inSample.Average():F3}");
        var calibration = ScoreCalibration.Fit(crossFitted, 0.1);
        var fresh = With(SyntheticActivations.Reference(perClass: 300, seed: 8), FingerprintStatistics(900, seed: 8));
        var flagged = SyntheticActivations.Scores(combined, fresh).Count(calibration.IsOod) / 900.0;
        Assert.InRange(flagged, 0.06, 0.14);
    }

    [Fact]
    public void Fits_are_deterministic()
    {
        var knn = Knn();
        var heldOut = With(SyntheticActivations.Reference(seed: 3), FingerprintStatistics(300, seed: 3));
        var records = With(SyntheticActivations.Reference(perClass: 10, seed: 12), FingerprintStatistics(30, seed: 12, shift: 0.3));

        var first = Fit(CombinedDetector.NeighboursPerClassRule, knn, heldOut);
        var second = Fit(CombinedDetector.NeighboursPerClassRule, knn, heldOut);

        Assert.Equal(first.CalibrationScores, second.CalibrationScores);
        Assert.Equal(SyntheticActivations.Scores(first, records), SyntheticActivations.Scores(second, records));
        Assert.Equal(DetectorSet.FromJson(new DetectorSet("penultimate", [knn, new CalibratedDetector(first, ScoreCalibration.Fit(first.CalibrationScores))]).ToJson()).ToJson(),
            new DetectorSet("penultimate", [knn, new CalibratedDetector(second, ScoreCalibration.Fit(second.CalibrationScores))]).ToJson());
    }

    [Fact]
    public void The_per_class_rule_flags_statistics_typical_of_another_class_which_one_bank_cannot()
    {
        var knn = Knn();
        var heldOut = With(SyntheticActivations.Reference(seed: 3), FingerprintStatistics(300, seed: 3, classShift: true));
        var id = With(SyntheticActivations.Reference(seed: 5), FingerprintStatistics(300, seed: 5, classShift: true));
        // Records the model puts in classes 0-2 whose statistics are those of class 0: typical overall, not for classes 1 and 2.
        var ood = With(SyntheticActivations.Reference(seed: 6), FingerprintStatistics(300, seed: 6, classShift: true, lookLikeClass: 0));
        var oodRows = Enumerable.Range(100, 200).ToArray();

        double Auroc(string rule)
        {
            var combined = Fit(rule, knn, heldOut);
            var oodScores = SyntheticActivations.Scores(combined, ood);
            return OodMetrics.Compute(SyntheticActivations.Scores(combined, id), [.. oodRows.Select(r => oodScores[r])]).Auroc;
        }
        var perClass = Auroc(CombinedDetector.NeighboursPerClassRule);
        var oneBank = Auroc(CombinedDetector.NeighboursRule);

        Assert.True(perClass > 0.9 && perClass > oneBank + 0.15, $"per class {perClass:F3}, one bank {oneBank:F3}");
    }

    [Fact]
    public void A_class_the_held_out_records_never_had_is_read_against_every_banked_vector()
    {
        var random = new Random(4);
        var n = 300;
        var statistics = FingerprintStatistics(n, seed: 4, classShift: true);
        var partner = Enumerable.Range(0, n).Select(_ => (double)SyntheticActivations.Gaussian(random)).ToArray();
        var classes = Enumerable.Range(0, n).Select(r => r / 100).ToArray();
        var density = CombinedGaussian.Fit(statistics, Statistics, [partner], classes: classes, neighbours: 10);
        var record = FingerprintStatistics(3, seed: 7, shift: 0.4);

        for (var r = 0; r < 3; r++)
        {
            var row = record[(r * Statistics)..((r + 1) * Statistics)];
            var perClass = Enumerable.Range(0, 3).Select(c => density.Score(row, [0.5], c)).ToArray();
            var unseen = density.Score(row, [0.5], predictedClass: 7);
            // Every banked vector holds each class's: its k-th nearest is no farther than any one class's k-th nearest.
            Assert.True(double.IsFinite(unseen) && unseen <= perClass.Min(), $"unseen class {unseen}, per class {string.Join(", ", perClass)}");
            Assert.Equal(unseen, density.Score(row, [0.5], predictedClass: -1));
        }
    }

    [Theory]
    [InlineData(CombinedDetector.NeighboursRule)]
    [InlineData(CombinedDetector.NeighboursPerClassRule)]
    public void A_saved_set_restores_the_neighbours_rule_with_its_bank(string rule)
    {
        var knn = Knn();
        var heldOut = With(SyntheticActivations.Reference(seed: 3), FingerprintStatistics(300, seed: 3));
        var combined = Fit(rule, knn, heldOut);
        var set = new DetectorSet("penultimate", [knn, new CalibratedDetector(combined, ScoreCalibration.Fit(combined.CalibrationScores))]);

        var json = set.ToJson();
        var restored = DetectorSet.FromJson(json);

        var records = With(SyntheticActivations.Reference(perClass: 5, seed: 11), FingerprintStatistics(15, seed: 11, shift: 0.5));
        Assert.Equal(SyntheticActivations.Scores(set[DetectorNames.Combined].Detector, records), SyntheticActivations.Scores(restored[DetectorNames.Combined].Detector, records));
        Assert.Equal(set[DetectorNames.Combined].Calibration.Threshold, restored[DetectorNames.Combined].Calibration.Threshold);
        var state = (CombinedState)combined.Save();
        Assert.Equal(rule, state.Rule);
        Assert.Equal(NeighbourDensity.DefaultNeighbours, state.Gaussian!.Neighbours);
        Assert.Equal(300 * 5, state.Gaussian.NeighbourBank!.Length);
        Assert.Equal(rule == CombinedDetector.NeighboursPerClassRule, state.Gaussian.NeighbourClasses is not null);
    }

    [Fact]
    public void A_gaussian_rule_is_saved_without_a_bank_and_a_neighbours_state_without_one_is_refused()
    {
        var knn = Knn();
        var heldOut = With(SyntheticActivations.Reference(seed: 3), FingerprintStatistics(300, seed: 3));
        var gaussian = Fit(CombinedDetector.GaussianPerClassRule, knn, heldOut);
        var neighbours = Fit(CombinedDetector.NeighboursPerClassRule, knn, heldOut);

        // A Gaussian state reads as it did before the neighbours rules: no new fields are written.
        var json = new DetectorSet("penultimate", [knn, new CalibratedDetector(gaussian, ScoreCalibration.Fit(gaussian.CalibrationScores))]).ToJson();
        Assert.DoesNotContain("neighbour", System.Text.Encoding.UTF8.GetString(json), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(CombinedDetector.GaussianPerClassRule, ((CombinedDetector)DetectorSet.FromJson(json)[DetectorNames.Combined].Detector).Rule);

        var state = (CombinedState)neighbours.Save();
        var withoutBank = state with { Gaussian = state.Gaussian! with { NeighbourBank = null, NeighbourClasses = null, Neighbours = null } };
        Assert.Throws<InvalidDataException>(() => OodDetectorCatalog.Load(withoutBank));
        var torn = state with { Gaussian = state.Gaussian! with { NeighbourBank = state.Gaussian.NeighbourBank![..^1] } };
        Assert.Throws<InvalidDataException>(() => OodDetectorCatalog.Load(torn));
        var oneBankAsPerClass = state with { Gaussian = state.Gaussian! with { NeighbourClasses = null } };
        Assert.Throws<InvalidDataException>(() => OodDetectorCatalog.Load(oneBankAsPerClass));
    }

    [Fact]
    public void The_panel_refit_on_the_same_held_out_records_matches_a_direct_fit()
    {
        var knn = Knn();
        var heldOut = With(SyntheticActivations.Reference(seed: 3), FingerprintStatistics(300, seed: 3));
        var fisher = Fit(CombinedDetector.FisherRule, knn, heldOut);
        var direct = Fit(CombinedDetector.NeighboursPerClassRule, knn, heldOut);

        var other = fisher.WithRule(CombinedDetector.NeighboursPerClassRule);

        Assert.Equal(direct.CalibrationScores, other.CalibrationScores);
        Assert.Equal(SyntheticActivations.Scores(direct, heldOut), SyntheticActivations.Scores(other, heldOut));
        // The fingerprint's statistics alone (no partner).
        var alone = fisher.Refit([CombinedDetector.FingerprintMember], CombinedDetector.NeighboursPerClassRule);
        Assert.Equal(heldOut.Records, alone.CalibrationScores.Length);
    }
}
