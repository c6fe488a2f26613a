using System.Text.Json;
using NeuralFP.Core.Fingerprints;
using NeuralFP.Core.Verdicts;

namespace NeuralFP.Core.Tests.Verdicts;

/// <summary>The integrated rules: calibrated on held-out errors, constant layers left out with a note, serialisable.</summary>
public sealed class LayerIntegrationTests
{
    private static (string[] Layers, float[][] Errors) HeldOut(int records, int seed, bool constantSecondLayer)
    {
        var random = new Random(seed);
        var errors = new float[3][];
        for (var l = 0; l < 3; l++)
        {
            errors[l] = new float[records];
            for (var r = 0; r < records; r++)
                errors[l][r] = l == 1 && constantSecondLayer ? 0.25f : (float)Math.Exp(random.NextDouble() * 2 + l);
        }
        return (["a", "b", "c"], errors);
    }

    [Theory]
    [InlineData(IntegrationKinds.Fisher)]
    [InlineData(IntegrationKinds.Gaussian)]
    public void Fresh_in_distribution_errors_are_flagged_at_about_the_target_rate(string kind)
    {
        var (layers, calibration) = HeldOut(4000, 1, constantSecondLayer: false);
        var rule = OneOutRule.Calibrate(layers, calibration, 0.05, twoSided: false);
        var integration = LayerIntegration.Calibrate(kind, rule, calibration, 0.05);
        var (_, fresh) = HeldOut(20000, 2, constantSecondLayer: false);

        var flagged = 0;
        var record = new float[3];
        for (var r = 0; r < fresh[0].Length; r++)
        {
            for (var l = 0; l < 3; l++) record[l] = fresh[l][r];
            if (integration.IsOod(integration.Score(rule, record))) flagged++;
        }

        Assert.InRange(integration.RealisedFpr, 0.045, 0.05);
        Assert.InRange(flagged / 20000.0, 0.04, 0.06);
    }

    [Fact]
    public void With_many_statistics_the_cross_fitted_threshold_still_holds_the_target_rate_on_fresh_records()
    {
        // 24 correlated statistics from 600 calibration records: a Gaussian scored on its own fit records would put
        // the threshold too low (in-sample distances are smaller), flagging well over 5% of fresh records.
        static float[][] Draw(int records, int seed)
        {
            var random = new Random(seed);
            var values = Enumerable.Range(0, 24).Select(_ => new float[records]).ToArray();
            for (var r = 0; r < records; r++)
            {
                var shared = random.NextDouble();
                for (var l = 0; l < 24; l++) values[l][r] = (float)Math.Exp(shared + random.NextDouble() + 0.1 * l);
            }
            return values;
        }
        var calibration = Draw(600, 11);
        var layers = Enumerable.Range(0, 24).Select(l => $"l{l}").ToArray();
        var rule = OneOutRule.Calibrate(layers, calibration, 0.05, twoSided: false);
        var integration = LayerIntegration.Calibrate(IntegrationKinds.Gaussian, rule, calibration, 0.05);
        var fresh = Draw(20000, 12);

        var flagged = 0;
        var record = new float[24];
        for (var r = 0; r < 20000; r++)
        {
            for (var l = 0; l < 24; l++) record[l] = fresh[l][r];
            if (integration.IsOod(integration.Score(rule, record))) flagged++;
        }

        Assert.InRange(flagged / 20000.0, 0.04, 0.065);
    }

    [Fact]
    public void A_constant_layer_is_left_out_with_a_note_and_changes_no_score()
    {
        var (layers, calibration) = HeldOut(1000, 3, constantSecondLayer: true);
        var rule = OneOutRule.Calibrate(layers, calibration, 0.05, twoSided: false);

        var integration = LayerIntegration.Calibrate(IntegrationKinds.Fisher, rule, calibration, 0.05);

        Assert.Equal([true, false, true], integration.Included);
        var note = Assert.Single(integration.Excluded);
        Assert.Equal("b", note.Layer);
        Assert.Contains("constant", note.Reason);
        Assert.Equal(integration.Score(rule, [2f, 0.25f, 9f]), integration.Score(rule, [2f, 1000f, 9f]));
    }

    [Fact]
    public void A_far_record_scores_higher_than_every_held_out_record()
    {
        var (layers, calibration) = HeldOut(1000, 4, constantSecondLayer: false);
        var rule = OneOutRule.Calibrate(layers, calibration, 0.05, twoSided: false);
        foreach (var kind in new[] { IntegrationKinds.Fisher, IntegrationKinds.Gaussian })
        {
            var integration = LayerIntegration.Calibrate(kind, rule, calibration, 0.05);
            var far = integration.Score(rule, [100f, 100f, 1000f]);
            Assert.True(far > integration.SortedHeldOutScores[^1], kind);
            Assert.True(integration.IsOod(far));
        }
    }

    [Fact]
    public void The_integration_survives_a_json_round_trip_with_identical_scores()
    {
        var (layers, calibration) = HeldOut(800, 5, constantSecondLayer: true);
        var rule = OneOutRule.Calibrate(layers, calibration, 0.05, twoSided: false);
        var integration = LayerIntegration.Calibrate(IntegrationKinds.Gaussian, rule, calibration, 0.05);

        var json = JsonSerializer.Serialize(integration, FingerprintJson.Options);
        var restored = JsonSerializer.Deserialize<LayerIntegration>(json, FingerprintJson.Options)!;

        Assert.Equal(integration.Threshold, restored.Threshold);
        Assert.Equal(integration.Excluded, restored.Excluded);
        Assert.Equal(integration.Score(rule, [3f, 0.25f, 40f]), restored.Score(rule, [3f, 0.25f, 40f]));
    }

    [Fact]
    public void A_latent_statistic_enters_the_gaussian_score_only_and_catches_a_shift_the_errors_miss()
    {
        var (layers, errors) = HeldOut(3000, 6, constantSecondLayer: false);
        var random = new Random(9);
        var latent = Enumerable.Range(0, 3000).Select(_ => (float)(4 + random.NextDouble())).ToArray();
        float[][] statistics = [.. errors, latent];
        var rule = OneOutRule.Calibrate(layers, errors, 0.05, twoSided: false);

        var gaussian = LayerIntegration.Calibrate(IntegrationKinds.Gaussian, rule, statistics, 0.05, ["c (latent distance)"]);
        var fisher = LayerIntegration.Calibrate(IntegrationKinds.Fisher, rule, statistics, 0.05, ["c (latent distance)"]);

        Assert.Equal(4, gaussian.StatisticCount);
        Assert.Equal([true, true, true, true], gaussian.Included);
        Assert.Equal([true, true, true, false], fisher.Included);
        // Typical errors everywhere; only the latent distance is far out.
        float[] typical = [errors[0][0], errors[1][0], errors[2][0], 4.5f];
        float[] farLatent = [errors[0][0], errors[1][0], errors[2][0], 400f];
        Assert.False(gaussian.IsOod(gaussian.Score(rule, typical)));
        Assert.True(gaussian.IsOod(gaussian.Score(rule, farLatent)));
        Assert.Equal(fisher.Score(rule, typical), fisher.Score(rule, farLatent));
        Assert.InRange(gaussian.RealisedFpr, 0.045, 0.05);
    }

    [Fact]
    public void An_unknown_integration_is_refused_naming_the_choices()
    {
        var e = Assert.Throws<ArgumentException>(() => new FingerprintOptions { Integration = "vote" }.Validate());

        Assert.Contains("fisher", e.Message);
        Assert.Contains("one-out", e.Message);
    }
}
