using NeuralFP.Core.Activations;
using NeuralFP.Core.Autoencoders;
using NeuralFP.Core.Fingerprints;
using NeuralFP.Core.Onnx;
using NeuralFP.TestData;

namespace NeuralFP.Core.Tests.Fingerprints;

/// <summary>The fused scorer graph must give the errors of the unfused path: taps → pooling → standardise → autoencoder.</summary>
public sealed class FusedScorerTests(SmallCnnFingerprint cnn) : IClassFixture<SmallCnnFingerprint>
{
    [Fact]
    public void Fused_graph_errors_equal_the_unfused_path_within_1e4_relative()
    {
        var manifest = cnn.Fingerprint.Manifest;
        var records = FashionMnist.Test().Take(200).Images;
        using var scorer = new FingerprintScorer(cnn.Fingerprint);
        var stride = scorer.StatisticCount;
        var fused = new float[records.Records * stride];
        scorer.ComputeErrors(records, fused, default, default);

        var model = OnnxModel.Load(cnn.ModelBytes);
        var specs = manifest.Layers.Select(l => new LayerSpec(l.Name, PoolingSpec.Parse(l.Pooling))).ToArray();
        using var extractor = new ActivationExtractor(model, specs);
        var activations = extractor.Extract(records);
        for (var l = 0; l < manifest.Layers.Count; l++)
        {
            var layer = manifest.Layers[l];
            var standardized = new Standardizer(layer.Mean, layer.Scale).Transform(activations.Features[l]);
            var unfused = cnn.Autoencoders[l].Errors(standardized);
            for (var r = 0; r < records.Records; r++)
            {
                var expected = unfused[r];
                var actual = fused[r * stride + l];
                Assert.True(Math.Abs(actual - expected) <= 1e-4 * Math.Max(Math.Abs(expected), 1e-6),
                    $"layer {layer.Name} record {r}: fused {actual} vs unfused {expected}");
            }
        }
    }

    [Fact]
    public void Fused_graph_latent_distances_equal_the_unfused_path_within_1e3_relative()
    {
        var manifest = cnn.Fingerprint.Manifest;
        var records = FashionMnist.Test().Take(200).Images;
        using var scorer = new FingerprintScorer(cnn.Fingerprint);
        var stride = scorer.StatisticCount;
        var latentLayers = manifest.Layers.Select((layer, index) => (layer, index)).Where(x => x.layer.LatentOutput is not null).ToArray();
        Assert.NotEmpty(latentLayers);
        // Then the input's statistics (the default): errors, latent distances, the two complexity measures, the regional error.
        Assert.Equal(2, manifest.InputComplexityOutputs!.Count);
        Assert.NotNull(manifest.InputRegionalErrorOutput);
        Assert.Equal(manifest.Layers.Count + latentLayers.Length + 3, stride);
        var fused = new float[records.Records * stride];
        scorer.ComputeErrors(records, fused, default, default);

        var model = OnnxModel.Load(cnn.ModelBytes);
        var specs = manifest.Layers.Select(l => new LayerSpec(l.Name, PoolingSpec.Parse(l.Pooling))).ToArray();
        using var extractor = new ActivationExtractor(model, specs);
        var activations = extractor.Extract(records);
        for (var i = 0; i < latentLayers.Length; i++)
        {
            var (layer, l) = latentLayers[i];
            var standardized = new Standardizer(layer.Mean, layer.Scale).Transform(activations.Features[l]);
            var latent = LatentDistance.Encode(cnn.Autoencoders[l].Layers, standardized);
            var unfused = new LatentDistance(layer.LatentMeans!, layer.LatentWhitening!).Distances(latent);
            for (var r = 0; r < records.Records; r++)
            {
                var expected = unfused[r];
                var actual = fused[r * stride + manifest.Layers.Count + i];
                Assert.True(expected > 0, $"layer {layer.Name} record {r}: a latent distance of {expected}");
                Assert.True(Math.Abs(actual - expected) <= 1e-3 * Math.Max(Math.Abs(expected), 1e-3),
                    $"layer {layer.Name} record {r}: fused {actual} vs unfused {expected}");
            }
        }
    }

    [Fact]
    public void Fused_graph_gives_the_bare_models_predictions()
    {
        var records = FashionMnist.Test().Take(64).Images;
        using var scorer = new FingerprintScorer(cnn.Fingerprint);
        var verdicts = scorer.Score(records);

        var model = OnnxModel.Load(cnn.ModelBytes);
        using var extractor = new ActivationExtractor(model, []);
        var logits = extractor.Extract(records).Outputs;
        for (var r = 0; r < records.Records; r++)
        {
            var row = logits.Record(r);
            Assert.Equal(System.Numerics.Tensors.TensorPrimitives.IndexOfMax(row), verdicts[r].PredictedClass);
        }
    }
}
