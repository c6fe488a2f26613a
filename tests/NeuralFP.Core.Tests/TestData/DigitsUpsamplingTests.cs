using NeuralFP.Core.Tensors;
using NeuralFP.TestData;

namespace NeuralFP.Core.Tests.TestData;

public class DigitsUpsamplingTests
{
    [Fact]
    public void Upsampling_matches_torch_bilinear_within_1e5()
    {
        var expected = Npy.Read(File.ReadAllBytes(RepoPaths.Fixture("data/digits28_first8.npy")));

        var actual = Digits.Upsampled(Digits.Raw().Take(8)).Images;

        Assert.Equal(expected.Shape, actual.Shape);
        var worst = expected.Data.Zip(actual.Data, (e, a) => Math.Abs(e - a)).Max();
        Assert.True(worst <= 1e-5f, $"largest difference from torch's interpolate is {worst}");
    }

    [Fact]
    public void Raw_digits_are_scaled_to_unit_range()
    {
        var raw = Digits.Raw();

        Assert.Equal([1797, 1, 8, 8], raw.Images.Shape);
        Assert.All(raw.Images.Data, v => Assert.InRange(v, 0f, 1f));
        Assert.Equal(1f, raw.Images.Data.Max());
        Assert.Equal(Enumerable.Range(0, 10), raw.Labels.Distinct().Order());
    }

    [Fact]
    public void Held_out_split_is_every_fifth_record_and_disjoint_from_training()
    {
        var heldOut = Digits.HeldOut28();
        var training = Digits.Training28();

        Assert.Equal(360, heldOut.Count);
        Assert.Equal(1797, heldOut.Count + training.Count);
        Assert.Equal([360, 1, 28, 28], heldOut.Images.Shape);
        Assert.Equal(Digits.Raw().Labels.Where((_, i) => i % 5 == 0), heldOut.Labels);
    }
}
