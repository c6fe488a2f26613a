using System.Text.Json;
using System.Text.Json.Nodes;
using NeuralFP.Core.Fingerprints;
using NeuralFP.Core.Verdicts;

namespace NeuralFP.Core.Tests.Verdicts;

/// <summary>
/// The densities beside the per-class Gaussian (issue 8): regularised QDA (<see cref="IntegrationKinds.GaussianClassCovariance"/>)
/// and the k-NN density over whitened statistics (<see cref="IntegrationKinds.Neighbours"/>, <see cref="IntegrationKinds.NeighboursPerClass"/>),
/// on synthetic log-normal statistics: what each sees that the per-class Gaussian misses, the calibrated rate on fresh
/// in-distribution records, determinism and the saved form.
/// </summary>
public sealed class DensityIntegrationTests
{
    public static TheoryData<string> NewKinds => [IntegrationKinds.GaussianClassCovariance, IntegrationKinds.Neighbours, IntegrationKinds.NeighboursPerClass];

    // Per class, the centre of the log statistics and its within-class sd per statistic: class 1 is tight on statistic 0 and
    // wide on statistic 1, class 2 the other way, so the pooled within-class covariance fits neither.
    private static readonly double[][] Centres = [[0, 0, 0], [2, 0, -2], [-2, 2, 0]];
    private static readonly double[][] Spreads = [[0.3, 0.3, 0.3], [0.05, 0.6, 0.3], [0.6, 0.05, 0.3]];

    /// <summary>[statistic][record] values exp(centre + sd · noise) of each record's class.</summary>
    private static (float[][] Statistics, int[] Classes) Draw(int records, int seed, Func<int, double[]>? shift = null)
    {
        var random = new Random(seed);
        var statistics = Enumerable.Range(0, 3).Select(_ => new float[records]).ToArray();
        var classes = new int[records];
        for (var r = 0; r < records; r++)
        {
            var c = random.Next(Centres.Length);
            classes[r] = c;
            var offset = shift?.Invoke(c) ?? [0, 0, 0];
            for (var s = 0; s < 3; s++) statistics[s][r] = (float)Math.Exp(Centres[c][s] + offset[s] + Spreads[c][s] * Normal(random));
        }
        return (statistics, classes);
    }

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    private static OneOutRule Rule(float[][] statistics) => OneOutRule.Calibrate(["a", "b", "c"], statistics, 0.05, twoSided: false);

    private static int[]? ClassesFor(string kind, int[] classes) => IntegrationKinds.ReadsClasses(kind) ? classes : null;

    private static double[] Scores(LayerIntegration integration, OneOutRule rule, float[][] statistics, int[] classes)
    {
        var scores = new double[classes.Length];
        var record = new float[statistics.Length];
        for (var r = 0; r < classes.Length; r++)
        {
            for (var s = 0; s < record.Length; s++) record[s] = statistics[s][r];
            scores[r] = integration.Score(rule, record, classes[r]);
        }
        return scores;
    }

    private static double Flagged(LayerIntegration integration, OneOutRule rule, float[][] statistics, int[] classes) =>
        Scores(integration, rule, statistics, classes).Count(integration.IsOod) / (double)classes.Length;

    private static double Auroc(double[] id, double[] ood) => NeuralFP.Core.Metrics.OodMetrics.Compute(id, ood).Auroc;

    [Theory]
    [MemberData(nameof(NewKinds))]
    public void Fresh_in_distribution_records_are_flagged_at_about_the_target_rate(string kind)
    {
        var (calibration, classes) = Draw(3000, 1);
        var rule = Rule(calibration);
        var integration = LayerIntegration.Calibrate(kind, rule, calibration, 0.05, classes: ClassesFor(kind, classes));
        var (fresh, freshClasses) = Draw(8000, 2);

        Assert.Equal(kind, integration.Kind);
        Assert.InRange(integration.RealisedFpr, 0.045, 0.05);
        // Cross-fitted calibration: 3,000 calibration and 8,000 fresh records give a sampling sd of 0.45 pp.
        Assert.InRange(Flagged(integration, rule, fresh, freshClasses), 0.035, 0.065);
    }

    [Theory]
    [MemberData(nameof(NewKinds))]
    public void A_calibration_is_deterministic(string kind)
    {
        var (calibration, classes) = Draw(1200, 3);
        var rule = Rule(calibration);
        var first = LayerIntegration.Calibrate(kind, rule, calibration, 0.05, classes: ClassesFor(kind, classes));
        var second = LayerIntegration.Calibrate(kind, rule, calibration, 0.05, classes: ClassesFor(kind, classes));

        Assert.Equal(first.SortedHeldOutScores, second.SortedHeldOutScores);
        Assert.Equal(JsonSerializer.Serialize(first, FingerprintJson.Options), JsonSerializer.Serialize(second, FingerprintJson.Options));
    }

