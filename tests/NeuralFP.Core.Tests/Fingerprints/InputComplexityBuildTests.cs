using NeuralFP.Core.Activations;
using NeuralFP.Core.Autoencoders;
using NeuralFP.Core.Fingerprints;
using NeuralFP.Core.Tensors;
using NeuralFP.Core.Tests.Support;
using NeuralFP.Core.Verdicts;

namespace NeuralFP.Core.Tests.Fingerprints;

/// <summary>The input's complexity as two statistics of the Gaussian integration, through a real build: what the scorer
/// reads, the saved artifact, and fingerprints built without it (every one before the option).</summary>
public sealed class InputComplexityBuildTests
{
    private static FloatTensor Records(int n, int seed)
    {
        var random = new Random(seed);
        var values = new float[n * 16];
        for (var i = 0; i < values.Length; i++) values[i] = (float)random.NextDouble();
        return new FloatTensor(values, [n, 1, 4, 4]);
    }

    private static FingerprintOptions Options => new()
    {
        Seed = 3, Autoencoder = new AutoencoderOptions { MaxEpochs = 3, HiddenSize = 8 }, Layers = ["input", "act"], Detectors = [],
        Integration = IntegrationKinds.GaussianPerClass, StatisticResponseBar = 0, // every statistic stays, whatever the response shifts say
    };

    private static Fingerprint Build(FingerprintOptions options, int seed = 1) =>
        FingerprintBuilder.Build(SyntheticModels.Relu(1, 4, 4), Records(900, seed), options, null, CancellationToken.None).Fingerprint;

    [Fact]
    public async Task The_default_build_reads_the_inputs_energy_and_variation_after_the_latent_distances_and_keeps_them_when_saved()
    {
        Assert.True(new FingerprintOptions().InputComplexity);
        var fingerprint = Build(Options);
        var manifest = fingerprint.Manifest;

        Assert.Equal(InputComplexity.Outputs, manifest.InputComplexityOutputs);
        var latents = manifest.Layers.Count(l => l.LatentOutput is not null);
        Assert.Equal(2, latents);
        Assert.Equal(manifest.Layers.Count + latents + 2, manifest.Integration!.StatisticCount);
        Assert.True(manifest.Integration.Included[^1] && manifest.Integration.Included[^2]);
        Assert.InRange(manifest.Integration.RealisedFpr, 0.04, 0.05);

        var fresh = Records(300, 2);
        using var scorer = new FingerprintScorer(fingerprint);
        var k = scorer.StatisticCount;
        Assert.Equal(manifest.Integration.StatisticCount, k);
        var statistics = new float[300 * k];
        scorer.ComputeErrors(fresh, statistics, default, default);
        var (_, rowWidth) = InputComplexity.Layout(manifest.InputShape);
        var expected = Enumerable.Range(0, 300).Select(r => InputComplexity.Measure(fresh.Record(r), rowWidth)).ToArray();
        Tolerance.AssertClose([.. expected.Select(e => e.Energy)], [.. Enumerable.Range(0, 300).Select(r => statistics[r * k + k - 2])], 1e-5);
        Tolerance.AssertClose([.. expected.Select(e => e.Variation)], [.. Enumerable.Range(0, 300).Select(r => statistics[r * k + k - 1])], 1e-5);
        var verdicts = scorer.Score(fresh);
        for (var r = 0; r < 300; r++)
            Assert.Equal(manifest.Integration.Score(manifest.Rule, statistics.AsSpan(r * k, k), verdicts.PredictedClasses[r]), verdicts.Scores[r]);

        var loaded = await SavedFingerprint.RoundTripAsync(fingerprint);
        using var again = new FingerprintScorer(loaded);
        Assert.Equal(InputComplexity.Outputs, loaded.Manifest.InputComplexityOutputs);
        Assert.Equal(verdicts.Scores.ToArray(), again.Score(fresh).Scores.ToArray());
    }

    [Theory]
    [InlineData(IntegrationKinds.GaussianPerClass, false)]
    [InlineData(IntegrationKinds.Fisher, true)]
    [InlineData(IntegrationKinds.OneOut, true)]
    public void Without_the_option_or_a_gaussian_integration_the_fingerprint_has_no_complexity_statistics(string integration, bool optionOn)
    {
        var fingerprint = Build(Options with { Integration = integration, InputComplexity = optionOn });

        Assert.Null(fingerprint.Manifest.InputComplexityOutputs);
        Assert.DoesNotContain(InputComplexity.EnergyOutput, OrtRunner.OutputNames(fingerprint.ScorerOnnx));
        using var scorer = new FingerprintScorer(fingerprint);
        Assert.Equal(fingerprint.Manifest.Integration?.StatisticCount ?? fingerprint.Manifest.Layers.Count, scorer.StatisticCount);
    }

    [Fact]
    public void A_fingerprint_written_before_the_option_existed_loads_and_scores_exactly_as_before()
    {
        // Built as before the option (no complexity statistics), then fingerprint.json as such builds wrote it.
        var fingerprint = Build(Options with { InputComplexity = false }, seed: 4);
        var old = OldArtifacts.WrittenWithout(fingerprint, "inputComplexity", "inputComplexityOutputs");

        Assert.Null(old.Manifest.InputComplexityOutputs);
        var records = Records(300, 5);
        using var before = new FingerprintScorer(fingerprint);
        using var after = new FingerprintScorer(old);
        Assert.Equal(before.StatisticCount, after.StatisticCount);
        var expected = before.Score(records);
        var actual = after.Score(records);
        Assert.Equal(expected.Scores.ToArray(), actual.Scores.ToArray());
        Assert.Equal(expected.Ood.ToArray(), actual.Ood.ToArray());
    }
}
