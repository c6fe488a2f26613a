using NeuralFP.Core.Detectors;
using NeuralFP.Core.Detectors.State;
using NeuralFP.Core.Fingerprints;
using NeuralFP.Core.Metrics;

namespace NeuralFP.Core.Tests.Detectors;

/// <summary>
/// The combined rules that let the fingerprint speak with one voice beside its partners (its integrated score in a
/// Gaussian, a weighted Bonferroni "most alarmed member", Fisher's sum weighted by the members' held-out covariance):
/// fitted on held-out in-distribution member scores only (given as known scores, so the maths is tested on its own).
/// </summary>
public sealed class CombinedFingerprintVoiceTests
{
    private static readonly string[] Partners = [DetectorNames.Knn, DetectorNames.Energy, DetectorNames.Mahalanobis];
    private static readonly string[] Members = [CombinedDetector.FingerprintMember, .. Partners];

    /// <summary>
    /// Member scores of <paramref name="perClass"/> × 3 records: the fingerprint's a χ²-like positive score, the partners
    /// three correlated ones (k-NN and energy share most of their noise). <paramref name="fingerprintShift"/> raises the
    /// fingerprint's log score, <paramref name="partnerShift"/> k-NN's score (in sd).
    /// </summary>
    private static (DetectorInputs Inputs, double[][] Scores) Records(int perClass, int seed, double fingerprintShift = 0, double partnerShift = 0)
    {
        var reference = SyntheticActivations.Reference(perClass, seed);
        var random = new Random(seed + 1000);
        var n = reference.Records;
        var scores = Members.Select(_ => new double[n]).ToArray();
        for (var r = 0; r < n; r++)
        {
            double z0 = SyntheticActivations.Gaussian(random), z1 = SyntheticActivations.Gaussian(random), z2 = SyntheticActivations.Gaussian(random), z3 = SyntheticActivations.Gaussian(random);
            scores[0][r] = 10 * Math.Exp(0.3 * z0 + fingerprintShift);
            scores[1][r] = z1 + partnerShift;
            scores[2][r] = 0.9 * z1 + 0.44 * z2;
            scores[3][r] = 0.5 * z1 + 0.87 * z3;
        }
        var inputs = new DetectorInputs(reference.Logits, reference.Penultimate, reference.PatternLayer)
        {
            FingerprintScores = scores[0],
            // The statistics-reading rules need them; here the fingerprint's log score split in two.
            FingerprintStatistics = [.. scores[0].SelectMany(s => new[] { (float)Math.Sqrt(s), (float)Math.Sqrt(s) })],
            FingerprintStatisticCount = 2,
        };
        return (inputs, scores);
    }

    private static CombinedDetector Fit(string rule, double share = CombinedDetector.DefaultFingerprintShare, string[]? members = null, int perClass = 700, int seed = 1)
    {
        var (inputs, scores) = Records(perClass, seed);
        members ??= Members;
        var combined = new CombinedDetector(members, rule, fingerprintShare: share);
        combined.Fit(inputs, Partners.Select((p, i) => (p, scores[i + 1])).Where(x => members.Contains(x.p)).ToDictionary(x => x.p, x => x.Item2));
        return combined;
    }

    private static double[] Score(CombinedDetector combined, (DetectorInputs Inputs, double[][] Scores) records)
    {
        var scores = new double[records.Inputs.Records];
        var members = combined.Members.Select(m => records.Scores[Array.IndexOf(Members, m)]).ToArray();
        combined.Combine(members, scores, records.Inputs.FingerprintStatistics, records.Inputs.FingerprintStatisticCount, records.Inputs.FitClasses("test", preferLabels: false));
        return scores;
    }

    private static double Auroc(CombinedDetector combined, double fingerprintShift, double partnerShift)
    {
        var id = Records(perClass: 400, seed: 2);
        var ood = Records(perClass: 400, seed: 3, fingerprintShift, partnerShift);
        return OodMetrics.Compute(Score(combined, id), Score(combined, ood)).Auroc;
    }

