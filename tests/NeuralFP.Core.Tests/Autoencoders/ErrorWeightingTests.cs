using System.Text;
using System.Text.Json.Nodes;
using NeuralFP.Core.Autoencoders;
using NeuralFP.Core.Fingerprints;
using NeuralFP.Core.Tensors;
using NeuralFP.Core.Tests.Support;
using NeuralFP.TestData;

namespace NeuralFP.Core.Tests.Autoencoders;

/// <summary>Per-feature weights of the reconstruction error, folded into the standardisation and the autoencoder.</summary>
public sealed class ErrorWeightingTests
{
    /// <summary>Twelve raw features: eight mixed from three latent factors, four pure noise no autoencoder can reconstruct.</summary>
    private static FloatTensor Records(int n, int seed)
    {
        var random = new Random(seed);
        var mixing = new Random(1);
        var a = Enumerable.Range(0, 3 * 8).Select(_ => mixing.NextDouble() * 2 - 1).ToArray();
        var values = new float[n * 12];
        for (var r = 0; r < n; r++)
        {
            double[] z = [Normal(random), Normal(random), Normal(random)];
            for (var j = 0; j < 8; j++) values[r * 12 + j] = (float)(z[0] * a[j] + z[1] * a[8 + j] + z[2] * a[16 + j] + 0.05 * Normal(random));
            for (var j = 8; j < 12; j++) values[r * 12 + j] = (float)Normal(random);
        }
        return new FloatTensor(values, [n, 12]);
    }

    private static double Normal(Random random) => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    [Theory]
    [InlineData(AutoencoderKind.Mlp)]
    [InlineData(AutoencoderKind.Pca)]
    public void The_folded_pair_gives_the_weighted_error_and_the_same_latent_code(AutoencoderKind kind)
    {
        var raw = Records(800, 2);
        var standardizer = Standardizer.Fit(raw);
        var train = standardizer.Transform(raw);
        var autoencoder = AutoencoderTrainer.Fit(train, new FloatTensor([], [0, 12]), new AutoencoderOptions { Kind = kind, MaxEpochs = 30, HiddenSize = 16, Seed = 3 });

        var (root, weightedError) = ErrorWeighting.RootWeights(autoencoder, train, floor: 0.3);
        var (folded, foldedAutoencoder) = ErrorWeighting.Fold(standardizer, autoencoder, root);

        var fresh = Records(100, 4);
        var z = standardizer.Transform(fresh);
        var weighted = foldedAutoencoder.Errors(folded.Transform(fresh));
        for (var r = 0; r < 100; r++)
        {
            var squared = ReconstructionErrors.FeatureMeans(autoencoder.Layers, z.Record(r).ToArray(), 1);
            var expected = Enumerable.Range(0, 12).Sum(j => root[j] * (double)root[j] * squared[j]) / 12;
            Assert.Equal(expected, weighted[r], expected * 1e-4);
        }
        Tolerance.AssertClose(LatentDistance.Encode(autoencoder.Layers, z).Data, LatentDistance.Encode(foldedAutoencoder.Layers, folded.Transform(fresh)).Data, 1e-4, floor: 1);
        // The weighted error's mean over the training records, as the folded pair computes it record by record.
        var trainErrors = foldedAutoencoder.Errors(folded.Transform(raw));
        Assert.Equal(trainErrors.Average(e => (double)e), weightedError, weightedError * 1e-4);
        // The records standardised the old way, rescaled in place, are those the folded standardizer gives.
        ErrorWeighting.Rescale(z, root);
        Tolerance.AssertClose(folded.Transform(fresh).Data, z.Data, 1e-5);
    }

    [Fact]
    public void Features_the_autoencoder_never_reconstructs_weigh_less_and_no_feature_more_than_one_over_the_floor()
    {
        var raw = Records(800, 5);
        var standardizer = Standardizer.Fit(raw);
        var train = standardizer.Transform(raw);
        var autoencoder = AutoencoderTrainer.Fit(train, new FloatTensor([], [0, 12]), new AutoencoderOptions { Kind = AutoencoderKind.Pca, Seed = 3 });

        foreach (var floor in new[] { 0.1, 0.3, 1.0 })
        {
            var weights = ErrorWeighting.RootWeights(autoencoder, train, floor).Root.Select(r => (double)r * r).ToArray();
            Assert.All(weights, w => Assert.InRange(w, 0, 1 / floor + 1e-6));
            Assert.True(weights[..8].Min() > weights[8..].Max(), $"floor {floor}: the mixed features weigh {string.Join(", ", weights.Select(w => w.ToString("F2")))}");
        }
        Assert.Equal(0.3, new FingerprintOptions().ErrorWeightFloor);
        foreach (var floor in new[] { -0.1, 1.5, double.NaN })
            Assert.Equal(nameof(FingerprintOptions.ErrorWeightFloor), Assert.Throws<ArgumentOutOfRangeException>(() => new FingerprintOptions { ErrorWeightFloor = floor }.Validate()).ParamName);
    }

    [Fact]
    public void A_fingerprint_built_before_the_weights_and_the_marginal_surprise_loads_from_its_old_file_and_scores_as_built()
    {
        // The panel's second table: before these options, fingerprint.json named neither.
        var model = File.ReadAllBytes(RepoPaths.Model("panel/synthetic_table_mlp.onnx"));
        FingerprintOptions Options(double floor, int bins) => new() { Detectors = [], Seed = 5, ErrorWeightFloor = floor, InputMarginalBins = bins, SelfCheckRecords = 0 };
        var old = FingerprintBuilder.Build(model, SyntheticTable.Train().Images, Options(0, 0), null, CancellationToken.None).Fingerprint;
        var now = FingerprintBuilder.Build(model, SyntheticTable.Train().Images, new FingerprintOptions { Detectors = [], Seed = 5, SelfCheckRecords = 0 }, null, CancellationToken.None).Fingerprint;
        var files = old.ToFiles().ToDictionary();
        var manifest = JsonNode.Parse(files[Fingerprint.ManifestFileName])!.AsObject();
        Assert.True(manifest["options"]!.AsObject().Remove("errorWeightFloor"));
        Assert.True(manifest["options"]!.AsObject().Remove("inputMarginalBins"));
        files[Fingerprint.ManifestFileName] = Encoding.UTF8.GetBytes(manifest.ToJsonString());

        var loaded = Fingerprint.FromFiles(files);

        Assert.Equal(0, loaded.Manifest.Options.ErrorWeightFloor);
        Assert.Equal(0, loaded.Manifest.Options.InputMarginalBins);
        Assert.Equal(0.3, Fingerprint.FromFiles(now.ToFiles().ToDictionary()).Manifest.Options.ErrorWeightFloor);
        var records = SyntheticTable.Test().Images;
        using var before = new FingerprintScorer(old);
        using var after = new FingerprintScorer(loaded);
        using var current = new FingerprintScorer(now);
        Assert.Equal(before.Score(records).Scores.ToArray(), after.Score(records).Scores.ToArray());
        Assert.NotEqual(before.Score(records).Scores.ToArray(), current.Score(records).Scores.ToArray());
    }
}