    [Theory]
    [MemberData(nameof(NewKinds))]
    public void The_integration_survives_a_json_round_trip_with_identical_scores_for_every_class(string kind)
    {
        var (calibration, classes) = Draw(900, 4);
        var rule = Rule(calibration);
        var integration = LayerIntegration.Calibrate(kind, rule, calibration, 0.05, classes: ClassesFor(kind, classes));

        var json = JsonSerializer.Serialize(integration, FingerprintJson.Options);
        var restored = JsonSerializer.Deserialize<LayerIntegration>(json, FingerprintJson.Options)!;

        Assert.Equal(kind, restored.Kind);
        Assert.Equal(integration.ReadsPredictedClass, restored.ReadsPredictedClass);
        Assert.Equal(IntegrationKinds.ReadsClasses(kind), restored.ReadsPredictedClass);
        Assert.Equal(integration.Threshold, restored.Threshold);
        var (fresh, _) = Draw(50, 5);
        var record = new float[3];
        for (var r = 0; r < 50; r++)
        {
            for (var s = 0; s < 3; s++) record[s] = fresh[s][r];
            // −1 and 7: no class, a class the calibration never had.
            foreach (var c in new[] { -1, 0, 1, 2, 7 })
                Assert.Equal(integration.Score(rule, record, c), restored.Score(rule, record, c));
        }
    }

    [Theory]
    [InlineData(IntegrationKinds.Neighbours)]
    [InlineData(IntegrationKinds.NeighboursPerClass)]
    public void Each_calibration_record_is_scored_against_the_other_stored_records(string kind)
    {
        var (calibration, classes) = Draw(600, 17);
        var rule = Rule(calibration);
        // k = 1: scored against a bank that held it, every record would score 0 (its own row).
        var integration = LayerIntegration.Calibrate(kind, rule, calibration, 0.05, classes: ClassesFor(kind, classes), neighbours: 1);
        var inSample = Scores(integration, rule, calibration, classes);

        Assert.All(inSample, s => Assert.Equal(0, s, 6));
        Assert.All(integration.HeldOutScoresInRecordOrder!, s => Assert.True(s > 1e-6));
        // Leave-one-out against all the others: the nearest other row, as a brute-force search finds it.
        var bank = integration.NeighbourBank!;
        for (var r = 0; r < 600; r += 37)
        {
            var nearest = double.PositiveInfinity;
            for (var b = 0; b < 600; b++)
            {
                if (b == r || kind == IntegrationKinds.NeighboursPerClass && classes[b] != classes[r]) continue;
                double d = 0;
                for (var i = 0; i < 3; i++) d += ((double)bank[r * 3 + i] - bank[b * 3 + i]) * ((double)bank[r * 3 + i] - bank[b * 3 + i]);
                nearest = Math.Min(nearest, d);
            }
            Assert.Equal(nearest, integration.HeldOutScoresInRecordOrder![r], 3);
        }
    }

    [Fact]
    public void Integrations_of_the_earlier_kinds_write_none_of_the_new_members()
    {
        var (calibration, classes) = Draw(600, 6);
        var rule = Rule(calibration);
        var json = JsonNode.Parse(JsonSerializer.Serialize(LayerIntegration.Calibrate(IntegrationKinds.GaussianPerClass, rule, calibration, 0.05, classes: classes), FingerprintJson.Options))!.AsObject();

        foreach (var member in new[] { "classInverseCholesky", "neighbourBank", "neighbourClasses", "neighbours" })
            Assert.False(json.ContainsKey(member), member);
    }

    [Fact]
    public void A_record_typical_of_the_pooled_spread_but_not_of_its_class_is_flagged_by_the_class_covariance_and_missed_by_the_pooled_one()
    {
        var (calibration, classes) = Draw(3000, 7);
        var rule = Rule(calibration);
        var pooled = LayerIntegration.Calibrate(IntegrationKinds.GaussianPerClass, rule, calibration, 0.05, classes: classes);
        var own = LayerIntegration.Calibrate(IntegrationKinds.GaussianClassCovariance, rule, calibration, 0.05, classes: classes);
        var (id, idClasses) = Draw(2000, 8);
        // Class 1 moved by 0.5 on statistic 0, where its own sd is 0.05 (10 sd) but the pooled sd about 0.4.
        var (shifted, shiftedClasses) = Draw(2000, 9, c => c == 1 ? [0.5, 0, 0] : [0, 0, 0]);
        var onlyClass1 = Enumerable.Range(0, 2000).Where(r => shiftedClasses[r] == 1).ToArray();
        float[][] Pick(float[][] s, int[] rows) => [.. s.Select(column => rows.Select(r => column[r]).ToArray())];
        var moved = Pick(shifted, onlyClass1);
        var movedClasses = onlyClass1.Select(_ => 1).ToArray();

        Assert.True(own.ClassInverseCholesky!.Length == 3);
        Assert.True(Flagged(own, rule, moved, movedClasses) > 0.95, $"class covariance: {Flagged(own, rule, moved, movedClasses):P1}");
        Assert.True(Flagged(pooled, rule, moved, movedClasses) < 0.5, $"pooled covariance: {Flagged(pooled, rule, moved, movedClasses):P1}");
        Assert.True(Auroc(Scores(own, rule, id, idClasses), Scores(own, rule, moved, movedClasses)) > 0.99);
    }