    // (The score-Gaussian rules are not here: the density is two-sided in the fingerprint's log score, so a weak shift of
    // that one dimension is diluted by the partners' dimensions much as Fisher's sum dilutes it; the panel measures them.)
    [Theory]
    [InlineData(CombinedDetector.WeightedMinPRule)]
    [InlineData(CombinedDetector.DecorrelatedFisherRule)]
    [InlineData(CombinedDetector.FingerprintOrDensityRule)]
    public void A_shift_only_the_fingerprint_sees_is_diluted_less_than_by_fishers_plain_sum(string rule)
    {
        // A weak shift of the fingerprint alone (its AUROC about 0.75): the partners carry no evidence.
        var alone = OodMetrics.Compute(Records(400, 2).Scores[0], Records(400, 3, fingerprintShift: 0.25).Scores[0]).Auroc;
        var fisher = Auroc(Fit(CombinedDetector.FisherRule), fingerprintShift: 0.25, partnerShift: 0);

        var auroc = Auroc(Fit(rule), fingerprintShift: 0.25, partnerShift: 0);

        Assert.True(auroc > fisher + 0.03, $"{rule} {auroc:F3}, fisher {fisher:F3}, fingerprint alone {alone:F3}");
    }

    [Fact]
    public void Under_the_weighted_rule_the_fingerprint_alone_loses_at_most_a_little_of_its_own_auroc()
    {
        var alone = OodMetrics.Compute(Records(400, 2).Scores[0], Records(400, 3, fingerprintShift: 0.25).Scores[0]).Auroc;

        var weighted = Auroc(Fit(CombinedDetector.WeightedMinPRule, share: 0.9), fingerprintShift: 0.25, partnerShift: 0);
        var even = Auroc(Fit(CombinedDetector.MinPRule), fingerprintShift: 0.25, partnerShift: 0);

        Assert.True(weighted >= alone - 0.02, $"weighted {weighted:F3}, fingerprint alone {alone:F3}");
        Assert.True(weighted > even + 0.02, $"weighted {weighted:F3}, plain min-p {even:F3}");
    }

    // (Not the decorrelated sum: a partner that shares its noise with the others gets a small weight, so a shift that
    // it alone sees weighs little there; the panel measures that rule.)
    [Theory]
    [InlineData(CombinedDetector.WeightedMinPRule)]
    [InlineData(CombinedDetector.ScoreGaussianPerClassRule)]
    [InlineData(CombinedDetector.FingerprintOrDensityRule)]
    public void A_shift_only_a_partner_sees_is_still_caught(string rule)
    {
        var auroc = Auroc(Fit(rule), fingerprintShift: 0, partnerShift: 4);

        Assert.True(auroc > 0.95, $"{rule}: {auroc:F3}");
    }

    [Theory]
    [InlineData(CombinedDetector.WeightedMinPRule)]
    [InlineData(CombinedDetector.ScoreGaussianRule)]
    [InlineData(CombinedDetector.ScoreGaussianPerClassRule)]
    [InlineData(CombinedDetector.DecorrelatedFisherRule)]
    [InlineData(CombinedDetector.FingerprintOrDensityRule)]
    public void The_threshold_from_the_calibration_scores_holds_the_target_rate_on_fresh_in_distribution_records(string rule)
    {
        var combined = Fit(rule);
        var calibration = ScoreCalibration.Fit(combined.CalibrationScores, 0.05);

        var fresh = Score(combined, Records(perClass: 2000, seed: 4));
        var flagged = fresh.Count(calibration.IsOod) / (double)fresh.Length;

        Assert.InRange(flagged, 0.04, 0.06);
    }

    [Theory]
    [InlineData(CombinedDetector.WeightedMinPRule)]
    [InlineData(CombinedDetector.MinPRule)]
    [InlineData(CombinedDetector.FingerprintOrDensityRule)]
    public void With_few_held_out_records_the_calibration_scores_measure_each_record_against_the_others(string rule)
    {
        // 150 held-out records (a small table's): a partner's share of a 5% budget is a p-value of one or two records.
        double sumCalibrated = 0, sumInSample = 0;
        const int Fits = 12;
        var fresh = Records(perClass: 2000, seed: 99);
        for (var seed = 0; seed < Fits; seed++)
        {
            var combined = Fit(rule, perClass: 50, seed: 100 + seed);
            var scores = Score(combined, fresh);
            var calibrated = ScoreCalibration.Fit(combined.CalibrationScores, 0.05);
            // The same held-out records scored as new ones (each counted against itself too): the earlier calibration.
            var inSample = ScoreCalibration.Fit(Score(combined, Records(perClass: 50, seed: 100 + seed)), 0.05);
            sumCalibrated += scores.Count(calibrated.IsOod) / (double)scores.Length;
            sumInSample += scores.Count(inSample.IsOod) / (double)scores.Length;
        }

        Assert.InRange(sumCalibrated / Fits, 0.04, 0.06);
        Assert.True(sumInSample / Fits > sumCalibrated / Fits + 0.003, $"in-sample {sumInSample / Fits:P2}, against the others {sumCalibrated / Fits:P2}");
    }

