using NeuralFP.Core.Detectors;
using NeuralFP.Core.Fingerprints;
using NeuralFP.Core.Metrics;

namespace NeuralFP.Core.Tests.Detectors;

/// <summary>
/// The combined detector's Gaussian rule: one density over the fingerprint's log statistics and the partners' scores,
/// fitted on held-out records, calibrated on cross-fitted scores, robust to a partner that carries no evidence.
/// </summary>
public sealed class CombinedGaussianRuleTests
{
    private const int Statistics = 4;

    /// <summary>Per record 4 correlated log-normal statistics (a fingerprint's errors and latent distances); <paramref name="shift"/> raises the first two.</summary>
    private static float[] FingerprintStatistics(int records, int seed, double shift = 0)
    {
        var random = new Random(seed);
        var values = new float[records * Statistics];
        for (var r = 0; r < records; r++)
        {
            var common = SyntheticActivations.Gaussian(random);
            for (var s = 0; s < Statistics; s++)
                values[r * Statistics + s] = (float)Math.Exp(0.3 * (0.6 * common + 0.8 * SyntheticActivations.Gaussian(random)) + (s < 2 ? shift : 0));
        }
        return values;
    }

    /// <summary>The fingerprint's own score of those statistics (Σ of squared log values, as a Gaussian integration would give).</summary>
    private static double[] FingerprintScores(float[] statistics) =>
        [.. Enumerable.Range(0, statistics.Length / Statistics).Select(r => Enumerable.Range(0, Statistics).Sum(s => Math.Pow(Math.Log(statistics[r * Statistics + s]), 2)))];

    private static DetectorInputs With(DetectorInputs inputs, float[] statistics) =>
        new(inputs.Logits, inputs.Penultimate, inputs.PatternLayer)
        {
            FingerprintStatistics = statistics, FingerprintStatisticCount = Statistics, FingerprintScores = FingerprintScores(statistics),
        };

    private static (CalibratedDetector Knn, DetectorInputs HeldOut) Partner()
    {
        var knn = CalibratedDetector.FitAndCalibrate(new KnnDetector(new KnnOptions { Seed = 1 }), SyntheticActivations.Reference(seed: 1), SyntheticActivations.Reference(seed: 2));
        return (knn, With(SyntheticActivations.Reference(seed: 3), FingerprintStatistics(300, seed: 3)));
    }

    private static CombinedDetector Fit(string rule, CalibratedDetector knn, DetectorInputs heldOut)
    {
        var combined = new CombinedDetector([CombinedDetector.FingerprintMember, DetectorNames.Knn], rule);
        combined.Bind([knn.Detector]);
        combined.Fit(heldOut);
        return combined;
    }

    [Fact]
    public void Strong_evidence_in_the_statistics_or_in_a_partner_scores_above_every_held_out_record()
    {
        var (knn, heldOut) = Partner();
        var combined = Fit(CombinedDetector.GaussianRule, knn, heldOut);
        var heldOutScores = SyntheticActivations.Scores(combined, heldOut);

        var farInFeatures = SyntheticActivations.Scores(combined, With(SyntheticActivations.Far(), FingerprintStatistics(1, seed: 9)));
        var farInStatistics = SyntheticActivations.Scores(combined, With(SyntheticActivations.Reference(perClass: 1, seed: 4), FingerprintStatistics(3, seed: 4, shift: Math.Log(50))));

        Assert.True(farInFeatures.Min() > heldOutScores.Max(), $"partner evidence: {farInFeatures.Min()} vs {heldOutScores.Max()}");
        Assert.True(farInStatistics.Min() > heldOutScores.Max(), $"fingerprint evidence: {farInStatistics.Min()} vs {heldOutScores.Max()}");
    }

