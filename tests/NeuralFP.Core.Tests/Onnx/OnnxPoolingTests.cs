using NeuralFP.Core.Activations;
using NeuralFP.Core.Onnx;
using NeuralFP.Core.Tensors;
using NeuralFP.Core.Tests.Support;
using NeuralFP.TestData;

namespace NeuralFP.Core.Tests.Onnx;

/// <summary>The pooling the fused graph does in ONNX equals <see cref="PoolingSpec.Pool"/>.</summary>
public class OnnxPoolingTests
{
    [Theory]
    [InlineData("global")]
    [InlineData("2x2")]
    [InlineData("4x4")]
    [InlineData("none")]
    [InlineData("2x2+l2")]
    [InlineData("none+l2")]
    public void Onnx_pooling_of_a_7x7_map_equals_csharp_pooling(string pooling)
    {
        var model = OnnxModel.Load(SyntheticModels.Relu(3, 7, 7));
        var rng = new Random(3);
        var records = new FloatTensor([.. Enumerable.Range(0, 4 * 147).Select(_ => (float)rng.NextDouble())], [4, 3, 7, 7]);
        var spec = PoolingSpec.Parse(pooling);

        var (graph, _) = ScorerGraphBuilder.BuildFeatureGraph(model, [new LayerSpec("act", spec)]);
        var onnx = OrtRunner.Run(graph, records).Single();

        var d = spec.FeatureCount([3, 7, 7]);
        Assert.Equal([4L, d], onnx.Shape);
        var expected = new float[4 * d];
        for (var r = 0; r < 4; r++) spec.Pool(records.Record(r), [3, 7, 7], expected.AsSpan(r * d, d));
        Tolerance.AssertClose(expected, onnx.Data, 1e-5);
    }

    [Theory]
    [InlineData("global")]
    [InlineData("2x2")]
    [InlineData("4x4")]
    [InlineData("none")]
    public void Onnx_pooling_of_every_auto_layer_equals_the_extractor(string pooling)
    {
        var model = Fixtures.Model(Fixtures.Cnn);
        var specs = model.AutoLayers().Select(n => new LayerSpec(n, PoolingSpec.Parse(pooling))).ToArray();
        var records = FashionMnist.Test().Take(40).Images;
        using var extractor = new ActivationExtractor(model, specs);
        var activations = extractor.Extract(records);

        var (graph, _) = ScorerGraphBuilder.BuildFeatureGraph(model, specs);
        var onnx = OrtRunner.Run(graph, records);

        for (var l = 0; l < specs.Length; l++)
        {
            Assert.Equal(activations.Features[l].Shape.Select(d => (long)d), onnx[l].Shape);
            // GlobalAveragePool sums 784 values in float32 less carefully than TensorPrimitives.Sum (~1e-5 apart);
            // a wrong bin or ordering would be off by far more.
            Tolerance.AssertClose(activations.Features[l].Data, onnx[l].Data, 5e-5, 1e-2);
        }
    }

    [Theory]
    [InlineData("time")]
    [InlineData("time4")]
    [InlineData("time5")]
    [InlineData("time7")]
    [InlineData("time4+l2")]
    public void Onnx_time_pooling_of_the_recurrent_and_transformer_sequences_equals_the_extractor(string pooling)
    {
        // The GRU's hidden states and the transformer's block outputs, [28, 64] and [28, 32]; 28 / 5 gives uneven,
        // overlapping segments, which the graph does with its averaging matrix.
        foreach (var file in new[] { "panel/gru.onnx", "panel/transformer.onnx" })
        {
            var model = OnnxModel.Load(Fixtures.Bytes(file));
            var specs = model.Layers.Where(l => l.Role == LayerRole.Sequence).Select(l => new LayerSpec(l.Name, PoolingSpec.Parse(pooling))).ToArray();
            Assert.NotEmpty(specs);
            var records = FashionMnist.Test().Take(40).Images;
            using var extractor = new ActivationExtractor(model, specs);
            var activations = extractor.Extract(records);

            var (graph, _) = ScorerGraphBuilder.BuildFeatureGraph(model, specs);
            var onnx = OrtRunner.Run(graph, records);

            for (var l = 0; l < specs.Length; l++)
            {
                Assert.Equal([40L, specs[l].Pooling.FeatureCount(model.Layers.Single(c => c.Name == specs[l].Name).Shape!)], onnx[l].Shape);
                Tolerance.AssertClose(activations.Features[l].Data, onnx[l].Data, 5e-5, 1e-2);
            }
        }
    }

    [Fact]
    public void L2_normalisation_leaves_a_zero_record_zero_in_both_paths_and_gives_unit_vectors_otherwise()
    {
        var model = OnnxModel.Load(SyntheticModels.Relu(3, 7, 7));
        var records = new FloatTensor(new float[2 * 147], [2, 3, 7, 7]);
        for (var i = 147; i < 294; i++) records.Data[i] = i % 5;
        var spec = PoolingSpec.Parse("2x2+l2");

        var (graph, _) = ScorerGraphBuilder.BuildFeatureGraph(model, [new LayerSpec("act", spec)]);
        var onnx = OrtRunner.Run(graph, records).Single();
        var csharp = new float[12];
        spec.Pool(records.Record(0), [3, 7, 7], csharp);

        Assert.All(csharp, v => Assert.Equal(0f, v));
        Assert.All(onnx.Data.AsSpan(0, 12).ToArray(), v => Assert.Equal(0f, v));
        spec.Pool(records.Record(1), [3, 7, 7], csharp);
        Assert.Equal(1.0, Math.Sqrt(csharp.Sum(v => (double)v * v)), 5);
        Tolerance.AssertClose(csharp, onnx.Data.AsSpan(12, 12), 1e-5);
    }
}
