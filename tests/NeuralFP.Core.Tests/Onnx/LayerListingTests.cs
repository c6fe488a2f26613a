using NeuralFP.Core.Onnx;
using NeuralFP.Core.Tests.Support;

namespace NeuralFP.Core.Tests.Onnx;

public class LayerListingTests
{
    [Theory]
    [InlineData(Fixtures.Cnn)]
    [InlineData(Fixtures.Mlp)]
    public void The_input_comes_first_with_its_record_shape(string fixture)
    {
        var first = Fixtures.Model(fixture).Layers[0];

        Assert.Equal(new LayerCandidate("input", "Input", first.Shape, LayerRole.Input), first);
        Assert.Equal([1, 28, 28], first.Shape!);
    }

    [Theory]
    [InlineData(Fixtures.Cnn)]
    [InlineData(Fixtures.Mlp)]
    public void Every_node_output_computed_from_the_input_and_of_float_type_is_listed_in_graph_order(string fixture)
    {
        var model = Fixtures.Model(fixture);
        var graph = model.Proto.Graph;
        // Structural ops of a classifier all produce float activations.
        var expected = graph.Node.Where(n => n.OpType is "Conv" or "Relu" or "MaxPool" or "Flatten" or "Gemm" or "MatMul" or "Add")
            .Select(n => n.Output[0]).ToList();

        var listed = model.Layers.Skip(1).Select(l => l.Name).ToList();

        Assert.Equal(expected, listed.Where(expected.Contains));
        Assert.Equal(listed.Count, listed.Distinct().Count());
        Assert.All(model.Layers, l => Assert.NotNull(l.Shape));
    }

    [Fact]
    public void Cnn_conv_maps_keep_their_spatial_shape_and_pools_halve_it()
    {
        var model = Fixtures.Model(Fixtures.Cnn);
        var convRelus = model.Layers.Where(l => l.OpType == "Relu" && l.Shape!.Length == 3).ToList();
        var pools = model.Layers.Where(l => l.OpType == "MaxPool").ToList();

        Assert.Equal(2, convRelus.Count);
        Assert.Equal([28, 28], convRelus[0].Shape![1..]);
        Assert.Equal([14, 14], convRelus[1].Shape![1..]);
        Assert.Equal(2, pools.Count);
        Assert.Equal([convRelus[0].Shape![0], 14, 14], pools[0].Shape!);
        Assert.Equal([convRelus[1].Shape![0], 7, 7], pools[1].Shape!);
    }

    [Theory]
    [InlineData(Fixtures.Cnn, 2, 0)]
    [InlineData(Fixtures.Mlp, 0, 1)]
    public void Roles_mark_block_activations_penultimate_features_and_logits(string fixture, int convActivations, int denseActivations)
    {
        var model = Fixtures.Model(fixture);
        var hidden = model.Layers.Where(l => l.Role == LayerRole.Hidden).ToList();
        var penultimate = Assert.Single(model.Layers, l => l.Role == LayerRole.Penultimate);
        var logits = Assert.Single(model.Layers, l => l.Role == LayerRole.Logits);

        Assert.All(hidden, l => Assert.Equal("Relu", l.OpType));
        Assert.Equal(convActivations, hidden.Count(l => l.Shape!.Length == 3));
        Assert.Equal(denseActivations, hidden.Count(l => l.Shape!.Length == 1));
        Assert.Equal("logits", logits.Name);
        Assert.Equal([10], logits.Shape!);

        // The penultimate features are what the last Gemm reads: its width is the Gemm weight's input side.
        var lastGemm = model.Proto.Graph.Node.Last(n => n.OpType == "Gemm");
        Assert.Equal(lastGemm.Input[0], penultimate.Name);
        var weight = model.Proto.Graph.Initializer.Single(t => t.Name == lastGemm.Input[1]);
        var transB = lastGemm.Attribute.FirstOrDefault(a => a.Name == "transB")?.I == 1;
        Assert.Equal((int)(transB ? weight.Dims[1] : weight.Dims[0]), Assert.Single(penultimate.Shape!));
    }

    [Fact]
    public void Non_float_tensors_and_tensors_not_computed_from_the_input_are_not_listed()
    {
        var model = Fixtures.Model(Fixtures.Cnn);
        var graph = model.Proto.Graph;
        var excluded = graph.Node.Where(n => n.OpType is "Shape" or "Gather" or "Constant" or "Unsqueeze" or "Concat").SelectMany(n => n.Output).ToHashSet();

        Assert.DoesNotContain(model.Layers, l => excluded.Contains(l.Name));
    }
}
