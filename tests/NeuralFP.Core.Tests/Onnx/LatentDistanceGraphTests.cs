using NeuralFP.Core.Activations;
using NeuralFP.Core.Autoencoders;
using NeuralFP.Core.Onnx;
using NeuralFP.Core.Tensors;
using NeuralFP.Core.Tests.Support;
using NeuralFP.TestData;

namespace NeuralFP.Core.Tests.Onnx;

/// <summary>The scorer graph's latent distance output equals the C# computation (one mean and per class).</summary>
public sealed class LatentDistanceGraphTests
{
    private static IReadOnlyList<DenseLayer> Autoencoder(int width, Random rng)
    {
        return [ReferenceScoring.RandomDense(width, 16, Activation.Relu, rng), ReferenceScoring.RandomDense(16, 6, Activation.Identity, rng),
            ReferenceScoring.RandomDense(6, 16, Activation.Relu, rng), ReferenceScoring.RandomDense(16, width, Activation.Identity, rng)];
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Fused_latent_distances_equal_the_csharp_distances_of_the_same_features(bool perClass)
    {
        var model = Fixtures.Model(Fixtures.Mlp);
        var specs = model.AutoLayers().Select(n => new LayerSpec(n, PoolingSpec.Parse("global"))).ToArray();
        var records = FashionMnist.Test().Take(300).Images;
        var bare = OrtRunner.Run(Fixtures.Bytes(Fixtures.Mlp), records);
        var classes = Enumerable.Range(0, 300).Select(r => System.Numerics.Tensors.TensorPrimitives.IndexOfMax(bare[0].Data.AsSpan(r * 10, 10))).ToArray();
        // The distance starts from the features ONNX pools, so the comparison is of the latent part alone.
        var (featureGraph, _) = ScorerGraphBuilder.BuildFeatureGraph(model, specs);
        var features = OrtRunner.Run(featureGraph, records);
        var rng = new Random(3);
        var layers = new List<FusedLayer>();
        var expected = new List<float[]>();
        for (var l = 0; l < specs.Length; l++)
        {
            var pooled = new FloatTensor(features[l].Data, [300, features[l].Data.Length / 300]);
            var (mean, scale) = ReferenceScoring.Statistics(pooled);
            var autoencoder = Autoencoder(pooled.RecordLength, rng);
            var codes = LatentDistance.Encode(autoencoder, new Standardizer(mean, scale).Transform(pooled));
            var distance = LatentDistance.Fit(codes, perClass ? classes : null);
            Assert.Equal(perClass ? classes.Distinct().Count(c => classes.Count(x => x == c) >= LatentDistance.MinClassRecords) : 1, distance.Classes);
            expected.Add(distance.Distances(codes));
            layers.Add(new FusedLayer(specs[l].Name, model.Layers.Single(c => c.Name == specs[l].Name).Shape!, specs[l].Pooling, mean, scale, autoencoder, $"error/{l}")
                { Latent = distance, LatentOutputName = $"latent/{l}" });
        }

        var fused = OrtRunner.Run(ScorerGraphBuilder.Build(model, layers), records);

        var outputs = fused.ToDictionary(o => o.Name);
        for (var l = 0; l < layers.Count; l++)
        {
            var output = outputs[$"latent/{l}"];
            Assert.Equal([300L], output.Shape);
            Assert.All(expected[l], d => Assert.True(d > 0));
            Tolerance.AssertClose(expected[l], output.Data, 1e-3);
        }
    }

    [Fact]
    public void Fused_nearest_code_distances_through_the_matmul_form_equal_the_csharp_distances_of_fresh_records()
    {
        var model = Fixtures.Model(Fixtures.Mlp);
        var specs = model.AutoLayers().Select(n => new LayerSpec(n, PoolingSpec.Parse("global"))).ToArray();
        var records = FashionMnist.Test().Take(400).Images;
        var (featureGraph, _) = ScorerGraphBuilder.BuildFeatureGraph(model, specs);
        var features = OrtRunner.Run(featureGraph, records);
        var rng = new Random(4);
        var train = Enumerable.Range(0, 250).ToArray();
        var oneMean = new List<float[]>();
        var maxNorm = new List<float>();
        var fresh = Enumerable.Range(250, 150).ToArray();
        var layers = new List<FusedLayer>();
        var expected = new List<float[]>();
        for (var l = 0; l < specs.Length; l++)
        {
            var pooled = new FloatTensor(features[l].Data, [400, features[l].Data.Length / 400]);
            var (mean, scale) = ReferenceScoring.Statistics(pooled);
            var autoencoder = Autoencoder(pooled.RecordLength, rng);
            var codes = LatentDistance.Encode(autoencoder, new Standardizer(mean, scale).Transform(pooled));
            // More codes than the direct form takes: the graph compares them with one MatMul.
            var distance = LatentDistance.FitNeighbours(codes.Gather(train), 200, seed: l);
            Assert.True(distance.Classes > ScorerGraphBuilder.MaxDirectLatentMeans);
            expected.Add(distance.Distances(codes.Gather(fresh)));
            oneMean.Add(new LatentDistance(distance.Centre(), distance.Whitening).Distances(codes.Gather(fresh)));
            maxNorm.Add(distance.Expanded().SquaredNorms.Max());
            layers.Add(new FusedLayer(specs[l].Name, model.Layers.Single(c => c.Name == specs[l].Name).Shape!, specs[l].Pooling, mean, scale, autoencoder, $"error/{l}")
                { Latent = distance, LatentOutputName = $"latent/{l}" });
        }

        var outputs = OrtRunner.Run(ScorerGraphBuilder.Build(model, layers), records.Gather(fresh)).ToDictionary(o => o.Name);

        for (var l = 0; l < layers.Count; l++)
        {
            // The MatMul form ‖u‖² − 2·u·m_c + ‖m_c‖² rounds relative to its terms, ‖u‖² (the one-mean distance) and ‖m_c‖²,
            // not to their small difference: 1e-3 of the distance, or 1e-5 of those terms.
            var actual = outputs[$"latent/{l}"].Data;
            var terms = oneMean[l];
            Assert.Contains(expected[l], d => d > 0);
            for (var r = 0; r < fresh.Length; r++)
                Assert.True(Math.Abs(actual[r] - expected[l][r]) <= Math.Max(1e-3 * expected[l][r], 1e-5 * (terms[r] + maxNorm[l])),
                    $"layer {l} record {r}: fused {actual[r]} vs C# {expected[l][r]} (terms {terms[r]}, {maxNorm[l]})");
        }
    }
}
