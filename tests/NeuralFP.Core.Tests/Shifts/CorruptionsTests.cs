using NeuralFP.Core.Shifts;
using NeuralFP.Core.Tensors;

namespace NeuralFP.Core.Tests.Shifts;

/// <summary>The synthetic shifts the panel and the build's self-check share: any image layout, the same values however the
/// set is batched, and the sizes they are given.</summary>
public sealed class CorruptionsTests
{
    private static FloatTensor Images(int n, params int[] recordShape)
    {
        var length = recordShape.Aggregate(1, (a, b) => a * b);
        var data = new float[n * length];
        for (var i = 0; i < data.Length; i++) data[i] = (float)SplitMix64.Uniform01(5, (ulong)i);
        return new FloatTensor(data, [n, .. recordShape]);
    }

    private static FloatTensor Slice(FloatTensor set, int first, int count) =>
        new(set.Data.AsSpan(first * set.RecordLength, count * set.RecordLength).ToArray(), [count, .. set.RecordShape]);

    [Fact]
    public void A_records_noise_and_patches_depend_on_its_index_not_on_how_the_set_is_batched()
    {
        var images = Images(10, 1, 12, 12);
        var whole = new[]
        {
            Corruptions.AdditiveNoise(images, 0.3, 9, -1, 2),
            Corruptions.Occlusion(images, 2, 4, 9, 0.25f),
        };
        foreach (var (first, count) in new[] { (0, 3), (3, 7) })
        {
            var part = Slice(images, first, count);
            Assert.Equal(Slice(whole[0], first, count).Data, Corruptions.AdditiveNoise(part, 0.3, 9, -1, 2, firstRecord: first).Data);
            Assert.Equal(Slice(whole[1], first, count).Data, Corruptions.Occlusion(part, 2, 4, 9, 0.25f, firstRecord: first).Data);
        }
        var rows = Images(10, 6);
        var spread = Corruptions.FeatureSpread(rows);
        Assert.Equal(Slice(Corruptions.FeatureNoise(rows, spread, 4), 4, 6).Data, Corruptions.FeatureNoise(Slice(rows, 4, 6), spread, 4, firstRecord: 4).Data);
    }

    [Fact]
    public void Records_without_a_channel_axis_are_one_plane_and_several_leading_axes_are_planes()
    {
        var planar = Images(4, 1, 10, 9);
        var flat = new FloatTensor(planar.Data, [4, 10, 9]);
        var stacked = new FloatTensor(Images(2, 2, 10, 9).Data, [2, 2, 1, 10, 9]);
        Assert.Equal(Corruptions.Blur(planar).Data, Corruptions.Blur(flat).Data);
        Assert.Equal(Corruptions.Occlusion(planar, 1, 3).Data, Corruptions.Occlusion(flat, 1, 3).Data);
        Assert.Equal(Corruptions.Blur(new FloatTensor(stacked.Data, [4, 10, 9])).Data, Corruptions.Blur(stacked).Data);
        Assert.Throws<ArgumentException>(() => Corruptions.Blur(Images(3, 90)));
        Assert.Throws<ArgumentOutOfRangeException>(() => Corruptions.Occlusion(planar, 1, 10));
    }

    [Fact]
    public void Blur_reaches_twice_its_sigma_and_keeps_the_total()
    {
        var data = new float[31 * 31];
        data[15 * 31 + 15] = 1;
        var blurred = Corruptions.Blur(new FloatTensor(data, [1, 1, 31, 31]), sigma: 3).Data;
        Assert.True(blurred[15 * 31 + 15 + 6] > 0);
        Assert.Equal(0, blurred[15 * 31 + 15 + 7]);
        Assert.Equal(1, blurred.Sum(), 5);
    }

    [Fact]
    public void Low_contrast_keeps_its_centre_and_noise_stays_in_its_range()
    {
        var images = Images(3, 1, 8, 8);
        var low = Corruptions.LowContrast(images, 0.3f, centre: 0.2f).Data;
        for (var i = 0; i < low.Length; i++) Assert.Equal(0.2f + 0.3f * (images.Data[i] - 0.2f), low[i]);
        var noisy = Corruptions.AdditiveNoise(images, sigma: 5, seed: 1, low: 0.1, high: 0.7).Data;
        Assert.All(noisy, v => Assert.InRange(v, 0.1f, 0.7f));
        Assert.Contains(noisy, v => v == 0.1f);
        Assert.Contains(noisy, v => v == 0.7f);
    }

    [Fact]
    public void Patch_shuffle_moves_every_tile_keeps_the_values_and_leaves_the_ragged_edge()
    {
        // 10×9 planes in a 4×4 grid: 2×2 tiles, the last two rows and the last column outside every tile.
        var images = Images(3, 2, 10, 9);
        var shuffled = Corruptions.PatchShuffle(images, 4, seed: 7);
        for (var plane = 0; plane < 6; plane++)
        {
            var from = images.Data.AsSpan(plane * 90, 90).ToArray();
            var to = shuffled.Data.AsSpan(plane * 90, 90).ToArray();
            Assert.Equal(from.Order(), to.Order());
            for (var x = 0; x < 9; x++) Assert.Equal(from[8 * 9 + x], to[8 * 9 + x]);
            for (var y = 0; y < 10; y++) Assert.Equal(from[y * 9 + 8], to[y * 9 + 8]);
            for (var t = 0; t < 16; t++) Assert.NotEqual(from[t / 4 * 2 * 9 + t % 4 * 2], to[t / 4 * 2 * 9 + t % 4 * 2]);
        }
        // Both planes of a record get the same permutation; each record its own, whatever the batching.
        Assert.Equal(Array.IndexOf(shuffled.Data, images.Data[0]) - 0, Array.IndexOf(shuffled.Data, images.Data[90]) - 90);
        Assert.Equal(Slice(shuffled, 1, 2).Data, Corruptions.PatchShuffle(Slice(images, 1, 2), 4, seed: 7, firstRecord: 1).Data);
        Assert.Throws<ArgumentException>(() => Corruptions.PatchShuffle(Images(1, 1, 3, 3), 4, 1));
    }

    [Fact]
    public void Mixup_and_column_resampling_read_each_records_partner()
    {
        var rows = Images(8, 5);
        var partners = Images(8, 5).Data.Select(v => v + 10).ToArray();
        var partnerRows = new FloatTensor(partners, [8, 5]);
        var mixed = Corruptions.Mixup(rows, partnerRows, 0.25f).Data;
        for (var i = 0; i < mixed.Length; i++) Assert.Equal(0.75f * rows.Data[i] + 0.25f * partners[i], mixed[i]);
        var resampled = Corruptions.ColumnResample(rows, partnerRows, 0.3, seed: 3).Data;
        var taken = Enumerable.Range(0, resampled.Length).Count(i => resampled[i] == partners[i]);
        Assert.All(Enumerable.Range(0, resampled.Length), i => Assert.True(resampled[i] == partners[i] || resampled[i] == rows.Data[i]));
        Assert.InRange(taken, 4, 24); // 30% of 40 values, seeded
        Assert.Equal(Slice(new FloatTensor(resampled, [8, 5]), 2, 6).Data,
            Corruptions.ColumnResample(Slice(rows, 2, 6), Slice(partnerRows, 2, 6), 0.3, seed: 3, firstRecord: 2).Data);
        Assert.Throws<ArgumentException>(() => Corruptions.Mixup(rows, Images(8, 4)));
    }
}
