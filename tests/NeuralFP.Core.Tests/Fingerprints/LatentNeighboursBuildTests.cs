using NeuralFP.Core.Autoencoders;
using NeuralFP.Core.Fingerprints;
using NeuralFP.Core.Tensors;
using NeuralFP.Core.Tests.Support;
using NeuralFP.Core.Verdicts;

namespace NeuralFP.Core.Tests.Fingerprints;

/// <summary>latentNeighbours and inputAutoencoder through a real build: the scorer graph against the C# path, the saved
/// artifact, the input layer's own autoencoder, and fingerprints written before the options existed.</summary>
public sealed class LatentNeighboursBuildTests
{
    private static FloatTensor Records(int n, int width, int seed)
    {
        var random = new Random(seed);
        var values = new float[n * width];
        for (var i = 0; i < values.Length; i++) values[i] = (float)random.NextDouble();
        return new FloatTensor(values, [n, width]);
    }

    private static FingerprintOptions Options => new()
    {
        Seed = 3, Autoencoder = new AutoencoderOptions { Kind = AutoencoderKind.Mlp, MaxEpochs = 3, HiddenSize = 8 }, Layers = ["input"], Detectors = [],
        Integration = IntegrationKinds.GaussianPerClass, InputComplexity = false, InputMarginalBins = 0, // the latent statistic alone beside the error
    };

    [Fact]
    public async Task A_nearest_code_fingerprint_keeps_its_sampled_codes_scores_them_in_the_graph_as_in_csharp_and_loads_the_same()
    {
        var reference = Records(900, 6, 1);
        var outcome = FingerprintBuilder.Build(SyntheticModels.Relu(6), reference, Options with { LatentNeighbours = 100 }, null, CancellationToken.None);
        var fingerprint = outcome.Fingerprint;
        var layer = fingerprint.Manifest.Layers.Single();
        var width = outcome.Autoencoders[0].Layers[LatentDistance.BottleneckIndex(outcome.Autoencoders[0].Layers)].Outputs;

        Assert.Equal(100 * width, layer.LatentMeans!.Length);
        Assert.Equal(100, fingerprint.Manifest.Options.LatentNeighbours);
        Assert.InRange(fingerprint.Manifest.Integration!.RealisedFpr, 0.04, 0.05);

        // The graph's latent statistic equals the C# distance of the same standardised, encoded records.
        var fresh = Records(300, 6, 2);
        using var scorer = new FingerprintScorer(fingerprint);
        Assert.Equal(2, scorer.StatisticCount);
        var statistics = new float[300 * 2];
        scorer.ComputeErrors(fresh, statistics, default, default);
        var codes = LatentDistance.Encode(outcome.Autoencoders[0].Layers, new Standardizer(layer.Mean, layer.Scale).Transform(fresh));
        var expected = new LatentDistance(layer.LatentMeans, layer.LatentWhitening!).Distances(codes);
        Tolerance.AssertClose(expected, Enumerable.Range(0, 300).Select(r => statistics[r * 2 + 1]).ToArray(), 1e-3);
        var verdicts = scorer.Score(fresh);
        Assert.InRange(verdicts.OodCount / 300.0, 0.01, 0.11);

        var loaded = await SavedFingerprint.RoundTripAsync(fingerprint);
        using var again = new FingerprintScorer(loaded);
        Assert.Equal(100, loaded.Manifest.Options.LatentNeighbours);
        Assert.Equal(layer.LatentMeans, loaded.Manifest.Layers.Single().LatentMeans);
        Assert.Equal(verdicts.Scores.ToArray(), again.Score(fresh).Scores.ToArray());
    }

    [Fact]
    public void The_input_layers_own_autoencoder_applies_to_the_input_only()
    {
        var options = Options with
        {
            Layers = ["input", "hidden"],
            InputAutoencoder = new AutoencoderOptions { Kind = AutoencoderKind.Mlp, MaxEpochs = 3, HiddenSize = 4, MinBottleneck = 1, MaxBottleneck = 1 },
        };

        var fingerprint = FingerprintBuilder.Build(SyntheticModels.SingleScore(12), Records(600, 12, 3), options, null, CancellationToken.None).Fingerprint;

        var byName = fingerprint.Manifest.Layers.ToDictionary(l => l.Name);
        Assert.Equal([12, 4, 1, 4, 12], byName["input"].AutoencoderWidths);
        Assert.Equal([12, 8, 3, 8, 12], byName["hidden"].AutoencoderWidths);
    }

    [Fact]
    public void A_fingerprint_written_before_the_options_existed_loads_with_one_mean_and_the_shared_autoencoder_and_scores_as_before()
    {
        var fingerprint = FingerprintBuilder.Build(SyntheticModels.Relu(6), Records(900, 6, 4), Options, null, CancellationToken.None).Fingerprint;
        var files = fingerprint.ToFiles().ToDictionary(f => f.Key, f => f.Value);
        var manifest = System.Text.Json.Nodes.JsonNode.Parse(files[Fingerprint.ManifestFileName])!;
        var options = manifest["options"]!.AsObject();
        Assert.True(options.Remove("latentNeighbours"));
        options.Remove("inputAutoencoder"); // null is not written
        files[Fingerprint.ManifestFileName] = System.Text.Encoding.UTF8.GetBytes(manifest.ToJsonString());

        var old = Fingerprint.FromFiles(files);

        Assert.Equal(0, old.Manifest.Options.LatentNeighbours);
        Assert.Null(old.Manifest.Options.InputAutoencoder);
        Assert.Equal(1, new LatentDistance(old.Manifest.Layers[0].LatentMeans!, old.Manifest.Layers[0].LatentWhitening!).Classes);
        var records = Records(300, 6, 5);
        using var before = new FingerprintScorer(fingerprint);
        using var after = new FingerprintScorer(old);
        Assert.Equal(before.Score(records).Scores.ToArray(), after.Score(records).Scores.ToArray());
    }

    [Theory]
    [InlineData("""{"latentNeighbours":1}""")]
    [InlineData("""{"latentNeighbours":-5}""")]
    [InlineData("""{"latentNeighbours":20001}""")]
    [InlineData("""{"latentNeighbours":500,"latentPerClass":true}""")]
    [InlineData("""{"inputAutoencoder":{"hiddenSize":-1}}""")]
    public void Bad_values_are_refused_naming_the_option(string json)
    {
        var e = Assert.ThrowsAny<ArgumentException>(() => FingerprintOptions.FromJson(json));

        Assert.Contains(json.Contains("inputAutoencoder", StringComparison.Ordinal) ? "HiddenSize" : "LatentNeighbours", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_options_are_read_from_fingerprint_json()
    {
        var options = FingerprintOptions.FromJson("""{"latentNeighbours":2000,"inputAutoencoder":{"maxBottleneck":16}}""");

        Assert.Equal(2000, options.LatentNeighbours);
        Assert.Equal(16, options.InputAutoencoder!.MaxBottleneck);
        Assert.Equal(new AutoencoderOptions().HiddenSize, options.InputAutoencoder.HiddenSize);
    }
}