    [Fact]
    public void The_weighted_rule_gives_each_member_its_share_of_the_false_positive_budget()
    {
        var combined = Fit(CombinedDetector.WeightedMinPRule, share: 0.7);

        Assert.Equal([0.7, 0.1, 0.1, 0.1], combined.Weights!.Select(w => Math.Round(w, 12)));
        // Equally alarmed (the same held-out rank), the fingerprint's p-value weighs 7 times a partner's: its evidence is
        // ln(0.7) where the partner's is ln(0.1).
        var held = Records(perClass: 700, seed: 1).Scores;
        double[] Top(int member) => [held[member].Max() - 1e-9];
        double[] Middle(int member) => [held[member].Order().ElementAt(held[member].Length / 2)];
        var fingerprintAlarmed = new double[1];
        var partnerAlarmed = new double[1];
        combined.Combine([Top(0), Middle(1), Middle(2), Middle(3)], fingerprintAlarmed);
        combined.Combine([Middle(0), Top(1), Middle(2), Middle(3)], partnerAlarmed);
        Assert.Equal(Math.Log(7), fingerprintAlarmed[0] - partnerAlarmed[0], 6);
    }

    [Fact]
    public void Under_fingerprint_or_density_the_fingerprint_alone_keeps_nearly_its_own_auroc_and_the_density_adds_the_partners()
    {
        var alone = OodMetrics.Compute(Records(400, 2).Scores[0], Records(400, 3, fingerprintShift: 0.25).Scores[0]).Auroc;
        var combined = Fit(CombinedDetector.FingerprintOrDensityRule, share: 0.75);
        var density = Fit(CombinedDetector.GaussianPerClassRule);

        var fingerprintShift = Auroc(combined, fingerprintShift: 0.25, partnerShift: 0);
        var bothShift = Auroc(combined, fingerprintShift: 0.1, partnerShift: 1);

        Assert.True(fingerprintShift >= alone - 0.03, $"fingerprint-or-density {fingerprintShift:F3}, fingerprint alone {alone:F3}");
        Assert.True(fingerprintShift > Auroc(density, 0.25, 0) + 0.01, $"fingerprint-or-density {fingerprintShift:F3}, the density alone {Auroc(density, 0.25, 0):F3}");
        // A weak shift in both voices: above the fingerprint's own AUROC on it.
        var fingerprintOnBoth = OodMetrics.Compute(Records(400, 2).Scores[0], Records(400, 3, fingerprintShift: 0.1, partnerShift: 1).Scores[0]).Auroc;
        Assert.True(bothShift > fingerprintOnBoth + 0.05, $"fingerprint-or-density {bothShift:F3}, fingerprint alone {fingerprintOnBoth:F3}");
    }

    [Fact]
    public void A_fingerprint_or_density_state_without_the_density_scores_is_refused()
    {
        var state = (CombinedState)Fit(CombinedDetector.FingerprintOrDensityRule).Save();

        var e = Assert.Throws<InvalidDataException>(() => OodDetectorCatalog.Load(state with { DensityHeldOutScores = null }));

        Assert.Contains("density", e.Message);
    }

    [Fact]
    public void Two_partners_that_say_the_same_thing_share_one_weight_in_the_decorrelated_sum()
    {
        var (inputs, scores) = Records(perClass: 700, seed: 1);
        // Energy a copy of k-NN: together they should weigh about what the independent fingerprint weighs.
        var combined = new CombinedDetector([CombinedDetector.FingerprintMember, DetectorNames.Knn, DetectorNames.Energy], CombinedDetector.DecorrelatedFisherRule);
        combined.Fit(inputs, new Dictionary<string, double[]> { [DetectorNames.Knn] = scores[1], [DetectorNames.Energy] = scores[1] });

        var w = combined.Weights!;
        Assert.Equal(1, w.Sum(), 9);
        Assert.InRange(w[0], 0.42, 0.58);
        Assert.InRange(w[1] + w[2], 0.42, 0.58);
    }

    [Theory]
    [InlineData(CombinedDetector.WeightedMinPRule)]
    [InlineData(CombinedDetector.ScoreGaussianRule)]
    [InlineData(CombinedDetector.ScoreGaussianPerClassRule)]
    [InlineData(CombinedDetector.DecorrelatedFisherRule)]
    [InlineData(CombinedDetector.FingerprintOrDensityRule)]
    public void A_saved_detector_loads_with_its_rule_weights_and_scores(string rule)
    {
        var combined = Fit(rule, share: 0.8);

        var restored = (CombinedDetector)OodDetectorCatalog.Load(DetectorJson.Deserialize(DetectorJson.Serialize(combined.Save())));

        Assert.Equal(rule, restored.Rule);
        Assert.Equal(combined.Weights, restored.Weights);
        var records = Records(perClass: 20, seed: 5, fingerprintShift: 0.3);
        Assert.Equal(Score(combined, records), Score(restored, records));
    }

