using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace NeuralFP.Core.Detectors.Numerics;

/// <summary>
/// The stored rows of a <see cref="NeighbourDensity"/> laid out for scanning: one block per class (and one of all rows),
/// each statistic's values of the block contiguous, so a query's squared distances to every row of its class are computed
/// a statistic at a time across rows (vector lanes = rows) instead of a short dot product per row. Each row's sum runs over
/// the statistics in order, so the result does not depend on the vector width. Built once per loaded fingerprint;
/// scoring allocates nothing.
/// </summary>
internal sealed class NeighbourIndex
{
    private const int StackRows = 2048;

    private readonly int _dimension;
    private readonly float[] _bank;
    // Every row: built at once for a model without classes; with classes only when a query first needs it (an unseen class,
    // or one with fewer than k rows), since it repeats the class blocks' values (≈ 240 KB on the CNN fixture).
    private Block? _all;
    private readonly Block[]? _byClass;
    // Per stored row, its position within its class's block (the leave-one-out scores exclude it there).
    private readonly int[]? _positionInClass;
    private readonly int[]? _classes;

    /// <param name="bank">Row-major [m, dimension] whitened stored rows.</param>
    /// <param name="classes">Per stored row its class (≥ 0), or null.</param>
    public NeighbourIndex(float[] bank, int dimension, int[]? classes)
    {
        _dimension = dimension;
        _bank = bank;
        var m = bank.Length / dimension;
        if (classes is null || m == 0)
        {
            _all = AllRows();
            return;
        }
        _classes = classes;
        _positionInClass = new int[m];
        // Each class's rows in stored order, in one pass over the rows (a 1,000-class model is one pass, not 1,000).
        var members = new int[classes.Max() + 1][];
        var sizes = new int[members.Length];
        foreach (var c in classes) sizes[c]++;
        for (var c = 0; c < members.Length; c++) members[c] = new int[sizes[c]];
        Array.Clear(sizes);
        for (var b = 0; b < m; b++)
        {
            var c = classes[b];
            _positionInClass[b] = sizes[c];
            members[c][sizes[c]++] = b;
        }
        _byClass = [.. members.Select(rows => Block.Of(bank, dimension, rows))];
    }

    private Block AllRows() => Block.Of(_bank, _dimension, [.. Enumerable.Range(0, _bank.Length / _dimension)]);

    /// <summary>
    /// The squared distance from whitened <paramref name="z"/> to its <paramref name="neighbours"/>-th nearest stored row of
    /// <paramref name="predictedClass"/> (an unseen class, −1, or a class with fewer than k stored rows: among all rows),
    /// leaving out stored row <paramref name="exclude"/> (−1: none; a stored row's own leave-one-out score). Fewer stored rows
    /// than k: the farthest.
    /// </summary>
    public double KthDistance(ReadOnlySpan<double> z, int predictedClass, int neighbours, int exclude = -1) =>
        KthDistance(z, predictedClass, neighbours, exclude, out _);

