using NeuralFP.Core.Activations;
using NeuralFP.Core.Onnx;
using NeuralFP.Core.Tensors;
using NeuralFP.Core.Tests.Support;

namespace NeuralFP.Core.Tests.Activations;

/// <summary>A table's marginal surprise: its histograms, what they find surprising, and the scorer graph against the C# definition.</summary>
public sealed class InputMarginalsTests
{
    /// <summary>n rows of a table: a continuous column, a count (0–6), a yes/no flag and a constant column.</summary>
    internal static FloatTensor Table(int n, int seed)
    {
        var random = new Random(seed);
        var values = new float[n * 4];
        for (var r = 0; r < n; r++)
        {
            values[r * 4] = (float)(10 + 3 * (random.NextDouble() + random.NextDouble() - 1));
            values[r * 4 + 1] = random.Next(7);
            values[r * 4 + 2] = random.NextDouble() < 0.3 ? 1 : 0;
            values[r * 4 + 3] = 5;
        }
        return new FloatTensor(values, [n, 4]);
    }

    [Fact]
    public void A_value_no_training_row_had_in_its_column_is_more_surprising_than_one_many_had()
    {
        var marginals = InputMarginals.Fit(Table(500, 1), bins: 100);

        float usual = marginals.Measure([10f, 3f, 0f, 5f]);
        Assert.True(marginals.Measure([10f, 3f, 0.5f, 5f]) > usual + 2, "a flag at 0.5");
        Assert.True(marginals.Measure([10f, 2.5f, 0f, 5f]) > usual + 2, "a count of 2.5");
        Assert.True(marginals.Measure([10f, 3f, 0f, 5.5f]) > usual + 2, "a constant column off its value");
        Assert.True(marginals.Measure([1e6f, 3f, 0f, 5f]) > usual + 2, "far beyond the column's range");
        // An empty bin costs ln(n + bins + 2): finite, and the same wherever it lies.
        Assert.Equal(marginals.Measure([10f, 3f, 0.5f, 5f]), marginals.Measure([10f, 3f, 0.4f, 5f]), 1e-4f);
    }

    [Fact]
    public void Each_cell_is_clamped_to_the_outer_bins_and_the_surprise_is_a_negative_log_probability()
    {
        var marginals = InputMarginals.Fit(Table(500, 2), bins: 20);

        Assert.Equal(22, marginals.Cells);
        Assert.Equal(0, marginals.Cell(0, -1e9f));
        Assert.Equal(21, marginals.Cell(0, 1e9f));
        for (var j = 0; j < marginals.Width; j++)
        {
            var probabilities = Enumerable.Range(0, marginals.Cells).Sum(c => Math.Exp(-marginals.Surprise[j * marginals.Cells + c]));
            Assert.Equal(1.0, probabilities, 1e-5);
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => InputMarginals.Fit(Table(10, 1), bins: 1));
        Assert.Throws<ArgumentException>(() => InputMarginals.Fit(new FloatTensor([1f, float.NaN], [1, 2]), bins: 10));
        Assert.Throws<ArgumentException>(() => marginals.Measure([1f, 2f]));
    }

    [Fact]
    public void A_table_too_wide_for_the_cell_budget_does_not_fit()
    {
        Assert.True(InputMarginals.Fits(5_000, 800));
        Assert.False(InputMarginals.Fits(6_000, 800));
        Assert.True(InputMarginals.Fits(6_000, 600));
    }

    [Theory]
    [InlineData(new[] { 30 }, true)]
    [InlineData(new[] { 1, 30 }, true)]
    [InlineData(new[] { 1, 28, 28 }, false)]
    [InlineData(new[] { 6, 4 }, false)]
    public void It_applies_to_a_tables_rows_only(int[] recordShape, bool applies) =>
        Assert.Equal(applies, InputMarginals.Applies(recordShape));

    [Theory]
    [InlineData(9)]    // clamped by Max and Min
    [InlineData(13)]   // clamped by Clip
    public void The_scorer_graph_outputs_the_surprise_of_every_record(long opset)
    {
        var train = Table(400, 3);
        var marginals = InputMarginals.Fit(train, bins: 50);
        var records = Table(60, 4);
        // Off-grid values too: a flag at 0.5, a count of 2.5, far below and above the range.
        records.Data[2] = 0.5f;
        records.Data[5] = 2.5f;
        records.Data[8] = -1e6f;
        records.Data[13] = 1e6f;
        var (model, layers, _) = ReferenceScoring.ReluModelWithInputLayer(opset, [4], records);

        var graph = ScorerGraphBuilder.Build(model, layers, ScorerExtras.None with { InputMarginals = marginals });
        var outputs = OrtRunner.Run(graph, records).ToDictionary(o => o.Name);

        Assert.Equal([60L], outputs[InputMarginals.Output].Shape);
        Tolerance.AssertClose([.. Enumerable.Range(0, 60).Select(r => marginals.Measure(records.Record(r)))], outputs[InputMarginals.Output].Data, 1e-5);
    }

    [Fact]
    public void Histograms_of_another_width_are_refused_by_the_graph()
    {
        var records = Table(20, 5);
        var (model, layers, _) = ReferenceScoring.ReluModelWithInputLayer(13, [4], records);
        var narrow = InputMarginals.Fit(new FloatTensor(new float[30], [10, 3]), bins: 10);

        var error = Assert.Throws<ArgumentException>(() => ScorerGraphBuilder.Build(model, layers, ScorerExtras.None with { InputMarginals = narrow }));
        Assert.Contains("3 columns", error.Message);
    }
}
