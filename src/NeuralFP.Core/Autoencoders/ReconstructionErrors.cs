using System.Buffers;
using System.Numerics.Tensors;
using NeuralFP.Core.Numerics;

namespace NeuralFP.Core.Autoencoders;

/// <summary>
/// Runs records through a dense-layer stack in chunks and writes each record's mean squared reconstruction error.
/// Chunks run in parallel, each with its own scratch; a record's error never depends on which chunk or thread it fell in.
/// </summary>
internal static unsafe class ReconstructionErrors
{
    private const int ChunkRows = 256;

    public static void Compute(IReadOnlyList<DenseLayer> layers, float[] records, int count, Span<float> errors, int maxThreads = 0)
    {
        if (count == 0) return;
        int maxWidth = 0;
        foreach (var layer in layers) maxWidth = Math.Max(maxWidth, layer.Outputs);
        int chunks = (count + ChunkRows - 1) / ChunkRows;
        int threads = maxThreads > 0 ? maxThreads : Environment.ProcessorCount;
        int scratchLength = Math.Min(count, ChunkRows) * maxWidth;

        fixed (float* errorsPointer = errors)
        {
            nint errorsAddress = (nint)errorsPointer;
            if (chunks == 1 || threads == 1)
            {
                float[] first = ArrayPool<float>.Shared.Rent(scratchLength), second = ArrayPool<float>.Shared.Rent(scratchLength);
                try
                {
                    for (int c = 0; c < chunks; c++)
                        Chunk(layers, records, c, count, (float*)errorsAddress, first, second, gemmThreads: chunks == 1 ? threads : 1);
                }
                finally
                {
                    ArrayPool<float>.Shared.Return(first);
                    ArrayPool<float>.Shared.Return(second);
                }
                return;
            }

            Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = threads },
                () => (First: ArrayPool<float>.Shared.Rent(scratchLength), Second: ArrayPool<float>.Shared.Rent(scratchLength)),
                (c, _, scratch) =>
                {
                    Chunk(layers, records, c, count, (float*)errorsAddress, scratch.First, scratch.Second, gemmThreads: 1);
                    return scratch;
                },
                scratch =>
                {
                    ArrayPool<float>.Shared.Return(scratch.First);
                    ArrayPool<float>.Shared.Return(scratch.Second);
                });
        }
    }

    /// <summary>Each feature's mean squared reconstruction error over the records, chunk by chunk in record order (deterministic).</summary>
    public static double[] FeatureMeans(IReadOnlyList<DenseLayer> layers, float[] records, int count)
    {
        int width = layers[0].Inputs, maxWidth = layers.Max(l => l.Outputs);
        var sums = new double[width];
        if (count == 0) return sums;
        int scratchLength = Math.Min(count, ChunkRows) * maxWidth;
        float[] first = ArrayPool<float>.Shared.Rent(scratchLength), second = ArrayPool<float>.Shared.Rent(scratchLength);
        var chunkSums = new float[width];
        try
        {
            for (int row0 = 0; row0 < count; row0 += ChunkRows)
            {
                int rows = Math.Min(ChunkRows, count - row0);
                ReadOnlySpan<float> input = records.AsSpan(row0 * width, rows * width);
                var output = Reconstruct(layers, input, rows, first, second, gemmThreads: 0);
                TensorPrimitives.Subtract(output, input, output);
                TensorPrimitives.Multiply(output, output, output);
                Array.Clear(chunkSums);
                for (int r = 0; r < rows; r++) TensorPrimitives.Add(chunkSums, output.Slice(r * width, width), chunkSums);
                for (int j = 0; j < width; j++) sums[j] += chunkSums[j];
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(first);
            ArrayPool<float>.Shared.Return(second);
        }
        for (int j = 0; j < width; j++) sums[j] /= count;
        return sums;
    }

    /// <summary>Mean of the per-record errors, summed in record order in double.</summary>
    public static double Mean(IReadOnlyList<DenseLayer> layers, float[] records, int count, float[] scratchErrors, int maxThreads = 0)
    {
        Compute(layers, records, count, scratchErrors, maxThreads);
        double sum = 0;
        for (int i = 0; i < count; i++) sum += scratchErrors[i];
        return sum / count;
    }

    private static void Chunk(IReadOnlyList<DenseLayer> layers, float[] records, int chunk, int count, float* errors, float[] first, float[] second, int gemmThreads)
    {
        int width = layers[0].Inputs;
        int row0 = chunk * ChunkRows, rows = Math.Min(ChunkRows, count - row0);
        ReadOnlySpan<float> input = records.AsSpan(row0 * width, rows * width);
        var output = Reconstruct(layers, input, rows, first, second, gemmThreads);
        for (int r = 0; r < rows; r++)
            errors[row0 + r] = VectorMath.SquaredDistance(output.Slice(r * width, width), input.Slice(r * width, width)) / width;
    }

    /// <summary>The stack's output for <paramref name="rows"/> rows, computed through the two scratch buffers in turn.</summary>
    private static Span<float> Reconstruct(IReadOnlyList<DenseLayer> layers, ReadOnlySpan<float> input, int rows, float[] first, float[] second, int gemmThreads)
    {
        ReadOnlySpan<float> current = input;
        Span<float> output = default;
        for (int l = 0; l < layers.Count; l++)
        {
            output = (l % 2 == 0 ? first : second).AsSpan(0, rows * layers[l].Outputs);
            DenseForward.Apply(layers[l], current, output, rows, gemmThreads);
            current = output;
        }
        return output;
    }
}
