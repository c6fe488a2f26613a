namespace NeuralFP.Core.Tests.Support;

internal static class Tolerance
{
    /// <summary>Asserts |a−e| ≤ rel·max(|e|, floor) element-wise, naming the first offending index.</summary>
    public static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, double relative, double floor = 1e-3)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            var allowed = relative * Math.Max(Math.Abs(expected[i]), floor);
            if (Math.Abs(expected[i] - actual[i]) > allowed)
                Assert.Fail($"Index {i}: expected {expected[i]}, got {actual[i]} (allowed difference {allowed}).");
        }
    }
}
