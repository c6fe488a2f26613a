using NeuralFP.Core.Activations;
using NeuralFP.Core.Onnx;
using NeuralFP.Core.Onnx.Proto;
using NeuralFP.Core.Tensors;
using NeuralFP.Core.Tests.Support;
using NeuralFP.TestData;

namespace NeuralFP.Core.Tests.Onnx;

public class ScorerGraphBuilderTests
{
    private static (OnnxModel Model, LayerSpec[] Specs, IReadOnlyList<FusedLayer> Layers, ActivationSet Activations) Setup(string fixture, string pooling, int records)
    {
        var model = Fixtures.Model(fixture);
        var specs = model.AutoLayers().Select(n => new LayerSpec(n, PoolingSpec.Parse(pooling))).ToArray();
        using var extractor = new ActivationExtractor(model, specs);
        var activations = extractor.Extract(FashionMnist.Test().Take(records).Images, batchSize: 50);
        return (model, specs, ReferenceScoring.FusedLayers(model, specs, activations, seed: 11), activations);
    }

    [Theory]
    [InlineData(Fixtures.Cnn, "global")]
    [InlineData(Fixtures.Cnn, "2x2")]
    [InlineData(Fixtures.Cnn, "4x4")]
    [InlineData(Fixtures.Cnn, "none")]
    [InlineData(Fixtures.Mlp, "global")]
    public void Fused_errors_match_a_plain_reference_and_model_outputs_match_the_bare_model(string fixture, string pooling)
    {
        var (model, specs, layers, _) = Setup(fixture, pooling, 120);
        var records = FashionMnist.Test().Take(120).Images;
        var bare = OrtRunner.Run(Fixtures.Bytes(fixture), records);
        // The reference starts from the features ONNX pools (checked against C# pooling in OnnxPoolingTests),
        // so that it tests standardisation, autoencoder and error without float32 pooling noise.
        var (featureGraph, _) = ScorerGraphBuilder.BuildFeatureGraph(model, specs);
        var features = OrtRunner.Run(featureGraph, records);

        var fused = OrtRunner.Run(ScorerGraphBuilder.Build(model, layers), records);

        Tolerance.AssertClose(bare[0].Data, fused[0].Data, 1e-5);
        for (var l = 0; l < layers.Count; l++)
        {
            var pooled = new FloatTensor(features[l].Data, [120, layers[l].Mean.Length]);
            var expected = ReferenceScoring.Errors(pooled, layers[l]).Select(e => (float)e).ToArray();
            Assert.Equal(layers[l].ErrorOutputName, fused[1 + l].Name);
            Assert.Equal([120L], fused[1 + l].Shape);
            Tolerance.AssertClose(expected, fused[1 + l].Data, 1e-4);
        }
    }

    [Theory]
    [InlineData("global")]
    [InlineData("4x4")]
    public void Fused_errors_match_errors_of_the_extracted_features_up_to_float32_pooling_noise(string pooling)
    {
        // Pooled means differ by ~1e-5 relative between ONNX Runtime's kernels and the C# sums;
        // standardising a nearly constant feature magnifies that, hence 1e-3 here.
        var (model, _, layers, activations) = Setup(Fixtures.Cnn, pooling, 120);

        var fused = OrtRunner.Run(ScorerGraphBuilder.Build(model, layers), FashionMnist.Test().Take(120).Images);

        for (var l = 0; l < layers.Count; l++)
        {
            var expected = ReferenceScoring.Errors(activations.Features[l], layers[l]).Select(e => (float)e).ToArray();
            Tolerance.AssertClose(expected, fused[1 + l].Data, 1e-3);
        }
    }

    [Fact]
    public void Outputs_are_the_model_outputs_then_one_error_per_layer_without_the_taps()
    {
        var (model, _, layers, _) = Setup(Fixtures.Cnn, "2x2", 20);

        var names = OrtRunner.OutputNames(ScorerGraphBuilder.Build(model, layers));

        Assert.Equal([.. model.OutputNames, .. layers.Select(l => l.ErrorOutputName)], names);
    }

