using System.Numerics.Tensors;
using NeuralFP.Core.Autoencoders;
using NeuralFP.Core.Fingerprints;
using NeuralFP.Core.Tensors;
using NeuralFP.Core.Tests.Support;
using NeuralFP.Core.Verdicts;

namespace NeuralFP.Core.Tests.Fingerprints;

/// <summary>The regularised-QDA and k-NN integrations through a real build: every scoring path reads the saved density,
/// the artifact keeps it, and a model without class outputs gets the kind without classes.</summary>
public sealed class DensityIntegrationBuildTests
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

    private static FingerprintOptions Options(string kind, string[] layers) => new()
    {
        Seed = 3, Autoencoder = new AutoencoderOptions { Kind = AutoencoderKind.Mlp, MaxEpochs = 3, HiddenSize = 8 }, Layers = layers, Detectors = [],
        Integration = kind,
    };

    [Theory]
    [InlineData(IntegrationKinds.GaussianClassCovariance)]
    [InlineData(IntegrationKinds.Neighbours)]
    [InlineData(IntegrationKinds.NeighboursPerClass)]
    public async Task A_build_with_the_kind_scores_every_path_with_its_density_and_the_artifact_scores_the_same(string kind)
    {
        var fingerprint = FingerprintBuilder.Build(SyntheticModels.Relu(6), Records(900, 6, 1), Options(kind, ["input"]), null, CancellationToken.None).Fingerprint;
        var integration = fingerprint.Manifest.Integration!;

        Assert.Equal(kind, integration.Kind);
        Assert.Equal(IntegrationKinds.ReadsClasses(kind), integration.ReadsPredictedClass);
        Assert.InRange(integration.RealisedFpr, 0.04, 0.05);
        // The latent distance is read beside the error, as by the Gaussian kinds.
        Assert.True(integration.StatisticCount > fingerprint.Manifest.Layers.Count);

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
            var expected = integration.Score(fingerprint.Manifest.Rule, statistics.AsSpan(r * scorer.StatisticCount, scorer.StatisticCount), IntegrationKinds.ReadsClasses(kind) ? predicted : -1);
            Assert.Equal(expected, verdicts.Scores[r]);
            Assert.Equal(expected, scores[r]);
        }
        Assert.InRange(verdicts.OodCount / 400.0, 0.01, 0.10);

        var loaded = await SavedFingerprint.RoundTripAsync(fingerprint);
        using var again = new FingerprintScorer(loaded);
        Assert.Equal(kind, loaded.Manifest.Integration!.Kind);
        var reloaded = again.Score(fresh);
        Assert.Equal(verdicts.Scores.ToArray(), reloaded.Scores.ToArray());
        Assert.Equal(verdicts.PValues.ToArray(), reloaded.PValues.ToArray());
    }

    [Theory]
    [InlineData(IntegrationKinds.GaussianClassCovariance, IntegrationKinds.Gaussian)]
    [InlineData(IntegrationKinds.NeighboursPerClass, IntegrationKinds.Neighbours)]
    public void A_single_output_model_gets_the_kind_without_classes_with_a_build_note(string kind, string without)
    {
        var progress = new Collect();

        var fingerprint = FingerprintBuilder.Build(SyntheticModels.SingleScore(6), Records(800, 6, 5), Options(kind, ["input", "hidden"]) with { StatisticResponseBar = 0 }, progress, CancellationToken.None).Fingerprint;

        Assert.Equal(without, fingerprint.Manifest.Integration!.Kind);
        Assert.False(fingerprint.Manifest.Integration.ReadsPredictedClass);
        Assert.Contains(progress.Lines, l => l.Contains("no class outputs", StringComparison.Ordinal) && l.Contains(kind, StringComparison.Ordinal));
    }
}
