using NeuralFP.Core.Autoencoders;
using NeuralFP.Core.Fingerprints;
using NeuralFP.Core.Tensors;
using NeuralFP.Core.Tests.Support;
using NeuralFP.Core.Verdicts;
using NeuralFP.TestData;

namespace NeuralFP.Core.Tests.Verdicts;

/// <summary>
/// <see cref="FingerprintOptions.StatisticResponseBar"/>: the density integrations leave out the statistics the response
/// shifts barely move, keeping the one that moves most and the layer error that moves most, and say why in
/// <c>integration.excluded</c>.
/// </summary>
public sealed class StatisticSelectionTests
{
    [Fact]
    public void Statistics_below_the_bar_are_left_out_but_the_best_statistic_and_the_best_layer_error_stay()
    {
        // Three layer errors, then two other statistics; the best statistic is a latent one, every layer error is below the bar.
        double[] responses = [0.60, 0.70, 0.55, 0.95, 0.74];
        var leftOut = StatisticSelection.LeaveOut(responses, layers: 3, bar: 0.75, "two-record mixtures");

        Assert.Equal([0, 2, 4], leftOut.Select(o => o.Statistic));
        Assert.Contains("two-record mixtures", leftOut[0].Reason);
        Assert.Equal("the response shifts barely move it: AUROC alone 0.600 under two-record mixtures, below 0.75", leftOut[0].Reason);
        Assert.Empty(StatisticSelection.LeaveOut(responses, 3, bar: 0, "x"));
        Assert.Equal([2], StatisticSelection.LeaveOut(responses, 3, bar: 0.6, "x").Select(o => o.Statistic));
    }

    [Fact]
    public void A_left_out_statistic_is_excluded_with_its_reason_and_does_not_move_the_score()
    {
        var errors = SyntheticErrors.Generate(3, 2000);
        var rule = OneOutRule.Calibrate(SyntheticErrors.Layers, errors, 0.05, twoSided: false);
        var plain = LayerIntegration.Calibrate(IntegrationKinds.Neighbours, rule, errors, 0.05, foldErrorsAtMedian: true);
        var selected = LayerIntegration.Calibrate(IntegrationKinds.Neighbours, rule, errors, 0.05, foldErrorsAtMedian: true, leaveOut: [new LeftOutStatistic(1, "because")]);

        Assert.Equal([true, false, true], selected.Included);
        Assert.Equal(new ExcludedLayer(SyntheticErrors.Layers[1], "because"), Assert.Single(selected.Excluded));
        Assert.Empty(plain.Excluded);
        float[] record = [errors[0][0], errors[1][0], errors[2][0]];
        var score = selected.Score(rule, record);
        record[1] *= 1000;
        Assert.Equal(score, selected.Score(rule, record));
        Assert.NotEqual(plain.Score(rule, record), score);
    }

    [Fact]
    public void A_selection_that_would_leave_no_layer_error_leaves_the_layer_errors_in()
    {
        var errors = SyntheticErrors.Generate(4, 1000);
        var rule = OneOutRule.Calibrate(SyntheticErrors.Layers, errors, 0.05, twoSided: false);
        var integration = LayerIntegration.Calibrate(IntegrationKinds.Gaussian, rule, errors, 0.05, leaveOut: [.. Enumerable.Range(0, 3).Select(l => new LeftOutStatistic(l, "x"))]);

        Assert.All(integration.Included, Assert.True);
        Assert.Empty(integration.Excluded);
    }

    [Fact]
    public void The_bar_must_be_an_auroc_below_one()
    {
        Assert.Equal(0, new FingerprintOptions().StatisticResponseBar); // item 24: every statistic stays by default
        new FingerprintOptions { StatisticResponseBar = 0.75 }.Validate();
        new FingerprintOptions { StatisticResponseBar = 0 }.Validate();
        Assert.Throws<ArgumentOutOfRangeException>(() => new FingerprintOptions { StatisticResponseBar = 1 }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new FingerprintOptions { StatisticResponseBar = -0.1 }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new FingerprintOptions { StatisticResponseBar = double.NaN }.Validate());
        // An upload's options file says so by name.
        Assert.Contains("StatisticResponseBar", Assert.Throws<ArgumentOutOfRangeException>(() => FingerprintOptions.FromJson("""{"statisticResponseBar":1.5}""")).Message);
        Assert.Equal(0.6, FingerprintOptions.FromJson("""{"statisticResponseBar":0.6}""").StatisticResponseBar);
    }

