using NeuralFP.Core.Activations;

namespace NeuralFP.Core.Tests.Activations;

/// <summary>Pooling against values worked out by hand from the AdaptiveAvgPool2d bin rule.</summary>
public class PoolingSpecPoolTests
{
    // Two 7×7 channels: channel c holds 100·c + 7·h + w, so a box's mean is 100·c + 7·mean(h) + mean(w).
    private static readonly int[] Shape = [2, 7, 7];
    private static readonly float[] Map = Enumerable.Range(0, 2 * 49).Select(i => 100f * (i / 49) + i % 49).ToArray();

    private static float[] Pool(string spec, float[] record, int[] shape)
    {
        var pooling = PoolingSpec.Parse(spec);
        var features = new float[pooling.FeatureCount(shape)];
        pooling.Pool(record, shape, features);
        return features;
    }

    [Fact]
    public void Global_is_the_channel_mean()
        => Assert.Equal([24f, 124f], Pool("global", Map, Shape));

    [Fact]
    public void Grid_2_on_7_uses_overlapping_bins_0_to_4_and_3_to_7()
    {
        // Bin means along an axis of 7 with k=2: rows [0,4) → 1.5, rows [3,7) → 4.5.
        float[] expected = [12f, 15f, 33f, 36f, 112f, 115f, 133f, 136f];

        Assert.Equal(expected, Pool("2x2", Map, Shape));
    }

    [Fact]
    public void Grid_4_on_7_uses_bins_0_2_1_4_3_6_5_7_ordered_channel_then_row_then_column()
    {
        // Bins [0,2) [1,4) [3,6) [5,7) have means 0.5, 2, 4, 5.5.
        float[] m = [0.5f, 2f, 4f, 5.5f];
        var expected = new float[2 * 16];
        for (var c = 0; c < 2; c++)
            for (var i = 0; i < 4; i++)
                for (var j = 0; j < 4; j++)
                    expected[c * 16 + i * 4 + j] = 100 * c + 7 * m[i] + m[j];

        Assert.Equal(expected, Pool("4x4", Map, Shape));
    }

    [Fact]
    public void Grid_equal_to_the_map_size_returns_every_value()
        => Assert.Equal(Map, Pool("7x7", Map, Shape));

    [Fact]
    public void None_flattens_the_map()
        => Assert.Equal(Map, Pool("none", Map, Shape));

    [Fact]
    public void Non_square_maps_bin_each_axis_separately()
    {
        // One channel 2×4 holding 0..7: k=2 gives the four 1×2 boxes.
        var record = Enumerable.Range(0, 8).Select(i => (float)i).ToArray();

        Assert.Equal([0.5f, 2.5f, 4.5f, 6.5f], Pool("2x2", record, [1, 2, 4]));
    }

    [Theory]
    [InlineData("global")]
    [InlineData("4x4")]
    [InlineData("none")]
    public void Vectors_are_never_pooled(string spec)
    {
        float[] record = [3f, -1f, 2f];

        Assert.Equal(3, PoolingSpec.Parse(spec).FeatureCount([3]));
        Assert.Equal(record, Pool(spec, record, [3]));
    }

    [Fact]
    public void Channel_sequences_pool_their_single_spatial_axis()
    {
        // [C=2, L=5], k=2: bins [0,3) and [2,5).
        float[] record = [0, 1, 2, 3, 4, 10, 11, 12, 13, 14];

        Assert.Equal([1f, 3f, 11f, 13f], Pool("2x2", record, [2, 5]));
    }

    [Theory]
    [InlineData("none", new[] { 16, 14, 14 }, 16 * 14 * 14)]
    [InlineData("global", new[] { 16, 14, 14 }, 16)]
    [InlineData("2x2", new[] { 16, 14, 14 }, 64)]
    [InlineData("4x4", new[] { 32, 7, 7 }, 512)]
    [InlineData("4x4", new[] { 128 }, 128)]
    public void Feature_count_follows_the_shape(string spec, int[] shape, int expected)
        => Assert.Equal(expected, PoolingSpec.Parse(spec).FeatureCount(shape));

    [Fact]
    public void Wrong_buffer_sizes_are_rejected()
    {
        var pooling = PoolingSpec.Parse("2x2");

        Assert.Throws<ArgumentException>(() => pooling.Pool(new float[97], Shape, new float[8]));
        Assert.Throws<ArgumentException>(() => pooling.Pool(Map, Shape, new float[9]));
    }

    // A sequence [5 steps, 2 features] holding 10·t + h: a segment's mean is 10·mean(t) + h.
    private static readonly float[] Sequence = Enumerable.Range(0, 10).Select(i => 10f * (i / 2) + i % 2).ToArray();

    [Fact]
    public void Time_is_the_mean_over_all_steps()
        => Assert.Equal([20f, 21f], Pool("time", Sequence, [5, 2]));

    [Fact]
    public void Time_2_on_5_steps_uses_overlapping_segments_0_to_3_and_2_to_5_ordered_feature_then_segment()
    {
        // Segments [0,3) and [2,5) have mean steps 1 and 3: feature 0 → 10, 30; feature 1 → 11, 31.
        Assert.Equal([10f, 30f, 11f, 31f], Pool("time2", Sequence, [5, 2]));
    }

    [Fact]
    public void Time_5_on_5_steps_keeps_every_step_transposed()
        => Assert.Equal([0f, 10f, 20f, 30f, 40f, 1f, 11f, 21f, 31f, 41f], Pool("time5", Sequence, [5, 2]));

    [Fact]
    public void Time_4_on_28_steps_averages_seven_rows_each()
    {
        var rng = new Random(5);
        var record = Enumerable.Range(0, 28 * 3).Select(_ => (float)rng.NextDouble()).ToArray();

        var pooled = Pool("time4", record, [28, 3]);

        Assert.Equal(12, pooled.Length);
        for (var h = 0; h < 3; h++)
            for (var s = 0; s < 4; s++)
                Assert.Equal(Enumerable.Range(7 * s, 7).Average(t => record[t * 3 + h]), pooled[h * 4 + s], 5);
    }

    [Fact]
    public void Time_segments_need_sequences_with_at_least_as_many_steps()
    {
        var spec = PoolingSpec.Parse("time6");

        var e = Assert.Throws<ArgumentException>(() => spec.FeatureCount([5, 2]));
        Assert.Contains("at least 6 steps", e.Message);
        Assert.Throws<ArgumentException>(() => spec.FeatureCount([2, 5, 2]));
    }
}
