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
}
