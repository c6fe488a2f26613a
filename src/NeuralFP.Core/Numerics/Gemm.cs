using System.Buffers;
using System.Runtime.CompilerServices;

namespace NeuralFP.Core.Numerics;

/// <summary>
/// Row-major float32 matrix products C = op(A)·op(B), packed and cache-blocked, parallel over tiles of C.
/// </summary>
/// <remarks>
/// Every element of C is one fused multiply-add chain over k in ascending order, started from zero, whatever the
/// tiling, the kernel width or the number of threads: operands are zero-padded into packed panels, so a padded
/// lane never changes a real one. That makes results bit-identical across thread counts and block sizes.
/// </remarks>
internal static unsafe class Gemm
{
    private const int KC = GemmKernels.KC;
    private const int MR = GemmKernels.MR;
    private const int NR = GemmKernels.NR;

    /// <summary>Rows of A packed at once: an MC×KC block of A stays in L2 while B panels stream past it.</summary>
    private const int MC = 16 * MR;

    /// <summary>Products smaller than this many flops run on the calling thread: fan-out would cost more.</summary>
    private const long ParallelFlopThreshold = 8_000_000;

    /// <summary>C[m×n] = A[m×k]·B[k×n].</summary>
    public static void Multiply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n, int maxThreads = 0)
        => Run(a, b, c, m, k, n, transposeA: false, transposeB: false, maxThreads, GemmKernels.Best);

    /// <summary>C[m×n] = A[m×k]·Bᵀ where B is stored [n×k].</summary>
    public static void MultiplyTransposedB(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n, int maxThreads = 0)
        => Run(a, b, c, m, k, n, transposeA: false, transposeB: true, maxThreads, GemmKernels.Best);

    /// <summary>C[m×n] = Aᵀ·B[k×n] where A is stored [k×m].</summary>
    public static void MultiplyTransposedA(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n, int maxThreads = 0)
        => Run(a, b, c, m, k, n, transposeA: true, transposeB: false, maxThreads, GemmKernels.Best);

    /// <summary>The general entry point; <paramref name="kernel"/> lets tests pin the portable kernel.</summary>
    internal static void Run(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n,
        bool transposeA, bool transposeB, int maxThreads, GemmKernel kernel)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(m);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        if (a.Length < (long)m * k) throw new ArgumentException($"A needs {(long)m * k} values for {m}×{k} but has {a.Length}.", nameof(a));
        if (b.Length < (long)k * n) throw new ArgumentException($"B needs {(long)k * n} values for {k}×{n} but has {b.Length}.", nameof(b));
        if (c.Length < (long)m * n) throw new ArgumentException($"C needs {(long)m * n} values for {m}×{n} but has {c.Length}.", nameof(c));
        if (m == 0 || n == 0) return;
        if (k == 0)
        {
            c[..(m * n)].Clear();
            return;
        }

        int threads = maxThreads > 0 ? maxThreads : Environment.ProcessorCount;
        if (2L * m * n * k < ParallelFlopThreshold) threads = 1;

        int nStrips = (n + NR - 1) / NR;
        int mStrips = (m + MR - 1) / MR;
        float[] packedB = ArrayPool<float>.Shared.Rent(checked(k * nStrips * NR));
        try
        {
            fixed (float* pa = a, pb = b, pc = c, ppb = packedB)
            {
                var job = new Job((nint)pa, (nint)pc, (nint)ppb, m, k, n, nStrips, transposeA, kernel);
                PackAllOfB(pb, ppb, k, n, nStrips, transposeB);
                if (threads == 1)
                {
                    job.RunTile(0, mStrips, 0, nStrips);
                }
                else
                {
                    // Tile C so that each thread gets several tiles; split columns only when rows run short.
                    int target = threads * 4;
                    int rowTiles = Math.Min(mStrips, target);
                    int colTiles = rowTiles >= target ? 1 : Math.Min(nStrips, (target + rowTiles - 1) / rowTiles);
                    int rowStripsPerTile = (mStrips + rowTiles - 1) / rowTiles;
                    int colStripsPerTile = (nStrips + colTiles - 1) / colTiles;
                    rowTiles = (mStrips + rowStripsPerTile - 1) / rowStripsPerTile;
                    colTiles = (nStrips + colStripsPerTile - 1) / colStripsPerTile;
                    Parallel.For(0, rowTiles * colTiles, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
                    {
                        int r0 = t / colTiles * rowStripsPerTile, c0 = t % colTiles * colStripsPerTile;
                        job.RunTile(r0, Math.Min(mStrips, r0 + rowStripsPerTile), c0, Math.Min(nStrips, c0 + colStripsPerTile));
                    });
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(packedB);
        }
    }

    /// <summary>
    /// Packs B block by block of KC rows; inside a block, strip by strip of NR columns, each strip kc×NR contiguous,
    /// zero-padded past n. The block starting at row p0 starts at p0·nStrips·NR.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackAllOfB(float* b, float* packed, int k, int n, int nStrips, bool transposed)
    {
        for (int p0 = 0; p0 < k; p0 += KC)
        {
            int kc = Math.Min(KC, k - p0);
            float* block = packed + (long)p0 * nStrips * NR;
            for (int s = 0; s < nStrips; s++)
            {
                float* dst = block + (long)s * kc * NR;
                int j0 = s * NR, cols = Math.Min(NR, n - j0);
                if (!transposed)
                {
                    float* src = b + (long)p0 * n + j0;
                    if (cols == NR)
                    {
                        for (int p = 0; p < kc; p++, src += n, dst += NR)
                            new ReadOnlySpan<float>(src, NR).CopyTo(new Span<float>(dst, NR));
                    }
                    else
                    {
                        for (int p = 0; p < kc; p++, src += n, dst += NR)
                        {
                            for (int j = 0; j < cols; j++) dst[j] = src[j];
                            for (int j = cols; j < NR; j++) dst[j] = 0f;
                        }
                    }
                }
                else
                {
                    // B is stored [n×k]: column j of op(B) is row j of storage, contiguous along p.
                    for (int j = 0; j < cols; j++)
                    {
                        float* src = b + (long)(j0 + j) * k + p0;
                        for (int p = 0; p < kc; p++) dst[p * NR + j] = src[p];
                    }
                    for (int j = cols; j < NR; j++)
                        for (int p = 0; p < kc; p++) dst[p * NR + j] = 0f;
                }
            }
        }
    }

    /// <summary>The shared, read-only state of one product; each tile packs its own rows of A.</summary>
    private readonly struct Job(nint a, nint c, nint packedB, int m, int k, int n, int nStrips, bool transposeA, GemmKernel kernel)
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void RunTile(int rowStrip0, int rowStrip1, int colStrip0, int colStrip1)
        {
            float[] packedA = ArrayPool<float>.Shared.Rent(MC * KC);
            try
            {
                fixed (float* pa = packedA)
                {
                    float* aBase = (float*)a, cBase = (float*)c, bBase = (float*)packedB;
                    int iEnd = Math.Min(m, rowStrip1 * MR);
                    for (int p0 = 0; p0 < k; p0 += KC)
                    {
                        int kc = Math.Min(KC, k - p0);
                        bool accumulate = p0 > 0;
                        float* bBlock = bBase + (long)p0 * nStrips * NR;
                        for (int i0 = rowStrip0 * MR; i0 < iEnd; i0 += MC)
                        {
                            int mc = Math.Min(MC, iEnd - i0);
                            PackA(aBase, pa, i0, mc, p0, kc);
                            for (int s = colStrip0; s < colStrip1; s++)
                            {
                                float* bPanel = bBlock + (long)s * kc * NR;
                                int j0 = s * NR, cols = Math.Min(NR, n - j0);
                                for (int r = 0; r < mc; r += MR)
                                {
                                    int rows = Math.Min(MR, mc - r);
                                    float* cTile = cBase + (long)(i0 + r) * n + j0;
                                    GemmKernels.Tile(kernel, pa + (long)r * kc, bPanel, cTile, n, kc, accumulate, rows, cols);
                                }
                            }
                        }
                    }
                }
            }
            finally
            {
                ArrayPool<float>.Shared.Return(packedA);
            }
        }

        /// <summary>Packs rows i0..i0+mc of op(A), columns p0..p0+kc, as MR-row strips interleaved along p, zero-padded.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void PackA(float* aBase, float* dst, int i0, int mc, int p0, int kc)
        {
            for (int r0 = 0; r0 < mc; r0 += MR)
            {
                int rows = Math.Min(MR, mc - r0);
                float* strip = dst + (long)r0 * kc;
                if (!transposeA)
                {
                    for (int r = 0; r < rows; r++)
                    {
                        float* src = aBase + (long)(i0 + r0 + r) * k + p0;
                        for (int p = 0; p < kc; p++) strip[p * MR + r] = src[p];
                    }
                }
                else
                {
                    // A is stored [k×m]: the MR values of one p are adjacent in storage.
                    for (int p = 0; p < kc; p++)
                    {
                        float* src = aBase + (long)(p0 + p) * m + i0 + r0;
                        float* d = strip + p * MR;
                        for (int r = 0; r < rows; r++) d[r] = src[r];
                    }
                }
                for (int r = rows; r < MR; r++)
                    for (int p = 0; p < kc; p++) strip[p * MR + r] = 0f;
            }
        }
    }
}
