using Google.Protobuf;
using NeuralFP.Core.Activations;
using NeuralFP.Core.Onnx;
using NeuralFP.Core.Onnx.Proto;
using NeuralFP.Core.Tensors;
using NeuralFP.Core.Tests.Support;

namespace NeuralFP.Core.Tests.Activations;

/// <summary>The input's complexity measures: their maths, and the scorer graph's outputs against the C# definition.</summary>
public sealed class InputComplexityTests
{
    [Fact]
    public void Energy_is_the_mean_square_and_variation_the_mean_absolute_difference_along_and_across_rows()
    {
        var (length, rowWidth) = InputComplexity.Layout([1, 2, 2]);
        Assert.Equal((4, 2), (length, rowWidth));

        // [[1, 2], [3, 4]]: along |2−1| + |3−2| + |4−3| = 3 (the row-end pair 2→3 counts), across |3−1| + |4−2| = 4; 5 pairs.
        var (energy, variation) = InputComplexity.Measure([1f, 2f, 3f, 4f], rowWidth);

        Assert.Equal(7.5f, energy, 1e-6f);
        Assert.Equal(1.4f, variation, 1e-6f);
        Assert.Equal(5, InputComplexity.Pairs(4, 2));
    }

    [Fact]
    public void A_flat_record_has_no_rows_a_constant_one_no_variation_and_scaling_scales_both()
    {
        Assert.Equal((30, 0), InputComplexity.Layout([30]));
        Assert.Equal((784, 28), InputComplexity.Layout([28, 28]));
        Assert.Equal(0f, InputComplexity.Measure([3f, 3f, 3f, 3f], 0).Variation);

        var random = new Random(2);
        var record = Enumerable.Range(0, 12).Select(_ => (float)random.NextDouble()).ToArray();
        var (energy, variation) = InputComplexity.Measure(record, 4);
        var (energy2, variation2) = InputComplexity.Measure(record.Select(v => 2 * v).ToArray(), 4);
        Assert.Equal(4 * energy, energy2, 1e-5f);
        Assert.Equal(2 * variation, variation2, 1e-5f);
        Assert.Throws<ArgumentException>(() => InputComplexity.Measure([], 0));
    }

    [Theory]
    [InlineData(9, new long[] { 1, 5, 7 })]   // reduction axes as attributes
    [InlineData(13, new long[] { 1, 5, 7 })]
    [InlineData(18, new long[] { 5, 7 })]     // reduction axes as an input
    [InlineData(13, new long[] { 30 })]       // a flat record: differences along it only
    public void The_scorer_graph_outputs_the_measures_of_every_record(long opset, long[] recordShape)
    {
        var shape = recordShape.Select(d => (int)d).ToArray();
        var random = new Random(3);
        var d = shape.Aggregate(1, (a, b) => a * b);
        var records = new FloatTensor([.. Enumerable.Range(0, 40 * d).Select(i => (float)(random.NextDouble() * (i % 3 == 0 ? -2 : 3)))], [40, .. shape]);
        var (model, layers, _) = ReferenceScoring.ReluModelWithInputLayer(opset, recordShape, records);

        var graph = ScorerGraphBuilder.Build(model, layers, ScorerExtras.None with { InputComplexity = true });
        var outputs = OrtRunner.Run(graph, records).ToDictionary(o => o.Name);

        var (_, rowWidth) = InputComplexity.Layout(shape);
        var expected = Enumerable.Range(0, 40).Select(r => InputComplexity.Measure(records.Record(r), rowWidth)).ToArray();
        Assert.Equal([40L], outputs[InputComplexity.EnergyOutput].Shape);
        Tolerance.AssertClose([.. expected.Select(e => e.Energy)], outputs[InputComplexity.EnergyOutput].Data, 1e-5);
        Tolerance.AssertClose([.. expected.Select(e => e.Variation)], outputs[InputComplexity.VariationOutput].Data, 1e-5);
        var added = ModelProto.Parser.ParseFrom(graph).Graph.Node.Where(n => n.Name.StartsWith(GraphEditor.Prefix, StringComparison.Ordinal)).Select(n => n.OpType).ToHashSet();
        Assert.Contains("Conv", added);     // the differences, as a dilated [−1, 1] kernel (no slices copied)
        Assert.DoesNotContain("Slice", added);
        Assert.Contains("ReduceL1", added);
    }

    [Fact]
    public void Without_the_option_the_graph_has_no_complexity_outputs()
    {
        var records = new FloatTensor(new float[10 * 6], [10, 6]);
        var (model, layers, _) = ReferenceScoring.ReluModelWithInputLayer(13, [6], records);

        var names = OrtRunner.OutputNames(ScorerGraphBuilder.Build(model, layers));

        Assert.DoesNotContain(InputComplexity.EnergyOutput, names);
        Assert.DoesNotContain(InputComplexity.VariationOutput, names);
    }
}
