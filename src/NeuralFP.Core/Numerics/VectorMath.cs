using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace NeuralFP.Core.Numerics;

/// <summary>Row-wise vector kernels for dense layers that TensorPrimitives does not offer in one pass.</summary>
internal static class VectorMath
{
    /// <summary>For each of <paramref name="rows"/> rows of <paramref name="values"/>: row += bias.</summary>
    public static void AddBiasToRows(Span<float> values, ReadOnlySpan<float> bias, int rows)
    {
        int width = bias.Length;
        for (int r = 0; r < rows; r++)
        {
            var row = values.Slice(r * width, width);
            TensorPrimitives.Add(row, bias, row);
        }
    }

    /// <summary>gradient ← gradient where output &gt; 0, else 0: the ReLU backward pass given the ReLU's output.</summary>
    public static void MaskByPositive(Span<float> gradient, ReadOnlySpan<float> output)
    {
        if (gradient.Length != output.Length) throw new ArgumentException("Gradient and output lengths differ.", nameof(output));
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var g = MemoryMarshal.Cast<float, Vector<float>>(gradient);
            var o = MemoryMarshal.Cast<float, Vector<float>>(output);
            for (int v = 0; v < g.Length; v++)
                g[v] = Vector.ConditionalSelect(Vector.GreaterThan(o[v], Vector<float>.Zero), g[v], Vector<float>.Zero);
            i = g.Length * Vector<float>.Count;
        }
        for (; i < gradient.Length; i++)
            if (!(output[i] > 0f)) gradient[i] = 0f;
    }

    /// <summary>sums[j] = Σ_r values[r, j] over <paramref name="rows"/> rows, in row order.</summary>
    public static void ColumnSums(ReadOnlySpan<float> values, Span<float> sums, int rows)
    {
        int width = sums.Length;
        sums.Clear();
        for (int r = 0; r < rows; r++)
            TensorPrimitives.Add(sums, values.Slice(r * width, width), sums);
    }

    /// <summary>sums[j] += (double)values[j], widened lane by lane.</summary>
    public static void AccumulateWidened(ReadOnlySpan<float> values, Span<double> sums)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var v = MemoryMarshal.Cast<float, Vector<float>>(values);
            var s = MemoryMarshal.Cast<double, Vector<double>>(sums);
            int count = Math.Min(v.Length, s.Length / 2);
            for (int k = 0; k < count; k++)
            {
                Vector.Widen(v[k], out var low, out var high);
                s[2 * k] += low;
                s[2 * k + 1] += high;
            }
            i = count * Vector<float>.Count;
        }
        for (; i < values.Length; i++) sums[i] += values[i];
    }

    /// <summary>sums[j] += ((double)values[j] − centre[j])².</summary>
    public static void AccumulateSquaredDeviations(ReadOnlySpan<float> values, ReadOnlySpan<double> centre, Span<double> sums)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var v = MemoryMarshal.Cast<float, Vector<float>>(values);
            var c = MemoryMarshal.Cast<double, Vector<double>>(centre);
            var s = MemoryMarshal.Cast<double, Vector<double>>(sums);
            int count = Math.Min(v.Length, s.Length / 2);
            for (int k = 0; k < count; k++)
            {
                Vector.Widen(v[k], out var low, out var high);
                low -= c[2 * k];
                high -= c[2 * k + 1];
                s[2 * k] += low * low;
                s[2 * k + 1] += high * high;
            }
            i = count * Vector<float>.Count;
        }
        for (; i < values.Length; i++)
        {
            double d = values[i] - centre[i];
            sums[i] += d * d;
        }
    }

    /// <summary>Index of the first record holding NaN or ±∞, or −1.</summary>
    public static int FirstNonFiniteRecord(ReadOnlySpan<float> values, int recordLength)
    {
        if (recordLength == 0 || TensorPrimitives.IsFiniteAll(values)) return -1;
        for (int r = 0; r * recordLength < values.Length; r++)
            if (!TensorPrimitives.IsFiniteAll(values.Slice(r * recordLength, recordLength))) return r;
        return -1;
    }

    /// <summary>Copies rows <paramref name="order"/>[start..start+count) of a row-major matrix into consecutive rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void GatherRows(ReadOnlySpan<float> source, int width, ReadOnlySpan<int> order, Span<float> destination)
    {
        for (int r = 0; r < order.Length; r++)
            source.Slice(order[r] * width, width).CopyTo(destination.Slice(r * width, width));
    }
}