    [Fact]
    public void A_build_with_a_response_bar_leaves_out_what_the_response_shifts_do_not_move_whether_or_not_the_self_check_runs_and_reads_one_statistic_left_by_its_p_value()
    {
        // The panel's second table: a build in seconds, with statistics that a mixture of two rows or resampled columns barely move.
        var model = File.ReadAllBytes(RepoPaths.Model("panel/synthetic_table_mlp.onnx"));
        // Without the table's marginal surprise, which the two-record mixtures do move (InputMarginalsBuildTests).
        var options = new FingerprintOptions { Detectors = [], Seed = 5, InputMarginalBins = 0, StatisticResponseBar = 0.75 };
        FingerprintBuilder.Outcome Build(FingerprintOptions o) => FingerprintBuilder.Build(model, SyntheticTable.Train().Images, o, null, CancellationToken.None);
        var selected = Build(options);
        var every = Build(options with { StatisticResponseBar = 0 });
        var withoutSelfCheck = Build(options with { SelfCheckRecords = 0 });

        // On this table one statistic moves under the response shifts: the first hidden layer's error. A density over one
        // number would rank by sparsity, so the build reads that error's p-value (fisher) instead.
        var integration = selected.Fingerprint.Manifest.Integration!;
        var layers = selected.Fingerprint.Manifest.Layers.Count;
        var responses = selected.StatisticResponses!;
        var best = Enumerable.Range(0, layers).MaxBy(l => responses[l]);
        Assert.Equal(IntegrationKinds.Fisher, integration.Kind);
        Assert.Equal([best], Enumerable.Range(0, integration.StatisticCount).Where(j => integration.Included[j]));
        Assert.Equal(responses.Max(), responses[best]);
        var leftOut = integration.Excluded.Where(e => e.Reason.Contains("response shifts")).ToArray();
        Assert.Equal(layers - 1, leftOut.Length);
        Assert.All(leftOut, e => Assert.Contains("two-record mixtures and columns resampled", e.Reason));
        Assert.All(Enumerable.Range(0, layers).Where(l => l != best), l => Assert.True(responses[l] < 0.75));

        Assert.Null(every.StatisticResponses);
        Assert.Equal(IntegrationKinds.NeighboursPerClass, every.Fingerprint.Manifest.Integration!.Kind);
        Assert.DoesNotContain(every.Fingerprint.Manifest.Integration.Excluded, e => e.Reason.Contains("response shifts"));
        Assert.Equal(every.Fingerprint.ScorerOnnx, selected.Fingerprint.ScorerOnnx);

        // The response shifts ride on the self-check's records; without the self-check they take its default count.
        Assert.Null(withoutSelfCheck.Fingerprint.Manifest.SelfCheck);
        Assert.NotNull(selected.Fingerprint.Manifest.SelfCheck);
        Assert.Equal(integration.Included, withoutSelfCheck.Fingerprint.Manifest.Integration!.Included);
        Assert.Equal(integration.SortedHeldOutScores, withoutSelfCheck.Fingerprint.Manifest.Integration.SortedHeldOutScores);
    }

    [Fact]
    public void A_fingerprint_built_with_a_response_bar_loads_under_the_default_with_its_bar_and_selection_and_scores_as_built()
    {
        // Item 25 made every statistic the default; fingerprints built at the old bar of 0.75 must not change their verdicts.
        var model = File.ReadAllBytes(RepoPaths.Model("panel/synthetic_table_mlp.onnx"));
        var options = new FingerprintOptions { Detectors = [], Seed = 5, InputMarginalBins = 0 };
        var withBar = FingerprintBuilder.Build(model, SyntheticTable.Train().Images, options with { StatisticResponseBar = 0.75 }, null, CancellationToken.None).Fingerprint;
        var byDefault = FingerprintBuilder.Build(model, SyntheticTable.Train().Images, options, null, CancellationToken.None).Fingerprint;

        var loaded = Fingerprint.FromFiles(withBar.ToFiles().ToDictionary());

        Assert.Equal(0.75, loaded.Manifest.Options.StatisticResponseBar);
        Assert.Contains(false, loaded.Manifest.Integration!.Included);
        Assert.Equal(withBar.Manifest.Integration!.Included, loaded.Manifest.Integration.Included);
        Assert.All(byDefault.Manifest.Integration!.Included, Assert.True);
        var records = SyntheticTable.Test().Images;
        using var built = new FingerprintScorer(withBar);
        using var reloaded = new FingerprintScorer(loaded);
        using var today = new FingerprintScorer(byDefault);
        Assert.Equal(built.ScoresOf(records), reloaded.ScoresOf(records));
        Assert.NotEqual(built.ScoresOf(records), today.ScoresOf(records));
    }

    [Fact]
    public void A_density_over_a_single_statistic_is_replaced_by_its_p_value_with_a_build_note()
    {
        // One layer, no latent distance, no input measures, every statistic kept: the density would read one number.
        var lines = new List<string>();
        var options = new FingerprintOptions
        {
            Seed = 3, Layers = ["act"], Detectors = [], LatentStatistic = false, InputComplexity = false, InputRegionalGrid = 0, StatisticResponseBar = 0,
            Autoencoder = new AutoencoderOptions { MaxEpochs = 2, HiddenSize = 8 },
        };
        var random = new Random(4);
        var records = new FloatTensor([.. Enumerable.Range(0, 600 * 12).Select(_ => (float)random.NextDouble())], [600, 12]);
        var fingerprint = FingerprintBuilder.Build(SyntheticModels.Relu(12), records, options, new SynchronousProgress(lines), CancellationToken.None).Fingerprint;

        var integration = fingerprint.Manifest.Integration!;
        Assert.Equal(IntegrationKinds.Fisher, integration.Kind);
        Assert.Equal([true], integration.Included);
        Assert.Contains(lines, l => l.Contains("One statistic is left", StringComparison.Ordinal) && l.Contains(IntegrationKinds.Fisher, StringComparison.Ordinal));
        Assert.InRange(integration.RealisedFpr, 0.04, 0.06);
    }
}
