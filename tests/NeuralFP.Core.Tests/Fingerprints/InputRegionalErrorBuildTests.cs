using NeuralFP.Core.Activations;
using NeuralFP.Core.Autoencoders;
using NeuralFP.Core.Fingerprints;
using NeuralFP.Core.Tensors;
using NeuralFP.Core.Tests.Support;
using NeuralFP.Core.Verdicts;

namespace NeuralFP.Core.Tests.Fingerprints;

/// <summary>The input layer's largest regional error as a statistic of the density integrations, through a real build: what
/// the scorer reads, the saved artifact, when it is left out, and fingerprints built without it.</summary>
public sealed class InputRegionalErrorBuildTests
{
    private static FloatTensor Records(int n, int seed)
    {
        var random = new Random(seed);
        var values = new float[n * 64];
        for (var i = 0; i < values.Length; i++) values[i] = (float)random.NextDouble();
        return new FloatTensor(values, [n, 1, 8, 8]);
    }

    private static FingerprintOptions Options => new()
    {
        Seed = 3, Autoencoder = new AutoencoderOptions { MaxEpochs = 3, HiddenSize = 8 }, Layers = ["input", "act"], Detectors = [],
        InputRegionalGrid = 4,
    };

    private static Fingerprint Build(FingerprintOptions options, int seed = 1) =>
        FingerprintBuilder.Build(SyntheticModels.Relu(1, 8, 8), Records(900, seed), options, null, CancellationToken.None).Fingerprint;

    [Fact]
    public async Task The_build_reads_the_regional_error_after_the_complexity_measures_and_scores_and_saves_with_it()
    {
        Assert.Equal(7, new FingerprintOptions().InputRegionalGrid);
        var fingerprint = Build(Options);
        var manifest = fingerprint.Manifest;

        Assert.Equal(InputRegionalError.Output, manifest.InputRegionalErrorOutput);
        Assert.Equal([.. InputComplexity.Outputs, InputRegionalError.Output], manifest.InputStatisticOutputs());
        var latents = manifest.Layers.Count(l => l.LatentOutput is not null);
        Assert.Equal(manifest.Layers.Count + latents + 3, manifest.Integration!.StatisticCount);
        Assert.True(manifest.Integration.Included[^1]);
        Assert.InRange(manifest.Integration.RealisedFpr, 0.04, 0.05);

        var fresh = Records(300, 2);
        using var scorer = new FingerprintScorer(fingerprint);
        var k = scorer.StatisticCount;
        Assert.Equal(manifest.Integration.StatisticCount, k);
        var statistics = new float[300 * k];
        scorer.ComputeErrors(fresh, statistics, default, default);
        var input = manifest.Layers.ToList().FindIndex(l => l.Name == "input");
        for (var r = 0; r < 300; r++)
            Assert.True(statistics[r * k + k - 1] >= statistics[r * k + input] * (1 - 1e-5), $"record {r}: the largest cell is below the record's mean error");
        var verdicts = scorer.Score(fresh);
        for (var r = 0; r < 300; r++)
            Assert.Equal(manifest.Integration.Score(manifest.Rule, statistics.AsSpan(r * k, k), verdicts.PredictedClasses[r]), verdicts.Scores[r]);

        var loaded = await SavedFingerprint.RoundTripAsync(fingerprint);
        using var again = new FingerprintScorer(loaded);
        Assert.Equal(InputRegionalError.Output, loaded.Manifest.InputRegionalErrorOutput);
        Assert.Equal(verdicts.Scores.ToArray(), again.Score(fresh).Scores.ToArray());
    }

    [Theory]
    [InlineData(IntegrationKinds.NeighboursPerClass, 0, true)]   // turned off
    [InlineData(IntegrationKinds.NeighboursPerClass, 9, true)]   // a grid finer than the 8×8 record
    [InlineData(IntegrationKinds.NeighboursPerClass, 4, false)]  // the input not fingerprinted
    [InlineData(IntegrationKinds.Fisher, 4, true)]               // an integration that reads the errors only
    [InlineData(IntegrationKinds.OneOut, 4, true)]
    public void Without_a_grid_that_fits_a_whole_input_layer_and_a_density_the_fingerprint_has_no_regional_error(string integration, int grid, bool inputLayer)
    {
        var fingerprint = Build(Options with { Integration = integration, InputRegionalGrid = grid, Layers = inputLayer ? ["input", "act"] : ["act"] });

        Assert.Null(fingerprint.Manifest.InputRegionalErrorOutput);
        Assert.DoesNotContain(InputRegionalError.Output, OrtRunner.OutputNames(fingerprint.ScorerOnnx));
        using var scorer = new FingerprintScorer(fingerprint);
        Assert.Equal(fingerprint.Manifest.Integration?.StatisticCount ?? fingerprint.Manifest.Layers.Count, scorer.StatisticCount);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(-2)]
    [InlineData(FingerprintOptions.MaxInputRegionalGrid + 1)]
    public void A_grid_of_one_cell_or_beyond_the_limit_is_refused_by_name(int grid)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => (new FingerprintOptions { InputRegionalGrid = grid }).Validate());
        Assert.Contains("InputRegionalGrid", error.Message);
    }

    [Fact]
    public void A_fingerprint_written_before_the_option_existed_loads_and_scores_exactly_as_before()
    {
        // Built as before the option (no regional statistic), then fingerprint.json as such builds wrote it.
        var fingerprint = Build(Options with { InputRegionalGrid = 0 }, seed: 4);
        var old = OldArtifacts.WrittenWithout(fingerprint, "inputRegionalGrid", "inputRegionalErrorOutput");

        Assert.Null(old.Manifest.InputRegionalErrorOutput);
        var records = Records(300, 5);
        using var before = new FingerprintScorer(fingerprint);
        using var after = new FingerprintScorer(old);
        Assert.Equal(before.StatisticCount, after.StatisticCount);
        Assert.Equal(before.Score(records).Scores.ToArray(), after.Score(records).Scores.ToArray());
    }
}