    /// <inheritdoc cref="KthDistance(ReadOnlySpan{double}, int, int, int)"/>
    /// <param name="largestTerm">The statistic d with the largest (z_d − n_d)² towards that k-th row n: the largest term of
    /// the squared distance (0 when no row was found).</param>
    public double KthDistance(ReadOnlySpan<double> z, int predictedClass, int neighbours, int exclude, out int largestTerm)
    {
        if (z.Length != _dimension) throw new ArgumentException($"The neighbour bank holds rows of {_dimension} values, not {z.Length}.", nameof(z));
        Block block;
        var excludeAt = exclude;
        if (_byClass is not null && (uint)predictedClass < (uint)_byClass.Length && _byClass[predictedClass].Rows >= neighbours)
        {
            block = _byClass[predictedClass];
            excludeAt = exclude >= 0 && _classes![exclude] == predictedClass ? _positionInClass![exclude] : -1;
        }
        else
        {
            // Racing threads may each build it; one is kept, and every copy is the same.
            block = Volatile.Read(ref _all) ?? Interlocked.CompareExchange(ref _all, AllRows(), null) ?? _all!;
        }
        var m = block.Rows;
        var kth = Math.Max(1, Math.Min(neighbours, excludeAt >= 0 ? m - 1 : m));
        float[]? rented = null;
        var distances = m <= StackRows ? stackalloc float[m] : (rented = ArrayPool<float>.Shared.Rent(m)).AsSpan(0, m);
        try
        {
            block.SquaredDistances(z, distances);
            if (excludeAt >= 0) distances[excludeAt] = float.PositiveInfinity;
            // The kth smallest so far, ascending, with the rows they belong to.
            Span<float> nearest = kth <= 64 ? stackalloc float[kth] : new float[kth];
            Span<int> rows = kth <= 64 ? stackalloc int[kth] : new int[kth];
            nearest.Fill(float.PositiveInfinity);
            rows.Fill(-1);
            var worst = float.PositiveInfinity;
            for (var row = 0; row < distances.Length; row++)
            {
                var d = distances[row];
                if (!(d < worst)) continue;
                var at = kth - 1;
                while (at > 0 && nearest[at - 1] > d)
                {
                    nearest[at] = nearest[at - 1];
                    rows[at] = rows[at - 1];
                    at--;
                }
                nearest[at] = d;
                rows[at] = row;
                worst = nearest[kth - 1];
            }
            largestTerm = block.LargestTerm(z, rows[kth - 1]);
            return worst;
        }
        finally
        {
            if (rented is not null) ArrayPool<float>.Shared.Return(rented);
        }
    }

    /// <summary>Rows of one group, statistic-major: value d of row r at [d · Rows + r].</summary>
    private sealed class Block(float[] columns, int rows, int dimension)
    {
        public int Rows { get; } = rows;

        public static Block Of(float[] bank, int dimension, int[] members)
        {
            var columns = new float[members.Length * dimension];
            for (var r = 0; r < members.Length; r++)
                for (var d = 0; d < dimension; d++)
                    columns[d * members.Length + r] = bank[members[r] * dimension + d];
            return new Block(columns, members.Length, dimension);
        }

        /// <summary>The statistic d with the largest (z_d − row_d)² (0 for no row).</summary>
        public int LargestTerm(ReadOnlySpan<double> z, int row)
        {
            if (row < 0) return 0;
            int largest = 0;
            double most = -1;
            for (var d = 0; d < dimension; d++)
            {
                var diff = z[d] - columns[d * Rows + row];
                if (diff * diff > most) (most, largest) = (diff * diff, d);
            }
            return largest;
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void SquaredDistances(ReadOnlySpan<double> z, Span<float> distances)
        {
            distances.Clear();
            if (Rows == 0) return;
            ref var acc = ref MemoryMarshal.GetReference(distances);
            var n = (nuint)Rows;
            for (var d = 0; d < dimension; d++)
            {
                ref var column = ref columns[d * Rows];
                var q = (float)z[d];
                var qv = new Vector<float>(q);
                nuint i = 0;
                // Vector<float>: the machine's own width (AVX2/AVX-512 here, 128-bit NEON on an ARM gateway), lanes = rows.
                for (var width = (nuint)Vector<float>.Count; i + width <= n; i += width)
                {
                    var diff = Vector.LoadUnsafe(ref column, i) - qv;
                    Vector.FusedMultiplyAdd(diff, diff, Vector.LoadUnsafe(ref acc, i)).StoreUnsafe(ref acc, i);
                }
                for (; i < n; i++)
                {
                    var diff = Unsafe.Add(ref column, i) - q;
                    Unsafe.Add(ref acc, i) = MathF.FusedMultiplyAdd(diff, diff, Unsafe.Add(ref acc, i));
                }
            }
        }
    }
}
