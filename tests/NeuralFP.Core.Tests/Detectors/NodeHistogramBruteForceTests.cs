using NeuralFP.Core.Detectors;
using NeuralFP.Core.Tensors;

namespace NeuralFP.Core.Tests.Detectors;

public sealed class NodeHistogramBruteForceTests
{
    private const int Records = 2000;
    private const int Nodes = 6;

    /// <summary>ReLU-like nodes (a pile of exact zeros), a Gaussian node and a constant node.</summary>
    private static FloatTensor Reference()
    {
        var random = new Random(21);
        var data = new float[Records * Nodes];
        for (var i = 0; i < Records; i++)
        {
            for (var j = 0; j < 4; j++) data[i * Nodes + j] = MathF.Max(0, (j + 1) * SyntheticActivations.Gaussian(random) - 0.3f);
            data[i * Nodes + 4] = 3 + SyntheticActivations.Gaussian(random);
            data[i * Nodes + 5] = 1.5f;
        }
        return new FloatTensor(data, [Records, Nodes]);
    }

    private static (NodeHistogramDetector Histograms, BruteForceNodePValues Brute) Fit(FloatTensor reference, NodeTail tail, int bins)
    {
        var histograms = new NodeHistogramDetector(new NodeHistogramOptions { Bins = bins, Tail = tail });
        histograms.Fit(new DetectorInputs(penultimate: reference));
        return (histograms, new BruteForceNodePValues(reference, tail));
    }

    [Theory]
    [InlineData(NodeTail.Upper, 50)]
    [InlineData(NodeTail.TwoSided, 50)]
    [InlineData(NodeTail.Upper, 7)]
    public void Histogram_p_values_agree_with_brute_force_within_one_bin(NodeTail tail, int bins)
    {
        var reference = Reference();
        var (histograms, brute) = Fit(reference, tail, bins);
        var random = new Random(4);
        var fromHistogram = new double[Nodes];
        var exact = new double[Nodes];
        var maxBinShare = 0.0;

        // Queries: reference values themselves, fresh values across and beyond the range, and exact zeros.
        for (var q = 0; q < 600; q++)
        {
            var query = new float[Nodes];
            for (var j = 0; j < Nodes; j++)
                query[j] = q % 3 == 0 ? reference.Record(q)[j] : q % 3 == 1 ? 12 * (float)random.NextDouble() - 3 : 0f;
            histograms.NodePValues(query, fromHistogram);
            brute.NodePValues(query, exact);
            for (var j = 0; j < Nodes; j++)
            {
                // Tolerance: the reference share of the bin the query falls in (plus the one record the +1 smoothing moves).
                var bin = BinShare(reference, j, query[j], bins);
                maxBinShare = Math.Max(maxBinShare, bin);
                var tolerance = (tail == NodeTail.TwoSided ? 2 : 1) * (bin + 1.0 / (Records + 1));
                Assert.True(Math.Abs(fromHistogram[j] - exact[j]) <= tolerance + 1e-12,
                    $"node {j}, value {query[j]}: histogram p {fromHistogram[j]} vs brute force {exact[j]} (tolerance {tolerance})");
            }
        }
        Assert.True(maxBinShare < 0.5, "the check is only meaningful when bins are narrower than the distribution");
    }

    [Fact]
    public void Fisher_combination_scores_minus_twice_the_sum_of_log_p()
    {
        var reference = Reference();
        var detector = new NodeHistogramDetector(new NodeHistogramOptions { Combination = PValueCombination.Fisher });
        detector.Fit(new DetectorInputs(penultimate: reference));
        var record = reference.Record(17).ToArray();
        var p = new double[Nodes];
        detector.NodePValues(record, p);

        var score = SyntheticActivations.Scores(detector, new DetectorInputs(penultimate: new FloatTensor(record, [1, Nodes])))[0];

        Assert.Equal(-2 * p.Sum(Math.Log), score, 1e-9);
    }

    [Fact]
    public void Values_at_the_relu_floor_get_exact_p_values()
    {
        var reference = Reference();
        var (histograms, brute) = Fit(reference, NodeTail.TwoSided, 50);
        var zeros = new float[Nodes];
        zeros[4] = 3;
        zeros[5] = 1.5f;
        var a = new double[Nodes];
        var b = new double[Nodes];

        histograms.NodePValues(zeros, a);
        brute.NodePValues(zeros, b);

        for (var j = 0; j < 4; j++) Assert.Equal(b[j], a[j], 1e-12);
        Assert.Equal(b[5], a[5], 1e-12); // the constant node
    }

    [Fact]
    public void The_representation_is_far_smaller_than_the_raw_activations_and_reports_its_size()
    {
        var reference = Reference();
        var (histograms, brute) = Fit(reference, NodeTail.Upper, 50);

        Assert.Equal(Nodes * 50L * sizeof(int) + Nodes * 12L, histograms.StateBytes);
        Assert.Equal(brute.StateBytes, histograms.RawBytes);
        Assert.True(histograms.StateBytes * 10 < histograms.RawBytes);
        Assert.Contains("Bonferroni", histograms.Description);
    }

    [Fact]
    public void Comparison_reports_both_sizes_and_a_p_value_gap_no_wider_than_the_fullest_bin()
    {
        var reference = Reference();
        var detector = new NodeHistogramDetector(new NodeHistogramOptions { Bins = 50 });
        detector.Fit(new DetectorInputs(penultimate: reference));

        var comparison = NodeHistogramComparison.Measure(detector, reference, reference);

        Assert.Equal(detector.StateBytes, comparison.HistogramBytes);
        Assert.Equal((long)Records * Nodes * sizeof(float), comparison.RawBytes);
        var fullestBin = Enumerable.Range(0, Nodes).Max(j => Enumerable.Range(0, Records).Max(i => BinShare(reference, j, reference.Record(i)[j], 50)));
        Assert.InRange(comparison.MaxAbsPValueDifference, 0, fullestBin + 1.0 / (Records + 1));
    }

    [Fact]
    public void Default_combination_scores_minus_log_of_the_bonferroni_corrected_smallest_p()
    {
        var reference = Reference();
        var detector = new NodeHistogramDetector();
        detector.Fit(new DetectorInputs(penultimate: reference));
        float[] record = [0, 0, 0, 0, 100, 1.5f]; // node 4 above every reference value: p = 1/(N+1)

        var score = SyntheticActivations.Scores(detector, new DetectorInputs(penultimate: new FloatTensor(record, [1, Nodes]))) [0];

        Assert.Equal(-Math.Log(Nodes / (Records + 1.0)), score, 1e-9);
    }

    /// <summary>Share of reference values of node j in the equal-width bin (over (min, max]) holding v; 0 outside the range.</summary>
    private static double BinShare(FloatTensor reference, int j, float v, int bins)
    {
        var column = Enumerable.Range(0, Records).Select(i => reference.Record(i)[j]).ToArray();
        float min = column.Min(), max = column.Max();
        if (v <= min || v > max || max == min) return 0;
        var width = ((double)max - min) / bins;
        var b = Math.Min(bins - 1, (int)((v - (double)min) / width));
        double lo = min + b * width, hi = min + (b + 1) * width;
        return column.Count(a => a >= lo && a <= hi && a > min) / (double)Records;
    }
}
