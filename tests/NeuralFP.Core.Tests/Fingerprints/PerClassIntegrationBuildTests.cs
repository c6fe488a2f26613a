using System.Numerics.Tensors;
using NeuralFP.Core.Autoencoders;
using NeuralFP.Core.Fingerprints;
using NeuralFP.Core.Tensors;
using NeuralFP.Core.Tests.Support;
using NeuralFP.Core.Verdicts;

namespace NeuralFP.Core.Tests.Fingerprints;

/// <summary>The per-class integration through a real build: the predicted classes of the calibration pass, the scoring
/// paths, the saved artifact, and the one-mean fallback for a model without class outputs.</summary>
public sealed class PerClassIntegrationBuildTests
{
    private sealed class Collect : IProgress<string>
    {
        public List<string> Lines { get; } = [];

        public void Report(string value) => Lines.Add(value);
    }

    private static FloatTensor Records(int n, int width, int seed)
    {
        var random = new Random(seed);
        var values = new float[n * width];
        for (var i = 0; i < values.Length; i++) values[i] = (float)random.NextDouble();
        return new FloatTensor(values, [n, width]);
    }

    private static FingerprintOptions Options(string[] layers) => new()
    {
        Seed = 3, Autoencoder = new AutoencoderOptions { Kind = AutoencoderKind.Mlp, MaxEpochs = 3, HiddenSize = 8 }, Layers = layers, Detectors = [],
        Integration = IntegrationKinds.GaussianPerClass,
    };

    [Fact]
    public async Task A_class_output_model_gets_one_mean_per_predicted_class_that_every_scoring_path_reads_and_the_artifact_keeps()
    {
        // input [N, 6] → Relu → "act" [N, 6]: the argmax of the six outputs is the predicted class.
        var model = SyntheticModels.Relu(6);
        var fingerprint = FingerprintBuilder.Build(model, Records(900, 6, 1), Options(["input"]), null, CancellationToken.None).Fingerprint;
        var integration = fingerprint.Manifest.Integration!;

        Assert.Equal(IntegrationKinds.GaussianPerClass, integration.Kind);
        Assert.Equal(6, integration.ClassMeans!.Length);
        Assert.InRange(integration.RealisedFpr, 0.04, 0.05);

        var fresh = Records(400, 6, 2);
        using var scorer = new FingerprintScorer(fingerprint);
        var verdicts = scorer.Score(fresh);
        var ood = new bool[400];
        var scores = new double[400];
        scorer.ScoreInto(fresh, ood, scores);
        var statistics = new float[400 * scorer.StatisticCount];
        scorer.ComputeErrors(fresh, statistics, default, default);
        for (var r = 0; r < 400; r++)
        {
            var predicted = TensorPrimitives.IndexOfMax(fresh.Record(r));
            Assert.Equal(predicted, verdicts.PredictedClasses[r]);
            var expected = integration.Score(fingerprint.Manifest.Rule, statistics.AsSpan(r * scorer.StatisticCount, scorer.StatisticCount), predicted);
            Assert.Equal(expected, verdicts.Scores[r]);
            Assert.Equal(expected, scores[r]);
        }
        // Fresh draws of the reference's distribution: flagged at about the target rate (400 records: ± 3 sd).
        Assert.InRange(verdicts.OodCount / 400.0, 0.01, 0.10);

        var loaded = await SavedFingerprint.RoundTripAsync(fingerprint);
        using var again = new FingerprintScorer(loaded);
        Assert.Equal(IntegrationKinds.GaussianPerClass, loaded.Manifest.Integration!.Kind);
        Assert.Equal(verdicts.Scores.ToArray(), again.Score(fresh).Scores.ToArray());
    }

    [Fact]
    public void A_one_mean_fingerprint_written_before_class_means_existed_loads_and_scores_exactly_as_before()
    {
        var fingerprint = FingerprintBuilder.Build(SyntheticModels.Relu(6), Records(900, 6, 3), Options(["input"]) with { Integration = IntegrationKinds.Gaussian }, null, CancellationToken.None).Fingerprint;
        var files = fingerprint.ToFiles().ToDictionary(f => f.Key, f => f.Value);
        // fingerprint.json as builds before the per-class integration wrote it: no classMeans, no inputScaleFloorByMedian.
        var manifest = System.Text.Json.Nodes.JsonNode.Parse(files[Fingerprint.ManifestFileName])!;
        Assert.True(manifest["integration"]!.AsObject().Remove("classMeans"));
        Assert.True(manifest["options"]!.AsObject().Remove("inputScaleFloorByMedian"));
        files[Fingerprint.ManifestFileName] = System.Text.Encoding.UTF8.GetBytes(manifest.ToJsonString());

        var old = Fingerprint.FromFiles(files);

        Assert.Equal(IntegrationKinds.Gaussian, old.Manifest.Integration!.Kind);
        Assert.False(old.Manifest.Integration.ReadsPredictedClass);
        var records = Records(300, 6, 4);
        using var before = new FingerprintScorer(fingerprint);
        using var after = new FingerprintScorer(old);
        var expected = before.Score(records);
        var actual = after.Score(records);
        Assert.Equal(expected.Scores.ToArray(), actual.Scores.ToArray());
        Assert.Equal(expected.Ood.ToArray(), actual.Ood.ToArray());
        Assert.Equal(expected.PValues.ToArray(), actual.PValues.ToArray());
    }

    [Fact]
    public void A_single_output_model_gets_the_one_mean_integration_with_a_build_note()
    {
        var progress = new Collect();

        // A one-value output (a score, not class logits) has no predicted class to condition on. (Every statistic stays: the
        // response shifts could leave one, which is then read by its p-value instead of any density.)
        var fingerprint = FingerprintBuilder.Build(SyntheticModels.SingleScore(6), Records(800, 6, 5), Options(["input", "hidden"]) with { StatisticResponseBar = 0 }, progress, CancellationToken.None).Fingerprint;

        Assert.Equal(IntegrationKinds.Gaussian, fingerprint.Manifest.Integration!.Kind);
        Assert.Null(fingerprint.Manifest.Integration.ClassMeans);
        Assert.Contains(progress.Lines, l => l.Contains("no class outputs", StringComparison.Ordinal) && l.Contains(IntegrationKinds.GaussianPerClass, StringComparison.Ordinal));
    }
}