    [Fact]
    public void A_partner_without_evidence_costs_the_gaussian_rule_less_than_fishers_sum()
    {
        var (knn, heldOut) = Partner();
        // The shift is in the fingerprint's statistics only: the OOD records' features are in-distribution, so k-NN is useless.
        var id = With(SyntheticActivations.Reference(seed: 5), FingerprintStatistics(300, seed: 5));
        var ood = With(SyntheticActivations.Reference(seed: 6), FingerprintStatistics(300, seed: 6, shift: 0.25));

        double Auroc(CombinedDetector d) => OodMetrics.Compute(SyntheticActivations.Scores(d, id), SyntheticActivations.Scores(d, ood)).Auroc;
        var gaussian = Auroc(Fit(CombinedDetector.GaussianRule, knn, heldOut));
        var fisher = Auroc(Fit(CombinedDetector.FisherRule, knn, heldOut));
        var fingerprintAlone = OodMetrics.Compute(id.FingerprintScores!, ood.FingerprintScores!).Auroc;

        Assert.True(gaussian > fisher + 0.02, $"gaussian {gaussian:F3}, fisher {fisher:F3}, fingerprint alone {fingerprintAlone:F3}");
    }

    [Fact]
    public void Calibration_scores_are_cross_fitted_so_they_read_less_typical_than_in_sample_scores()
    {
        var (knn, heldOut) = Partner();
        var combined = Fit(CombinedDetector.GaussianRule, knn, heldOut);

        var inSample = SyntheticActivations.Scores(combined, heldOut);
        var crossFitted = combined.CalibrationScores;

        Assert.Equal(heldOut.Records, crossFitted.Length);
        Assert.True(crossFitted.Average() > inSample.Average() * 1.02, $"cross-fitted mean {crossFitted.Average():F3}, in-sample {inSample.Average():F3}");
        // Fresh in-distribution records flag near the target when the threshold comes from the cross-fitted scores.
        var calibrated = new CalibratedDetector(combined, ScoreCalibration.Fit(crossFitted, 0.1));
        var fresh = With(SyntheticActivations.Reference(perClass: 300, seed: 8), FingerprintStatistics(900, seed: 8));
        var flagged = SyntheticActivations.Scores(combined, fresh).Count(s => calibrated.Calibration.IsOod(s)) / 900.0;
        Assert.InRange(flagged, 0.06, 0.14);
    }

    /// <summary>Statistics that depend on the predicted class: class 0's are e^1 times the others' (records class-major, 100 per class).</summary>
    private static float[] ClassDependentStatistics(int perClass, int seed, int? lookLikeClass = null)
    {
        var values = FingerprintStatistics(3 * perClass, seed);
        for (var r = 0; r < 3 * perClass; r++)
            if ((lookLikeClass ?? r / perClass) == 0)
                for (var s = 0; s < Statistics; s++) values[r * Statistics + s] *= (float)Math.E;
        return values;
    }

    [Fact]
    public void The_per_class_rule_flags_statistics_typical_of_another_class_which_one_mean_cannot()
    {
        var knn = CalibratedDetector.FitAndCalibrate(new KnnDetector(new KnnOptions { Seed = 1 }), SyntheticActivations.Reference(seed: 1), SyntheticActivations.Reference(seed: 2));
        var heldOut = With(SyntheticActivations.Reference(seed: 3), ClassDependentStatistics(100, seed: 3));
        var id = With(SyntheticActivations.Reference(seed: 5), ClassDependentStatistics(100, seed: 5));
        // Records the model puts in classes 0-2 whose statistics are those of class 0: typical overall, not for classes 1 and 2.
        var ood = With(SyntheticActivations.Reference(seed: 6), ClassDependentStatistics(100, seed: 6, lookLikeClass: 0));
        var oodRows = Enumerable.Range(100, 200).ToArray();

        double Auroc(string rule)
        {
            var combined = Fit(rule, knn, heldOut);
            var oodScores = SyntheticActivations.Scores(combined, ood);
            return OodMetrics.Compute(SyntheticActivations.Scores(combined, id), [.. oodRows.Select(r => oodScores[r])]).Auroc;
        }
        var perClass = Auroc(CombinedDetector.GaussianPerClassRule);
        var oneMean = Auroc(CombinedDetector.GaussianRule);

        Assert.True(perClass > 0.9 && perClass > oneMean + 0.15, $"per class {perClass:F3}, one mean {oneMean:F3}");
    }

