using NeuralFP.Core.Numerics;

namespace NeuralFP.Core.Tests.Numerics;

/// <summary>The pooling's sums: the vector loop and its scalar tail agree with a plain loop at every length.</summary>
public class VectorMathTests
{
    private static float[] Values(int length, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, length).Select(_ => (float)(random.NextDouble() * 4 - 2))];
    }

    [Fact]
    public void Sum_equals_a_plain_loop_to_rounding_at_every_length()
    {
        for (var length = 0; length <= 70; length++)
        {
            var values = Values(length, seed: length);
            double expected = 0;
            foreach (var v in values) expected += v;
            Assert.Equal(expected, VectorMath.Sum(values), 1e-4);
        }
    }

    [Fact]
    public void Add_adds_every_element_including_the_tail()
    {
        for (var length = 0; length <= 70; length++)
        {
            var target = Values(length, seed: length);
            var source = Values(length, seed: 1000 + length);
            var expected = target.Zip(source, (t, s) => t + s).ToArray();
            VectorMath.Add(target, source);
            Assert.Equal(expected, target);
        }
    }
}