    [Fact]
    public void A_detector_saved_before_these_rules_existed_loads_unchanged()
    {
        // The saved state of a gaussian-per-class combined detector as earlier versions wrote it: no weights, no share.
        var old = Fit(CombinedDetector.GaussianPerClassRule);
        var json = DetectorJson.Serialize(old.Save());
        Assert.DoesNotContain("weights", json, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("fingerprintShare", json, StringComparison.OrdinalIgnoreCase);

        var restored = (CombinedDetector)OodDetectorCatalog.Load(DetectorJson.Deserialize(json));

        Assert.Equal(CombinedDetector.GaussianPerClassRule, restored.Rule);
        var records = Records(perClass: 20, seed: 6, fingerprintShift: 0.3);
        Assert.Equal(Score(old, records), Score(restored, records));
    }

    [Fact]
    public void A_p_value_detector_saved_before_interpolation_scores_with_the_stepped_p_values_it_was_calibrated_on()
    {
        // A Fisher state as earlier versions wrote it (no "pValues"): held-out scores 1..9 for both members.
        double[] heldOut = [1, 2, 3, 4, 5, 6, 7, 8, 9];
        var old = new CombinedState { Members = [CombinedDetector.FingerprintMember, DetectorNames.Knn], Rule = CombinedDetector.FisherRule, HeldOutScores = [heldOut, heldOut] };
        var restored = (CombinedDetector)OodDetectorCatalog.Load(DetectorJson.Deserialize(DetectorJson.Serialize(old)));

        var scores = new double[2];
        restored.Combine([[4.5, 9], [2.5, 1]], scores);

        // (1 + #held-out ≥ s) / (n + 1): 4.5 → 6/10, 2.5 → 8/10; 9 → 2/10, 1 → 10/10.
        Assert.Equal(-Math.Log(0.6) - Math.Log(0.8), scores[0], 12);
        Assert.Equal(-Math.Log(0.2) - Math.Log(1.0), scores[1], 12);
        // A detector fitted now interpolates between neighbouring held-out scores, and says so in its state.
        var fresh = Fit(CombinedDetector.FisherRule);
        Assert.Equal(CombinedState.InterpolatedPValues, ((CombinedState)fresh.Save()).PValues);
    }

    [Fact]
    public void A_weighted_state_without_its_weights_is_refused()
    {
        var state = (CombinedState)Fit(CombinedDetector.WeightedMinPRule).Save();

        var e = Assert.Throws<InvalidDataException>(() => OodDetectorCatalog.Load(state with { Weights = [0.75, 0.25] }));

        Assert.Contains("weights", e.Message);
    }

    [Fact]
    public void A_subset_refitted_on_the_same_records_is_the_detector_fitted_on_that_subset()
    {
        string[] subset = [CombinedDetector.FingerprintMember, DetectorNames.Knn];
        var direct = Fit(CombinedDetector.WeightedMinPRule, share: 0.6, members: subset);

        var refitted = Fit(CombinedDetector.FisherRule).Refit(subset, CombinedDetector.WeightedMinPRule, 0.6);

        Assert.Equal(direct.CalibrationScores, refitted.CalibrationScores);
        Assert.Equal(subset, refitted.Members);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(double.NaN)]
    public void A_share_outside_zero_to_one_is_refused_by_name(double share)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new CombinedDetector(Members, CombinedDetector.WeightedMinPRule, fingerprintShare: share));
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new FingerprintOptions { CombinedFingerprintShare = share }.Validate());
        Assert.Contains("CombinedFingerprintShare", e.Message);
    }

    [Theory]
    [InlineData(CombinedDetector.WeightedMinPRule)]
    [InlineData(CombinedDetector.ScoreGaussianRule)]
    public void The_fingerprint_voice_rules_need_the_fingerprint_as_a_member(string rule)
    {
        var e = Assert.Throws<ArgumentException>(() => new CombinedDetector(Partners, rule));

        Assert.Contains(CombinedDetector.FingerprintMember, e.Message);
    }

    [Fact]
    public void The_share_is_read_from_fingerprint_json()
    {
        var options = FingerprintOptions.FromJson("""{"combinedRule":"weighted-min-p","combinedFingerprintShare":0.6}""");

        Assert.Equal(CombinedDetector.WeightedMinPRule, options.CombinedRule);
        Assert.Equal(0.6, options.CombinedFingerprintShare);
    }
}
