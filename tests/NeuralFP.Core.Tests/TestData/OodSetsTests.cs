using NeuralFP.Core.Shifts;
using NeuralFP.Core.Tensors;
using NeuralFP.TestData;

namespace NeuralFP.Core.Tests.TestData;

public class OodSetsTests
{
    [Fact]
    public void SplitMix64_reproduces_the_reference_sequence()
    {
        // Published outputs of SplitMix64 seeded with 1234567 (Vigna's reference implementation).
        ulong[] reference = [6457827717110365317, 3203168211198807973, 9817491932198370423, 4593380528125082431, 16408922859458223821];

        var actual = Enumerable.Range(0, 5).Select(i => SplitMix64.Value(1234567, (ulong)i));

        Assert.Equal(reference, actual);
    }

    [Theory]
    [InlineData("uniform")]
    [InlineData("gaussian")]
    public void Noise_equals_the_python_definition(string kind)
    {
        var expected = Npy.Read(File.ReadAllBytes(RepoPaths.Fixture($"data/{kind}_noise_first2.npy")));

        var actual = kind == "uniform" ? OodSets.UniformNoise(2) : OodSets.GaussianNoise(2);

        Assert.Equal(expected.Shape, actual.Shape);
        // Math.Log/Cos and NumPy's may differ in the last bit of a double; that cannot move a float32 by more than an ulp.
        var worst = expected.Data.Zip(actual.Data, (e, a) => Math.Abs(e - a)).Max();
        Assert.True(worst <= 1e-7f, $"largest difference from NumPy is {worst}");
    }

    [Fact]
    public void Uniform_noise_is_seeded_and_covers_the_unit_interval()
    {
        var a = OodSets.UniformNoise(50);
        var b = OodSets.UniformNoise(50);

        Assert.Equal([50, 1, 28, 28], a.Shape);
        Assert.Equal(a.Data, b.Data);
        Assert.NotEqual(a.Data, OodSets.UniformNoise(50, seed: 7).Data);
        Assert.All(a.Data, v => Assert.InRange(v, 0f, 1f));
        Assert.InRange(a.Data.Average(), 0.49, 0.51);
    }

    [Fact]
    public void Gaussian_noise_has_the_configured_centre_and_spread_within_unit_range()
    {
        var noise = OodSets.GaussianNoise(50);

        Assert.All(noise.Data, v => Assert.InRange(v, 0f, 1f));
        var mean = noise.Data.Average();
        var std = Math.Sqrt(noise.Data.Select(v => (v - mean) * (v - mean)).Average());
        Assert.InRange(mean, 0.49, 0.51);
        // Clipping at 0 and 1 (two std away) trims the spread a little below 0.25.
        Assert.InRange(std, 0.22, 0.25);
    }

    [Fact]
    public void Inverting_twice_and_rotating_four_times_give_back_the_images()
    {
        var images = FashionMnist.Test().Take(3).Images;

        var inverted = OodSets.Inverted(images);
        var rotated = OodSets.Rotated90(images);
        var fourTimes = OodSets.Rotated90(OodSets.Rotated90(OodSets.Rotated90(rotated)));

        Assert.Equal(1f - images.Data[300], inverted.Data[300]);
        var roundTrip = OodSets.Inverted(inverted).Data;
        Assert.True(roundTrip.Select((v, i) => MathF.Abs(v - images.Data[i])).Max() < 1e-6f);
        Assert.NotEqual(images.Data, rotated.Data);
        Assert.Equal(images.Data, fourTimes.Data);
    }

    [Fact]
    public void Rotation_turns_counter_clockwise()
    {
        // A single lit pixel at the top-right corner moves to the top-left, as np.rot90 does.
        var data = new float[16];
        data[3] = 1f;

        var rotated = OodSets.Rotated90(new FloatTensor(data, [1, 1, 4, 4]));

        Assert.Equal(1f, rotated.Data[0]);
        Assert.Equal(1f, rotated.Data.Sum());
    }
}