    [Fact]
    public void The_held_out_likelihood_keeps_class_covariances_that_differ_and_pools_those_that_do_not()
    {
        var (different, classes) = Draw(3000, 10);
        var k = 3;
        double[] Logs(float[][] s) => [.. Enumerable.Range(0, s[0].Length).SelectMany(r => s.Select(column => Math.Log(column[r])))];

        var chosen = NeuralFP.Core.Detectors.Numerics.ClassCovarianceFit.ChoosePrior(Logs(different), classes.Length, k, classes);
        Assert.True(chosen <= 64, $"ν = {chosen}");

        // Every class with the same spread: the pooled covariance (ν large) is what the held-out records support.
        var random = new Random(11);
        var same = Enumerable.Range(0, 3).Select(_ => new float[3000]).ToArray();
        for (var r = 0; r < 3000; r++)
            for (var s = 0; s < 3; s++) same[s][r] = (float)Math.Exp(Centres[classes[r]][s] + 0.3 * Normal(random));
        Assert.True(NeuralFP.Core.Detectors.Numerics.ClassCovarianceFit.ChoosePrior(Logs(same), classes.Length, k, classes) >= 256);
    }

    [Theory]
    [InlineData(IntegrationKinds.Neighbours)]
    [InlineData(IntegrationKinds.NeighboursPerClass)]
    public void A_record_between_two_modes_is_flagged_by_the_neighbour_density_and_missed_by_the_gaussian(string kind)
    {
        // One class whose statistics sit in two clusters (a bimodal class): the Gaussian's mean lies between them, where no
        // calibration record is.
        static (float[][], int[]) Modes(int n, int seed, bool between)
        {
            var random = new Random(seed);
            var statistics = Enumerable.Range(0, 3).Select(_ => new float[n]).ToArray();
            for (var r = 0; r < n; r++)
            {
                var sign = between ? 0 : r % 2 == 0 ? -1 : 1;
                for (var s = 0; s < 3; s++) statistics[s][r] = (float)Math.Exp(sign * 1.5 + 0.3 * Normal(random));
            }
            return (statistics, new int[n]);
        }
        var (calibration, classes) = Modes(2000, 12, between: false);
        var rule = Rule(calibration);
        var neighbours = LayerIntegration.Calibrate(kind, rule, calibration, 0.05, classes: ClassesFor(kind, classes));
        var gaussian = LayerIntegration.Calibrate(IntegrationKinds.Gaussian, rule, calibration, 0.05);
        var (middle, middleClasses) = Modes(500, 13, between: true);

        Assert.True(Flagged(neighbours, rule, middle, middleClasses) > 0.9, $"{kind}: {Flagged(neighbours, rule, middle, middleClasses):P1}");
        Assert.True(Flagged(gaussian, rule, middle, middleClasses) < 0.05, $"gaussian: {Flagged(gaussian, rule, middle, middleClasses):P1}");
    }

    [Fact]
    public void The_per_class_neighbour_density_flags_statistics_typical_of_another_class()
    {
        var (calibration, classes) = Draw(3000, 14);
        var rule = Rule(calibration);
        var perClass = LayerIntegration.Calibrate(IntegrationKinds.NeighboursPerClass, rule, calibration, 0.05, classes: classes);
        var overall = LayerIntegration.Calibrate(IntegrationKinds.Neighbours, rule, calibration, 0.05);
        // Statistics of class 1 that the model calls class 0.
        var (misfits, misfitClasses) = Draw(3000, 15);
        var rows = Enumerable.Range(0, 3000).Where(r => misfitClasses[r] == 1).ToArray();
        float[][] values = [.. misfits.Select(column => rows.Select(r => column[r]).ToArray())];
        var labelledZero = new int[rows.Length];

        Assert.True(Flagged(perClass, rule, values, labelledZero) > 0.95);
        Assert.True(Flagged(overall, rule, values, labelledZero) < 0.10);
    }

    [Theory]
    [MemberData(nameof(NewKinds))]
    public void Options_accept_the_kind_and_a_kind_that_reads_classes_needs_them(string kind)
    {
        new FingerprintOptions { Integration = kind }.Validate();
        var (calibration, _) = Draw(300, 16);
        if (IntegrationKinds.ReadsClasses(kind))
        {
            var e = Assert.Throws<ArgumentException>(() => LayerIntegration.Calibrate(kind, Rule(calibration), calibration, 0.05));
            Assert.Contains(IntegrationKinds.WithoutClasses(kind), e.Message);
        }
        else
        {
            Assert.False(LayerIntegration.Calibrate(kind, Rule(calibration), calibration, 0.05).ReadsPredictedClass);
        }
    }
}
