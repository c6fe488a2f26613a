using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace NeuralFP.Core.Numerics;

/// <summary>
/// Small vector kernels called once per row in hot loops. They are written out with Vector&lt;T&gt; and marked
/// AggressiveOptimization because per-row calls into TensorPrimitives' generic code run unoptimised (tier 0) for
/// the first hundreds of thousands of calls of a process, which cost a first fingerprint seconds.
/// </summary>
internal static class VectorMath
{
    /// <summary>For each of <paramref name="rows"/> rows of <paramref name="values"/>: row = act(row + bias), act being ReLU or identity.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AddBiasToRows(Span<float> values, ReadOnlySpan<float> bias, int rows, bool relu)
    {
        int width = bias.Length, vectors = Vector.IsHardwareAccelerated ? width / Vector<float>.Count : 0;
        var biasVectors = MemoryMarshal.Cast<float, Vector<float>>(bias)[..vectors];
        for (int r = 0; r < rows; r++)
        {
            var row = values.Slice(r * width, width);
            var rowVectors = MemoryMarshal.Cast<float, Vector<float>>(row)[..vectors];
            for (int v = 0; v < rowVectors.Length; v++)
            {
                var x = rowVectors[v] + biasVectors[v];
                rowVectors[v] = relu ? Vector.Max(x, Vector<float>.Zero) : x;
            }
            for (int j = vectors * Vector<float>.Count; j < width; j++)
            {
                float x = row[j] + bias[j];
                row[j] = relu ? MathF.Max(x, 0f) : x;
            }
        }
    }

    /// <summary>gradient ← gradient where output &gt; 0, else 0: the ReLU backward pass given the ReLU's output.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ColumnSums(ReadOnlySpan<float> values, Span<float> sums, int rows)
    {
        int width = sums.Length, vectors = Vector.IsHardwareAccelerated ? width / Vector<float>.Count : 0;
        sums.Clear();
        var sumVectors = MemoryMarshal.Cast<float, Vector<float>>(sums)[..vectors];
        for (int r = 0; r < rows; r++)
        {
            var row = values.Slice(r * width, width);
            var rowVectors = MemoryMarshal.Cast<float, Vector<float>>(row)[..vectors];
            for (int v = 0; v < rowVectors.Length; v++) sumVectors[v] += rowVectors[v];
            for (int j = vectors * Vector<float>.Count; j < width; j++) sums[j] += row[j];
        }
    }

    /// <summary>Σ values[i].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Sum(ReadOnlySpan<float> values)
    {
        int vectors = Vector.IsHardwareAccelerated ? values.Length / Vector<float>.Count : 0;
        var v = MemoryMarshal.Cast<float, Vector<float>>(values)[..vectors];
        Vector<float> accumulator = Vector<float>.Zero;
        for (int k = 0; k < v.Length; k++) accumulator += v[k];
        float sum = Vector.Sum(accumulator);
        for (int i = vectors * Vector<float>.Count; i < values.Length; i++) sum += values[i];
        return sum;
    }

    /// <summary>target[i] += source[i].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Add(Span<float> target, ReadOnlySpan<float> source)
    {
        int vectors = Vector.IsHardwareAccelerated ? target.Length / Vector<float>.Count : 0;
        var t = MemoryMarshal.Cast<float, Vector<float>>(target)[..vectors];
        var s = MemoryMarshal.Cast<float, Vector<float>>(source)[..vectors];
        for (int k = 0; k < t.Length; k++) t[k] += s[k];
        for (int i = vectors * Vector<float>.Count; i < target.Length; i++) target[i] += source[i];
    }

    /// <summary>Σ (a[i] − b[i])².</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float SquaredDistance(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        int vectors = Vector.IsHardwareAccelerated ? a.Length / Vector<float>.Count : 0;
        var av = MemoryMarshal.Cast<float, Vector<float>>(a)[..vectors];
        var bv = MemoryMarshal.Cast<float, Vector<float>>(b)[..vectors];
        Vector<float> accumulator = Vector<float>.Zero;
        for (int v = 0; v < av.Length; v++)
        {
            var d = av[v] - bv[v];
            accumulator += d * d;
        }
        float sum = Vector.Sum(accumulator);
        for (int i = vectors * Vector<float>.Count; i < a.Length; i++)
        {
            float d = a[i] - b[i];
            sum += d * d;
        }
        return sum;
    }

    /// <summary>destination[i] = (source[i] − centre[i]) / scale[i].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Standardize(ReadOnlySpan<float> source, ReadOnlySpan<float> centre, ReadOnlySpan<float> scale, Span<float> destination)
    {
        int vectors = Vector.IsHardwareAccelerated ? source.Length / Vector<float>.Count : 0;
        var s = MemoryMarshal.Cast<float, Vector<float>>(source)[..vectors];
        var c = MemoryMarshal.Cast<float, Vector<float>>(centre)[..vectors];
        var k = MemoryMarshal.Cast<float, Vector<float>>(scale)[..vectors];
        var d = MemoryMarshal.Cast<float, Vector<float>>(destination)[..vectors];
        for (int v = 0; v < s.Length; v++) d[v] = (s[v] - c[v]) / k[v];
        for (int i = vectors * Vector<float>.Count; i < source.Length; i++) destination[i] = (source[i] - centre[i]) / scale[i];
    }

    /// <summary>Σ a[i]·b[i] in double.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        int vectors = Vector.IsHardwareAccelerated ? a.Length / Vector<double>.Count : 0;
        var av = MemoryMarshal.Cast<double, Vector<double>>(a)[..vectors];
        var bv = MemoryMarshal.Cast<double, Vector<double>>(b)[..vectors];
        Vector<double> accumulator = Vector<double>.Zero;
        for (int v = 0; v < av.Length; v++) accumulator += av[v] * bv[v];
        double sum = Vector.Sum(accumulator);
        for (int i = vectors * Vector<double>.Count; i < a.Length; i++) sum += a[i] * b[i];
        return sum;
    }

    /// <summary>target[i] += factor · source[i] in double.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AddScaled(Span<double> target, ReadOnlySpan<double> source, double factor)
    {
        int vectors = Vector.IsHardwareAccelerated ? target.Length / Vector<double>.Count : 0;
        var t = MemoryMarshal.Cast<double, Vector<double>>(target)[..vectors];
        var s = MemoryMarshal.Cast<double, Vector<double>>(source)[..vectors];
        var f = new Vector<double>(factor);
        for (int v = 0; v < t.Length; v++) t[v] += f * s[v];
        for (int i = vectors * Vector<double>.Count; i < target.Length; i++) target[i] += factor * source[i];
    }

    /// <summary>sums[j] += (double)values[j], widened lane by lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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
