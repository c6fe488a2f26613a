using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using NeuralFP.Core.Fingerprints;
using NeuralFP.Core.Tensors;
using NeuralFP.Core.Verdicts;
using NeuralFP.Core.Tests.Support;
using NeuralFP.TestData;

namespace NeuralFP.Core.Tests.Verdicts;

/// <summary>
/// <see cref="FingerprintOptions.FoldErrorsAtMedian"/>: the densities read each layer's error as at least its calibration
/// median. An error below it reads as the median, a larger one counts as evidence as before; the other statistics (here a
/// latent distance) keep both directions; the fold is the stored log floor, so it survives the saved form.
/// </summary>
public sealed class FoldedErrorsTests
{
    public static TheoryData<string> Densities => [IntegrationKinds.NeighboursPerClass, IntegrationKinds.Gaussian];

    /// <summary>Three layers' errors, then a latent distance ([statistic][record]), and each record's class (of two).</summary>
    private static (float[][] Statistics, int[] Classes) Draw(int records, int seed, double errorShift = 0, double latentShift = 0)
    {
        var errors = SyntheticErrors.Generate(seed, records, logShift: errorShift);
        var random = new Random(seed + 1000);
        var latent = new float[records];
        for (var r = 0; r < records; r++) latent[r] = (float)Math.Exp(latentShift + 0.4 * (Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble())));
        return ([.. errors, latent], [.. Enumerable.Range(0, records).Select(r => r % 2)]);
    }

    private static OneOutRule Rule(float[][] statistics) => OneOutRule.Calibrate(SyntheticErrors.Layers, statistics.Take(3).ToArray(), 0.05, twoSided: false);

    private static LayerIntegration Fit(string kind, float[][] calibration, int[] classes, bool fold) =>
        LayerIntegration.Calibrate(kind, Rule(calibration), calibration, 0.05, ["latent"], IntegrationKinds.ReadsClasses(kind) ? classes : null, foldErrorsAtMedian: fold);

    /// <summary>3,000 calibration records of seed <paramref name="seed"/>, their rule, and the integration fitted folded and not.</summary>
    private static (float[][] Calibration, int[] Classes, OneOutRule Rule, LayerIntegration Folded, LayerIntegration Plain) FitBothWays(string kind, int seed)
    {
        var (calibration, classes) = Draw(3000, seed);
        return (calibration, classes, Rule(calibration), Fit(kind, calibration, classes, fold: true), Fit(kind, calibration, classes, fold: false));
    }

    private static double Flagged(LayerIntegration integration, OneOutRule rule, float[][] statistics, int[] classes)
    {
        var record = new float[statistics.Length];
        var flagged = 0;
        for (var r = 0; r < classes.Length; r++)
        {
            for (var s = 0; s < record.Length; s++) record[s] = statistics[s][r];
            if (integration.IsOod(integration.Score(rule, record, classes[r]))) flagged++;
        }
        return (double)flagged / classes.Length;
    }

    [Theory]
    [MemberData(nameof(Densities))]
    public void Each_errors_floor_is_its_median_and_an_error_below_it_scores_as_the_median(string kind)
    {
        var (calibration, classes, rule, folded, plain) = FitBothWays(kind, seed: 1);

        for (var l = 0; l < 3; l++)
        {
            Assert.Equal(rule.Distributions[l].Quantile(0.5), folded.LogFloor![l], 12);
            Assert.True(plain.LogFloor![l] < 1e-5 * folded.LogFloor[l]);
        }
        Assert.Equal(plain.LogFloor![3], folded.LogFloor![3]); // the latent distance is not folded
        // Just below each median (a float of the median may round above it), and far below.
        float[] AtMedians(float latent) => [.. Enumerable.Range(0, 3).Select(l => (float)folded.LogFloor[l] * 0.999f), latent];
        float[] Below(float latent) => [.. Enumerable.Range(0, 3).Select(l => (float)folded.LogFloor[l] / 4), latent];
        var latentMedian = calibration[3].Order().ElementAt(1500);
        Assert.Equal(folded.Score(rule, AtMedians(latentMedian), 0), folded.Score(rule, Below(latentMedian), 0));
        Assert.NotEqual(plain.Score(rule, AtMedians(latentMedian), 0), plain.Score(rule, Below(latentMedian), 0));
        // A latent distance far below its usual values still counts.
        Assert.True(folded.Score(rule, AtMedians(latentMedian / 50), 0) > folded.Score(rule, AtMedians(latentMedian), 0));
    }

    [Theory]
    [MemberData(nameof(Densities))]
    public void Smaller_errors_are_typical_larger_ones_are_flagged_and_new_records_at_the_calibrated_rate(string kind)
    {
        var (calibration, classes, rule, folded, plain) = FitBothWays(kind, seed: 2);
        var (smaller, smallerClasses) = Draw(1000, 3, errorShift: -1.5);
        var (larger, largerClasses) = Draw(1000, 4, errorShift: 1.5);

        Assert.True(Flagged(plain, rule, smaller, smallerClasses) > 0.5, $"{kind} unfolded: {Flagged(plain, rule, smaller, smallerClasses):P1} of smaller errors");
        Assert.True(Flagged(folded, rule, smaller, smallerClasses) < 0.05, $"{kind} folded: {Flagged(folded, rule, smaller, smallerClasses):P1} of smaller errors");
        Assert.True(Flagged(folded, rule, larger, largerClasses) > 0.95, $"{kind} folded: {Flagged(folded, rule, larger, largerClasses):P1} of larger errors");
        // The ties at each median leave the threshold calibrated: fresh records over six calibrations (one build's rate
        // spreads by about 0.6 pp, a k-NN density's by more).
        var rates = Enumerable.Range(0, 6).Select(i =>
        {
            var (own, ownClasses) = Draw(3000, 20 + i);
            var (fresh, freshClasses) = Draw(4000, 40 + i);
            return Flagged(Fit(kind, own, ownClasses, fold: true), Rule(own), fresh, freshClasses);
        }).ToArray();
        Assert.InRange(rates.Average(), 0.043, 0.057);
    }

    [Fact]
    public void The_fold_is_kept_in_the_saved_form()
    {
        var (calibration, classes) = Draw(1500, 6);
        var rule = Rule(calibration);
        var folded = Fit(IntegrationKinds.NeighboursPerClass, calibration, classes, fold: true);
        var restored = JsonSerializer.Deserialize<LayerIntegration>(JsonSerializer.Serialize(folded, FingerprintJson.Options), FingerprintJson.Options)!;
        Assert.Equal(folded.LogFloor, restored.LogFloor);
        var (batch, batchClasses) = Draw(200, 7, errorShift: -0.5);
        var record = new float[4];
        for (var r = 0; r < 200; r++)
        {
            for (var s = 0; s < 4; s++) record[s] = batch[s][r];
            Assert.Equal(folded.Score(rule, record, batchClasses[r]), restored.Score(rule, record, batchClasses[r]));
        }
    }

    [Fact]
    public void A_fingerprint_built_before_the_fold_loads_from_its_old_file_scores_as_built_and_echoes_the_options_it_was_built_with()
    {
        // The breast-cancer panel model: a build in seconds. Before the fold, fingerprint.json had no such option (nor the
        // response-shift selection, which on this table leaves one statistic and no density).
        var model = File.ReadAllBytes(RepoPaths.Model("panel/tabular_mlp.onnx"));
        var unfolded = FingerprintBuilder.Build(model, BreastCancer.Train(), new FingerprintOptions { Detectors = [], FoldErrorsAtMedian = false, StatisticResponseBar = 0, Seed = 5 }, null, CancellationToken.None).Fingerprint;
        var folded = FingerprintBuilder.Build(model, BreastCancer.Train(), new FingerprintOptions { Detectors = [], StatisticResponseBar = 0, FoldInputErrorAtMedian = true, Seed = 5 }, null, CancellationToken.None).Fingerprint;
        var files = unfolded.ToFiles().ToDictionary();
        var manifest = JsonNode.Parse(files[Fingerprint.ManifestFileName])!.AsObject();
        Assert.True(manifest["options"]!.AsObject().Remove("foldErrorsAtMedian"));
        Assert.True(manifest["options"]!.AsObject().Remove("statisticResponseBar"));
        Assert.True(manifest["options"]!.AsObject().Remove("foldInputErrorAtMedian"));
        files[Fingerprint.ManifestFileName] = Encoding.UTF8.GetBytes(manifest.ToJsonString());

        var loaded = Fingerprint.FromFiles(files);
        var layers = unfolded.Manifest.Rule.Layers.Count;
        // The options it echoes are those it was built with, not today's defaults.
        Assert.False(loaded.Manifest.Options.FoldErrorsAtMedian);
        Assert.Equal(0, loaded.Manifest.Options.StatisticResponseBar);
        Assert.True(loaded.Manifest.Options.FoldInputErrorAtMedian); // before item 23 the fold took every layer's error
        Assert.True(Fingerprint.FromFiles(folded.ToFiles().ToDictionary()).Manifest.Options.FoldErrorsAtMedian);
        Assert.Equal(unfolded.Manifest.Integration!.LogFloor, loaded.Manifest.Integration!.LogFloor);
        Assert.All(Enumerable.Range(0, layers), l => Assert.True(loaded.Manifest.Integration.LogFloor![l] < 1e-5 * folded.Manifest.Integration!.LogFloor![l]));
        var records = BreastCancer.Test();
        using var before = new FingerprintScorer(unfolded);
        using var after = new FingerprintScorer(loaded);
        using var now = new FingerprintScorer(folded);
        Assert.Equal(before.ScoresOf(records), after.ScoresOf(records));
        Assert.NotEqual(before.ScoresOf(records), now.ScoresOf(records)); // the same build with the fold reads differently
    }

    [Fact]
    public void By_default_the_hidden_layers_errors_fold_and_the_input_layers_is_read_both_ways()
    {
        var model = File.ReadAllBytes(RepoPaths.Model("panel/tabular_mlp.onnx"));
        // Every statistic, so the density reads each layer's error (with the response shifts this table keeps one, read by its p-value).
        FingerprintManifest Build(FingerprintOptions options) => FingerprintBuilder.Build(model, BreastCancer.Train(), options with { Detectors = [], Seed = 5, StatisticResponseBar = 0 }, null, CancellationToken.None).Fingerprint.Manifest;
        var now = Build(new FingerprintOptions());
        var all = Build(new FingerprintOptions { FoldInputErrorAtMedian = true });
        var none = Build(new FingerprintOptions { FoldErrorsAtMedian = false });

        Assert.False(new FingerprintOptions().FoldInputErrorAtMedian);
        Assert.True(now.Options.FoldErrorsAtMedian);
        var input = now.Rule.Layers.ToList().IndexOf(now.InputName);
        Assert.True(input >= 0);
        for (var l = 0; l < now.Rule.Layers.Count; l++)
            Assert.Equal((l == input ? none : all).Integration!.LogFloor![l], now.Integration!.LogFloor![l]);
        Assert.True(now.Integration!.LogFloor![input] < 1e-5 * all.Integration!.LogFloor![input]);
    }
}
