using System.Runtime.CompilerServices;

namespace NeuralFP.Core.Detectors.Numerics;

/// <summary>
/// The k smallest values seen so far, as a max-heap in a caller-owned span: one comparison per value
/// once full (most values lose to the current k-th), so no per-record distance array or selection pass.
/// </summary>
internal static class KSmallest
{
    /// <summary>Offers <paramref name="value"/> to the heap of <paramref name="count"/> items (capacity = heap length).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // once per stored row and query: optimised from the first call
    public static void Offer(Span<float> heap, ref int count, float value)
    {
        if (count < heap.Length)
        {
            // Sift up.
            var i = count++;
            while (i > 0)
            {
                var parent = (i - 1) >> 1;
                if (heap[parent] >= value) break;
                heap[i] = heap[parent];
                i = parent;
            }
            heap[i] = value;
            return;
        }
        if (!(value < heap[0])) return;
        // Replace the largest and sift down.
        var n = heap.Length;
        var j = 0;
        while (true)
        {
            var child = 2 * j + 1;
            if (child >= n) break;
            if (child + 1 < n && heap[child + 1] > heap[child]) child++;
            if (heap[child] <= value) break;
            heap[j] = heap[child];
            j = child;
        }
        heap[j] = value;
    }

    /// <summary>The k-th smallest value offered (the heap's top); valid once k values were offered.</summary>
    public static float Kth(ReadOnlySpan<float> heap) => heap[0];
}
