namespace NeuralFP.Core.Activations;

/// <summary>PyTorch AdaptiveAvgPool bins: bin i of k over an axis of length n covers [⌊i·n/k⌋, ⌈(i+1)·n/k⌉).</summary>
internal static class AdaptiveBins
{
    public static int Start(int bin, int length, int bins) => (int)((long)bin * length / bins);

    public static int End(int bin, int length, int bins) => (int)(((long)(bin + 1) * length + bins - 1) / bins);

    /// <summary>
    /// The [S, k^d] matrix that averages a flattened spatial block of shape <paramref name="spatial"/>
    /// into its k^d bins (row-major over bins), so that pooling is one MatMul.
    /// </summary>
    public static float[] AveragingMatrix(ReadOnlySpan<int> spatial, int bins)
    {
        var size = 1;
        var binCount = 1;
        foreach (var n in spatial) { size = checked(size * n); binCount = checked(binCount * bins); }
        var matrix = new float[checked(size * binCount)];
        Span<int> position = stackalloc int[spatial.Length];
        for (var s = 0; s < size; s++)
        {
            // position = multi-index of flat offset s
            var rest = s;
            for (var a = spatial.Length - 1; a >= 0; a--) { position[a] = rest % spatial[a]; rest /= spatial[a]; }
            for (var b = 0; b < binCount; b++)
            {
                var inside = true;
                var count = 1;
                var restBin = b;
                for (var a = spatial.Length - 1; a >= 0; a--)
                {
                    var bin = restBin % bins;
                    restBin /= bins;
                    int start = Start(bin, spatial[a], bins), end = End(bin, spatial[a], bins);
                    count *= end - start;
                    inside &= position[a] >= start && position[a] < end;
                }
                if (inside) matrix[s * binCount + b] = 1f / count;
            }
        }
        return matrix;
    }
}
