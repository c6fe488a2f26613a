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
}
