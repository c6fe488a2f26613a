using System.Text.Json;
using System.Text.Json.Nodes;
using NeuralFP.Core.Fingerprints;
using NeuralFP.Core.Verdicts;

namespace NeuralFP.Core.Tests.Verdicts;

/// <summary>
/// The class-conditional integration on synthetic statistics: one mean per predicted class (shrunk towards the overall
/// mean), the pooled within-class covariance, a threshold from cross-fitted held-out scores.
/// </summary>
public sealed class GaussianPerClassIntegrationTests
{
    // Per class, the centre of the log statistics: far apart, so the classes' mixture is broad and one mean covers them all.
    private static readonly double[][] Centres = [[0, 0, 0], [3, 0, -3], [-3, 3, 0]];

    private const double WithinSd = 0.3;

    /// <summary>[statistic][record] values exp(centre of the record's class + noise); <paramref name="drawnFrom"/> overrides the class the values come from.</summary>
    private static (float[][] Statistics, int[] Classes) Draw(int records, int seed, int? drawnFrom = null, int? labelled = null)
    {
        var random = new Random(seed);
        var statistics = Enumerable.Range(0, 3).Select(_ => new float[records]).ToArray();
        var classes = new int[records];
        for (var r = 0; r < records; r++)
        {
            var c = labelled ?? random.Next(Centres.Length);
            classes[r] = c;
            var source = Centres[drawnFrom ?? c];
            for (var s = 0; s < 3; s++) statistics[s][r] = (float)Math.Exp(source[s] + WithinSd * Normal(random));
        }
        return (statistics, classes);
    }

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    private static OneOutRule Rule(float[][] statistics) => OneOutRule.Calibrate(["a", "b", "c"], statistics, 0.05, twoSided: false);

    private static double Flagged(LayerIntegration integration, OneOutRule rule, float[][] statistics, int[] classes)
    {
        var flagged = 0;
        var record = new float[statistics.Length];
        for (var r = 0; r < classes.Length; r++)
        {
            for (var s = 0; s < record.Length; s++) record[s] = statistics[s][r];
            if (integration.IsOod(integration.Score(rule, record, classes[r]))) flagged++;
        }
        return (double)flagged / classes.Length;
    }

    [Fact]
    public void Statistics_typical_of_another_class_are_flagged_by_the_per_class_rule_and_missed_by_the_one_mean_rule()
    {
        var (calibration, classes) = Draw(3000, 1);
        var rule = Rule(calibration);
        var perClass = LayerIntegration.Calibrate(IntegrationKinds.GaussianPerClass, rule, calibration, 0.05, classes: classes);
        var oneMean = LayerIntegration.Calibrate(IntegrationKinds.Gaussian, rule, calibration, 0.05);
        // The model calls these class 0, but their statistics sit where class 1's do.
        var (misfits, labels) = Draw(2000, 2, drawnFrom: 1, labelled: 0);

        Assert.InRange(Flagged(perClass, rule, misfits, labels), 0.95, 1.0);
        Assert.InRange(Flagged(oneMean, rule, misfits, labels), 0.0, 0.2);
        Assert.Equal(IntegrationKinds.GaussianPerClass, perClass.Kind);
        Assert.Equal(3, perClass.ClassMeans!.Length);
        // Each class mean sits near its centre (log scale), far from the overall mean.
        for (var c = 0; c < 3; c++)
            for (var s = 0; s < 3; s++) Assert.InRange(perClass.ClassMeans[c][s], Centres[c][s] - 0.1, Centres[c][s] + 0.1);
    }

    [Fact]
    public void Fresh_in_distribution_records_are_flagged_at_about_the_target_rate()
    {
        var (calibration, classes) = Draw(1500, 3);
        var rule = Rule(calibration);
        var integration = LayerIntegration.Calibrate(IntegrationKinds.GaussianPerClass, rule, calibration, 0.05, classes: classes);
        var (fresh, freshClasses) = Draw(30000, 4);

        Assert.InRange(integration.RealisedFpr, 0.045, 0.05);
        Assert.InRange(Flagged(integration, rule, fresh, freshClasses), 0.04, 0.06);
    }

