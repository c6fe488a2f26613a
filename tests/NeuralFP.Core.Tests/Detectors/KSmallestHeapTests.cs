using NeuralFP.Core.Detectors.Numerics;

namespace NeuralFP.Core.Tests.Detectors;

public sealed class KSmallestHeapTests
{
    [Theory]
    [InlineData(1, 10)]
    [InlineData(5, 5)]
    [InlineData(50, 3000)]
    public void Top_of_the_heap_is_the_kth_smallest_value_offered(int k, int n)
    {
        var random = new Random(k * 31 + n);
        // Few distinct values so ties are exercised.
        var values = Enumerable.Range(0, n).Select(_ => (float)random.Next(0, 40)).ToArray();
        var heap = new float[k];
        var count = 0;

        foreach (var v in values) KSmallest.Offer(heap, ref count, v);

        Assert.Equal(k, count);
        Assert.Equal(values.Order().ElementAt(k - 1), KSmallest.Kth(heap));
    }
}