    [Fact]
    public void Added_nodes_and_constants_have_unique_nfp_names()
    {
        var (model, _, layers, _) = Setup(Fixtures.Cnn, "4x4", 20);
        var original = model.Proto.Graph;

        var graph = ModelProto.Parser.ParseFrom(ScorerGraphBuilder.Build(model, layers)).Graph;

        var addedNodes = graph.Node.Skip(original.Node.Count).ToList();
        var addedConstants = graph.Initializer.Skip(original.Initializer.Count).ToList();
        Assert.NotEmpty(addedNodes);
        Assert.All(addedNodes, n => Assert.StartsWith("nfp/", n.Name));
        Assert.All(addedConstants, t => Assert.StartsWith("nfp/", t.Name));
        Assert.Equal(graph.Node.Count, graph.Node.Select(n => n.Name).Distinct().Count());
        Assert.Equal(graph.Initializer.Count, graph.Initializer.Select(t => t.Name).Distinct().Count());
        var outputs = graph.Node.SelectMany(n => n.Output).ToList();
        Assert.Equal(outputs.Count, outputs.Distinct().Count());
    }

    [Theory]
    [InlineData("global", "GlobalAveragePool")]
    [InlineData("2x2", "AveragePool")]
    [InlineData("4x4", "MatMul")]
    public void Only_ops_available_since_opset_1_are_added(string pooling, string poolingOp)
    {
        var (model, _, layers, _) = Setup(Fixtures.Cnn, pooling, 20);

        var graph = ModelProto.Parser.ParseFrom(ScorerGraphBuilder.Build(model, layers)).Graph;

        var added = graph.Node.Skip(model.Proto.Graph.Node.Count).Select(n => n.OpType).ToHashSet();
        Assert.Subset(new HashSet<string> { "Flatten", "MatMul", "Gemm", "Add", "Sub", "Mul", "Relu", "Tanh", "Reshape", "GlobalAveragePool", "AveragePool", "ReduceSumSquare", "ReduceMin" }, added);
        Assert.Contains(poolingOp, added);
        Assert.Equal(model.Proto.OpsetImport, ModelProto.Parser.ParseFrom(ScorerGraphBuilder.Build(model, layers)).OpsetImport);
    }

    [Fact]
    public void Fused_fixed_batch_model_scores_a_batch_of_16()
    {
        var (_, _, layers, _) = Setup(Fixtures.Cnn, "global", 16);
        var fixedModel = Fixtures.Model(Fixtures.CnnFixedBatch);

        var fused = OrtRunner.Run(ScorerGraphBuilder.Build(fixedModel, layers), FashionMnist.Test().Take(16).Images);

        Assert.All(fused.Skip(1), o => Assert.Equal([16L], o.Shape));
        Assert.All(fused.Skip(1), o => Assert.All(o.Data, e => Assert.True(float.IsFinite(e) && e >= 0)));
    }

    [Fact]
    public void Statistics_of_the_wrong_width_are_rejected()
    {
        var (model, _, layers, _) = Setup(Fixtures.Mlp, "global", 10);
        var broken = layers[1] with { Mean = layers[1].Mean[1..] };

        var e = Assert.Throws<ArgumentException>(() => ScorerGraphBuilder.Build(model, [layers[0], broken]));

        Assert.Contains(layers[1].TensorName, e.Message);
    }

    [Fact]
    public void A_tap_shape_that_differs_from_the_model_is_rejected()
    {
        var (model, _, layers, _) = Setup(Fixtures.Mlp, "global", 10);
        var broken = layers[0] with { TapShape = [784] };

        Assert.Throws<OnnxModelException>(() => ScorerGraphBuilder.Build(model, [broken]));
    }

    [Fact]
    public void An_error_output_name_that_is_already_taken_is_rejected()
    {
        var (model, _, layers, _) = Setup(Fixtures.Mlp, "global", 10);

        Assert.Throws<ArgumentException>(() => ScorerGraphBuilder.Build(model, [layers[0] with { ErrorOutputName = "logits" }]));
        Assert.Throws<ArgumentException>(() => ScorerGraphBuilder.Build(model, [layers[0], layers[1] with { ErrorOutputName = layers[0].ErrorOutputName }]));
    }
}
