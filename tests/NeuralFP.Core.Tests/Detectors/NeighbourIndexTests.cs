using NeuralFP.Core.Detectors.Numerics;

namespace NeuralFP.Core.Tests.Detectors;

/// <summary>
/// The k-NN density's scan: the same k-th distance as a plain scan over the stored rows, bit for bit (each row's sum is one
/// ordered chain of fused multiply-adds over the statistics, whatever the vector width), and no allocation per query.
/// </summary>
public class NeighbourIndexTests
{
    // 13 statistics and class sizes that are not multiples of 8 exercise the vector loop and its scalar tail.
    private const int Dimension = 13;

    private static (float[] Bank, int[] Classes) Bank(int rows, int seed)
    {
        var random = new Random(seed);
        var bank = new float[rows * Dimension];
        for (var i = 0; i < bank.Length; i++) bank[i] = (float)(random.NextDouble() * 4 - 2);
        // Class 3 has two rows only, so with k = 3 it is read against all rows.
        var classes = Enumerable.Range(0, rows).Select(r => r < 2 ? 3 : r % 3).ToArray();
        return (bank, classes);
    }

    private static float PlainScan(float[] bank, int[] classes, double[] z, int predictedClass, int k, int exclude)
    {
        var rows = bank.Length / Dimension;
        var inClass = Enumerable.Range(0, rows).Count(r => classes[r] == predictedClass);
        var useClass = inClass >= k;
        var distances = new List<float>();
        for (var r = 0; r < rows; r++)
        {
            if (r == exclude || useClass && classes[r] != predictedClass) continue;
            float sum = 0;
            for (var d = 0; d < Dimension; d++)
            {
                var diff = bank[r * Dimension + d] - (float)z[d];
                sum = MathF.FusedMultiplyAdd(diff, diff, sum);
            }
            distances.Add(sum);
        }
        distances.Sort();
        return distances[Math.Min(k, distances.Count) - 1];
    }

    [Theory]
    [InlineData(701, 1)]
    [InlineData(701, 3)]
    [InlineData(6_007, 3)] // classes of ~2,000 rows and an all-rows block beyond the stack buffer
    public void Kth_distance_equals_a_plain_scan_of_the_class_or_of_all_rows(int rows, int k)
    {
        var (bank, classes) = Bank(rows, seed: rows + k);
        var index = new NeighbourIndex(bank, Dimension, classes);
        var random = new Random(7);
        foreach (var predictedClass in new[] { 0, 1, 2, 3, 9, -1 })
            for (var q = 0; q < 20; q++)
            {
                var z = Enumerable.Range(0, Dimension).Select(_ => random.NextDouble() * 4 - 2).ToArray();
                Assert.Equal(PlainScan(bank, classes, z, predictedClass, k, exclude: -1), index.KthDistance(z, predictedClass, k));
            }
    }

    [Fact]
    public void A_stored_rows_leave_one_out_distance_leaves_out_that_row_only()
    {
        var (bank, classes) = Bank(301, seed: 11);
        var index = new NeighbourIndex(bank, Dimension, classes);
        foreach (var row in new[] { 0, 5, 150, 300 })
        {
            var z = Enumerable.Range(0, Dimension).Select(d => (double)bank[row * Dimension + d]).ToArray();
            var leaveOneOut = index.KthDistance(z, classes[row], 1, exclude: row);
            Assert.Equal(PlainScan(bank, classes, z, classes[row], 1, exclude: row), leaveOneOut);
            Assert.True(leaveOneOut > 0);
            Assert.Equal(0f, (float)index.KthDistance(z, classes[row], 1));
        }
    }

    [Fact]
    public void The_largest_term_is_the_statistic_furthest_from_the_kth_row()
    {
        var (bank, classes) = Bank(701, seed: 3);
        var index = new NeighbourIndex(bank, Dimension, classes);
        var random = new Random(9);
        for (var q = 0; q < 50; q++)
        {
            var z = Enumerable.Range(0, Dimension).Select(_ => random.NextDouble() * 4 - 2).ToArray();
            var predictedClass = q % 3;
            var kth = index.KthDistance(z, predictedClass, 3, exclude: -1, out var largest);
            // The k-th row of the class by a plain scan (distinct distances here), and its statistic furthest from z.
            var row = Enumerable.Range(0, classes.Length).Where(r => classes[r] == predictedClass)
                .OrderBy(r => Enumerable.Range(0, Dimension).Sum(d => Math.Pow(bank[r * Dimension + d] - z[d], 2))).ElementAt(2);
            var expected = Enumerable.Range(0, Dimension).MaxBy(d => Math.Abs(bank[row * Dimension + d] - z[d]));
            Assert.Equal(expected, largest);
            Assert.Equal(index.KthDistance(z, predictedClass, 3), kth);
        }
    }

    [Fact]
    public void Without_classes_every_row_is_a_neighbour()
    {
        var (bank, classes) = Bank(400, seed: 5);
        var index = new NeighbourIndex(bank, Dimension, classes: null);
        var z = new double[Dimension];
        var everyRow = new int[classes.Length];
        Assert.Equal(PlainScan(bank, everyRow, z, 0, 3, exclude: -1), index.KthDistance(z, predictedClass: 2, neighbours: 3));
    }

    /// <summary>With classes, the all-rows block is built by the first query that needs it; threads racing to it agree.</summary>
    [Fact]
    public void Queries_racing_to_the_first_all_rows_scan_all_get_the_plain_scans_answer()
    {
        var (bank, classes) = Bank(3_001, seed: 11);
        var random = new Random(5);
        var queries = Enumerable.Range(0, 64).Select(_ => Enumerable.Range(0, Dimension).Select(_ => random.NextDouble() * 4 - 2).ToArray()).ToArray();
        var expected = queries.Select(z => PlainScan(bank, classes, z, predictedClass: -1, k: 3, exclude: -1)).ToArray();
        for (var attempt = 0; attempt < 20; attempt++)
        {
            var index = new NeighbourIndex(bank, Dimension, classes);
            var got = new float[queries.Length];
            Parallel.For(0, queries.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 }, q => got[q] = (float)index.KthDistance(queries[q], predictedClass: q % 2 == 0 ? -1 : 3, neighbours: 3));
            Assert.Equal(expected, got);
        }
    }

    [Theory]
    [InlineData(701)]
    [InlineData(9_001)]
    public void A_query_allocates_nothing(int rows)
    {
        var (bank, classes) = Bank(rows, seed: 3);
        var index = new NeighbourIndex(bank, Dimension, classes);
        var z = new double[Dimension];
        index.KthDistance(z, 0, 3);
        index.KthDistance(z, 9, 3);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 200; i++)
        {
            index.KthDistance(z, i % 3, 3);
            index.KthDistance(z, 9, 3, exclude: i);
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
