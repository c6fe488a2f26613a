using Google.Protobuf;
using NeuralFP.Core.Activations;
using NeuralFP.Core.Onnx;
using NeuralFP.Core.Onnx.Proto;
using NeuralFP.Core.Tensors;
using NeuralFP.Core.Tests.Support;

namespace NeuralFP.Core.Tests.Activations;

/// <summary>The input layer's largest regional error: its maths, and the scorer graph's output against the C# definition.</summary>
public sealed class InputRegionalErrorTests
{
    [Fact]
    public void A_patch_of_large_residuals_is_the_mean_of_its_cell_not_of_the_record()
    {
        // One plane of 4×4 in a 2×2 grid: the top-right cell holds one residual of 8, the rest 0.
        var squares = new float[16];
        squares[0 * 4 + 3] = 8f;
        var layout = InputRegionalError.Layout([1, 4, 4], 2)!.Value;

        Assert.Equal((1, 4, 4), layout);
        Assert.Equal(2f, InputRegionalError.Measure(squares, layout, 2)); // 8 / 4 cells' values, against 8 / 16 over the record
    }

    [Fact]
    public void Leading_axes_are_planes_of_their_own_and_uneven_cells_follow_the_adaptive_bins()
    {
        // Two planes of 3×3 in a 2×2 grid: adaptive bins over 3 are [0, 2) and [1, 3), so the centre lies in every cell.
        var squares = new float[18];
        squares[9 + 1 * 3 + 1] = 4f; // plane 1, centre
        var layout = InputRegionalError.Layout([2, 3, 3], 2)!.Value;

        Assert.Equal((2, 3, 3), layout);
        Assert.Equal(1f, InputRegionalError.Measure(squares, layout, 2)); // 4 over a 2×2 cell
        Assert.Equal((6, 5, 7), InputRegionalError.Layout([2, 3, 5, 7], 5));
    }

    [Fact]
    public void A_record_without_two_axes_as_long_as_the_grid_has_no_regions()
    {
        Assert.Null(InputRegionalError.Layout([30], 2));
        Assert.Null(InputRegionalError.Layout([28, 6], 7));
        Assert.Null(InputRegionalError.Layout([28, 28], 1));
        Assert.NotNull(InputRegionalError.Layout([28, 28], 7));
        Assert.Throws<ArgumentException>(() => InputRegionalError.Measure(new float[15], (1, 4, 4), 2));
    }

    [Theory]
    [InlineData(9, new long[] { 1, 8, 8 }, 4, "AveragePool")]   // equal cells; reduction axes as attributes
    [InlineData(13, new long[] { 1, 8, 8 }, 4, "AveragePool")]
    [InlineData(18, new long[] { 8, 8 }, 2, "AveragePool")]     // reduction axes as an input
    [InlineData(13, new long[] { 2, 7, 9 }, 3, "MatMul")]       // uneven cells: the adaptive bins' averaging matrix
    [InlineData(18, new long[] { 5, 7 }, 2, "MatMul")]
    public void The_scorer_graph_outputs_the_largest_regional_error_of_every_record(long opset, long[] recordShape, int grid, string cellOp)
    {
        var shape = recordShape.Select(d => (int)d).ToArray();
        var random = new Random(5);
        var d = shape.Aggregate(1, (a, b) => a * b);
        var records = new FloatTensor([.. Enumerable.Range(0, 40 * d).Select(i => (float)(random.NextDouble() * (i % 5 == 0 ? -2 : 3)))], [40, .. shape]);
        var (model, layers, features) = ReferenceScoring.ReluModelWithInputLayer(opset, recordShape, records);

        var graph = ScorerGraphBuilder.Build(model, layers, ScorerExtras.None with { InputRegionalGrid = grid });
        var output = OrtRunner.Run(graph, records).Single(o => o.Name == InputRegionalError.Output);

        var layout = InputRegionalError.Layout(shape, grid)!.Value;
        var expected = ReferenceScoring.SquaredResiduals(features, layers[0])
            .Select(squares => InputRegionalError.Measure([.. squares.Select(s => (float)s)], layout, grid)).ToArray();
        Assert.Equal([40L], output.Shape);
        Tolerance.AssertClose(expected, output.Data, 1e-4);
        // The largest cell is never below the record's mean, which is the layer's error.
        var errors = OrtRunner.Run(graph, records).Single(o => o.Name == layers[0].ErrorOutputName).Data;
        for (var r = 0; r < 40; r++) Assert.True(output.Data[r] >= errors[r] * (1 - 1e-5), $"record {r}: {output.Data[r]} < {errors[r]}");
        var added = ModelProto.Parser.ParseFrom(graph).Graph.Node.Where(n => n.Output[0].StartsWith(GraphEditor.Prefix + "regional/", StringComparison.Ordinal)).Select(n => n.OpType).ToHashSet();
        Assert.Contains(cellOp, added);
        Assert.Contains("ReduceMax", added);
    }

    [Fact]
    public void Asked_for_without_a_fused_layer_on_the_whole_input_the_graph_says_what_is_missing()
    {
        var records = new FloatTensor(new float[10 * 64], [10, 1, 8, 8]);
        var proto = ModelProto.Parser.ParseFrom(SyntheticModels.Relu([1, 8, 8]));
        var model = OnnxModel.Load(proto.ToByteArray());
        var specs = new[] { new LayerSpec("act", PoolingSpec.Parse("none")) };
        using var extractor = new ActivationExtractor(model, specs);
        var layers = ReferenceScoring.FusedLayers(model, specs, extractor.Extract(records), seed: 1);

        var error = Assert.Throws<ArgumentException>(() => ScorerGraphBuilder.Build(model, layers, ScorerExtras.None with { InputRegionalGrid = 4 }));
        Assert.Contains("whole model input", error.Message);
        Assert.DoesNotContain(InputRegionalError.Output, OrtRunner.OutputNames(ScorerGraphBuilder.Build(model, layers)));
    }
}