    [Fact]
    public void The_per_class_rule_needs_the_logits_and_says_so()
    {
        var (knn, heldOut) = Partner();
        var combined = Fit(CombinedDetector.GaussianPerClassRule, knn, heldOut);
        var noLogits = new DetectorInputs(penultimate: heldOut.Penultimate)
        {
            FingerprintStatistics = heldOut.FingerprintStatistics, FingerprintStatisticCount = Statistics,
        };

        var e = Assert.Throws<ArgumentException>(() => combined.Score(noLogits, new double[noLogits.Records]));

        Assert.Contains("logits", e.Message);
    }

    [Theory]
    [InlineData(CombinedDetector.GaussianRule)]
    [InlineData(CombinedDetector.GaussianPerClassRule)]
    public void A_saved_set_restores_the_gaussian_rule(string rule)
    {
        var (knn, heldOut) = Partner();
        var combined = Fit(rule, knn, heldOut);
        var set = new DetectorSet("penultimate", [knn, new CalibratedDetector(combined, ScoreCalibration.Fit(combined.CalibrationScores))]);

        var restored = DetectorSet.FromJson(set.ToJson());

        var records = With(SyntheticActivations.Reference(perClass: 5, seed: 11), FingerprintStatistics(15, seed: 11, shift: 0.5));
        Assert.Equal(SyntheticActivations.Scores(set[DetectorNames.Combined].Detector, records), SyntheticActivations.Scores(restored[DetectorNames.Combined].Detector, records));
        Assert.Equal(rule, ((CombinedDetector)restored[DetectorNames.Combined].Detector).Rule);
    }

    [Fact]
    public void Scoring_without_the_fingerprint_statistics_names_what_is_missing()
    {
        var (knn, heldOut) = Partner();
        var combined = Fit(CombinedDetector.GaussianRule, knn, heldOut);

        var e = Assert.Throws<ArgumentException>(() => combined.Score(SyntheticActivations.Far(), new double[1]));

        Assert.Contains("FingerprintStatistics", e.Message);
    }

    [Fact]
    public void Another_rule_is_fitted_on_the_same_held_out_records()
    {
        var (knn, heldOut) = Partner();
        var fisher = Fit(CombinedDetector.FisherRule, knn, heldOut);
        var gaussian = Fit(CombinedDetector.GaussianRule, knn, heldOut);

        var other = fisher.WithRule(CombinedDetector.GaussianRule);

        Assert.Equal(gaussian.CalibrationScores, other.CalibrationScores);
        Assert.Equal(SyntheticActivations.Scores(gaussian, heldOut), SyntheticActivations.Scores(other, heldOut));
    }

    [Fact]
    public void The_rule_and_members_are_read_from_fingerprint_json_and_default_to_the_panel_choice()
    {
        var options = FingerprintOptions.FromJson("""{"combinedRule":"fisher","combinedMembers":["knn"]}""");

        Assert.Equal(CombinedDetector.FisherRule, options.CombinedRule);
        Assert.Equal([DetectorNames.Knn], options.CombinedMembers);
        Assert.Equal(CombinedDetector.WeightedMinPRule, new FingerprintOptions().CombinedRule);
        Assert.Equal([DetectorNames.Knn, DetectorNames.Energy, DetectorNames.Mahalanobis], new FingerprintOptions().CombinedMembers);
        Assert.Equal(0.9, new FingerprintOptions().CombinedFingerprintShare);
        // The rules' own default share is unchanged (saved detectors and explicit options read as before).
        Assert.Equal(0.75, CombinedDetector.DefaultFingerprintShare);
        Assert.Contains("CombinedRule", Assert.Throws<ArgumentException>(() => FingerprintOptions.FromJson("""{"combinedRule":"vote"}""")).Message);
    }

    [Theory]
    [InlineData("median")]
    [InlineData("")]
    public void An_unknown_rule_is_refused_by_name(string rule)
    {
        var e = Assert.Throws<ArgumentException>(() => new FingerprintOptions { CombinedRule = rule }.Validate());

        Assert.Contains("CombinedRule", e.Message);
    }

    [Theory]
    [InlineData("combined")]
    [InlineData("knn-typo")]
    public void A_member_the_combined_detector_cannot_read_is_refused_by_name(string member)
    {
        var e = Assert.Throws<ArgumentException>(() => new FingerprintOptions { CombinedMembers = [DetectorNames.Knn, member] }.Validate());

        Assert.Contains($"'{member}'", e.Message);
    }
}
