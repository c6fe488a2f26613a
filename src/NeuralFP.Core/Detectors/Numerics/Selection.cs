namespace NeuralFP.Core.Detectors.Numerics;

/// <summary>In-place order statistics (Hoare's selection), allocation-free and deterministic.</summary>
internal static class Selection
{
    /// <summary>The k-th smallest value (k is 1-based); reorders <paramref name="values"/>.</summary>
    public static float KthSmallest(Span<float> values, int k)
    {
        if (k < 1 || k > values.Length) throw new ArgumentOutOfRangeException(nameof(k), $"k = {k} is outside 1..{values.Length}.");
        int lo = 0, hi = values.Length - 1, target = k - 1;
        while (lo < hi)
        {
            // Median of three keeps sorted or constant runs (common in distances) from going quadratic.
            var mid = lo + ((hi - lo) >> 1);
            float a = values[lo], b = values[mid], c = values[hi];
            var pivot = a < b ? (b < c ? b : (a < c ? c : a)) : (a < c ? a : (b < c ? c : b));
            int i = lo, j = hi;
            while (i <= j)
            {
                while (values[i] < pivot) i++;
                while (values[j] > pivot) j--;
                if (i <= j)
                {
                    (values[i], values[j]) = (values[j], values[i]);
                    i++;
                    j--;
                }
            }
            if (target <= j) hi = j;
            else if (target >= i) lo = i;
            else return values[target];
        }
        return values[target];
    }
}