    [Fact]
    public void With_few_calibration_records_the_cross_fitted_threshold_holds_the_target_rate_on_average()
    {
        // The tabular panel model's size: ~196 calibration records, 8 correlated statistics. Scored by a Gaussian fitted on
        // them, records look more typical than new ones, and the threshold lets through more than the target rate.
        static float[][] Draw8(int records, Random random)
        {
            var values = Enumerable.Range(0, 8).Select(_ => new float[records]).ToArray();
            for (var r = 0; r < records; r++)
            {
                var shared = Normal(random);
                for (var s = 0; s < 8; s++) values[s][r] = (float)Math.Exp(0.7 * shared + Normal(random) + 0.1 * s);
            }
            return values;
        }
        var names = Enumerable.Range(0, 8).Select(s => $"l{s}").ToArray();
        var random = new Random(21);
        var fresh = Draw8(20000, new Random(22));
        double total = 0;
        const int Repeats = 40;
        for (var i = 0; i < Repeats; i++)
        {
            var calibration = Draw8(196, random);
            var rule = OneOutRule.Calibrate(names, calibration, 0.05, twoSided: false);
            var integration = LayerIntegration.Calibrate(IntegrationKinds.Gaussian, rule, calibration, 0.05);
            total += Flagged(integration, rule, fresh, new int[20000]);
        }

        Assert.InRange(total / Repeats, 0.04, 0.06);
    }

    [Fact]
    public void A_class_the_calibration_never_had_is_measured_from_the_overall_mean()
    {
        var (calibration, classes) = Draw(900, 5);
        var rule = Rule(calibration);
        var integration = LayerIntegration.Calibrate(IntegrationKinds.GaussianPerClass, rule, calibration, 0.05, classes: classes);
        float[] record = [1f, 1f, 1f];

        Assert.Equal(integration.Score(rule, record, -1), integration.Score(rule, record, 7));
        Assert.NotEqual(integration.Score(rule, record, 0), integration.Score(rule, record, 1));
    }

    [Fact]
    public void Without_predicted_classes_the_per_class_rule_is_refused_naming_the_one_mean_rule()
    {
        var (calibration, _) = Draw(300, 6);
        var rule = Rule(calibration);

        var e = Assert.Throws<ArgumentException>(() => LayerIntegration.Calibrate(IntegrationKinds.GaussianPerClass, rule, calibration, 0.05));

        Assert.Contains(IntegrationKinds.Gaussian, e.Message);
        Assert.Throws<ArgumentException>(() => LayerIntegration.Calibrate(IntegrationKinds.GaussianPerClass, rule, calibration, 0.05, classes: new int[5]));
    }

    [Fact]
    public void The_per_class_integration_survives_a_json_round_trip_with_identical_scores_for_every_class()
    {
        var (calibration, classes) = Draw(800, 7);
        var rule = Rule(calibration);
        var integration = LayerIntegration.Calibrate(IntegrationKinds.GaussianPerClass, rule, calibration, 0.05, classes: classes);

        var json = JsonSerializer.Serialize(integration, FingerprintJson.Options);
        var restored = JsonSerializer.Deserialize<LayerIntegration>(json, FingerprintJson.Options)!;

        Assert.Equal(IntegrationKinds.GaussianPerClass, restored.Kind);
        Assert.Equal(integration.Threshold, restored.Threshold);
        float[] record = [2f, 0.5f, 0.1f];
        for (var c = -1; c < 4; c++) Assert.Equal(integration.Score(rule, record, c), restored.Score(rule, record, c));
    }

    [Fact]
    public void A_one_mean_integration_saved_before_class_means_existed_loads_and_scores_as_before_whatever_the_class()
    {
        var (calibration, _) = Draw(800, 8);
        var rule = Rule(calibration);
        var integration = LayerIntegration.Calibrate(IntegrationKinds.Gaussian, rule, calibration, 0.05);
        // The form fingerprint.json had before: no classMeans member at all.
        var old = JsonNode.Parse(JsonSerializer.Serialize(integration, FingerprintJson.Options))!.AsObject();
        Assert.True(old.Remove("classMeans"));

        var restored = JsonSerializer.Deserialize<LayerIntegration>(old.ToJsonString(), FingerprintJson.Options)!;

        Assert.Null(restored.ClassMeans);
        Assert.False(restored.ReadsPredictedClass);
        float[] record = [3f, 0.25f, 40f];
        // The one-mean score, written out: the squared norm of L⁻¹ (ln x − μ).
        var centred = record.Select((x, i) => Math.Log(x) - restored.LogMean![i]).ToArray();
        double expected = 0;
        for (var i = 0; i < 3; i++)
        {
            double z = 0;
            for (var j = 0; j <= i; j++) z += restored.InverseCholesky![i * 3 + j] * centred[j];
            expected += z * z;
        }
        Assert.Equal(expected, restored.Score(rule, record), 9);
        for (var c = -1; c < 3; c++) Assert.Equal(integration.Score(rule, record), restored.Score(rule, record, c));
        Assert.Equal(integration.SortedHeldOutScores, restored.SortedHeldOutScores);
    }
}
