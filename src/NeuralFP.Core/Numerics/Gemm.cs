using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace NeuralFP.Core.Numerics;

/// <summary>
/// Row-major float32 matrix products C = op(A)·op(B), cache-blocked, parallel over tiles of C; B is packed into
/// zero-padded panels, A is read in place (packing it cost as much as a third of a minibatch product).
/// </summary>
/// <remarks>
/// Every element of C is one fused multiply-add chain over k in ascending order, started from zero, whatever the
/// tiling, the kernel width or the number of threads: a padded lane of B or a repeated row of A only ever feeds
/// elements that are discarded. That makes results bit-identical across thread counts and block sizes.
/// </remarks>
internal static unsafe class Gemm
{
    private const int KC = GemmKernels.KC;
    private const int MR = GemmKernels.MR;
    private const int NR = GemmKernels.NR;

    /// <summary>Rows of A visited at once: an MC×KC block of A stays in L2 while B panels stream past it.</summary>
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
                    // B is stored [n×k]: column j of op(B) is row j of storage, contiguous along p. Whole 8×8 blocks are
                    // transposed in registers; the ragged edges element by element.
                    int j = 0, p8 = Avx.IsSupported ? kc & ~7 : 0;
                    if (p8 > 0)
                        for (; j + 8 <= cols; j += 8)
                            for (int p = 0; p < p8; p += 8)
                                Transpose8x8(b + (long)(j0 + j) * k + p0 + p, k, dst + p * NR + j, NR);
                    for (int jj = 0; jj < cols; jj++)
                    {
                        float* src = b + (long)(j0 + jj) * k + p0;
                        for (int p = jj < j ? p8 : 0; p < kc; p++) dst[p * NR + jj] = src[p];
                    }
                    for (int jj = cols; jj < NR; jj++)
                        for (int p = 0; p < kc; p++) dst[p * NR + jj] = 0f;
                }
            }
        }
    }

    /// <summary>dst[c·ldd + r] = src[r·lds + c] for an 8×8 block (AVX unpack/shuffle/permute, the classic sequence).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8x8(float* src, int lds, float* dst, int ldd)
    {
        Vector256<float> r0 = Avx.LoadVector256(src), r1 = Avx.LoadVector256(src + lds), r2 = Avx.LoadVector256(src + 2 * lds), r3 = Avx.LoadVector256(src + 3 * lds);
        Vector256<float> r4 = Avx.LoadVector256(src + 4 * lds), r5 = Avx.LoadVector256(src + 5 * lds), r6 = Avx.LoadVector256(src + 6 * lds), r7 = Avx.LoadVector256(src + 7 * lds);
        Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1), t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
        Vector256<float> t4 = Avx.UnpackLow(r4, r5), t5 = Avx.UnpackHigh(r4, r5), t6 = Avx.UnpackLow(r6, r7), t7 = Avx.UnpackHigh(r6, r7);
        Vector256<float> s0 = Avx.Shuffle(t0, t2, 0x44), s1 = Avx.Shuffle(t0, t2, 0xEE), s2 = Avx.Shuffle(t1, t3, 0x44), s3 = Avx.Shuffle(t1, t3, 0xEE);
        Vector256<float> s4 = Avx.Shuffle(t4, t6, 0x44), s5 = Avx.Shuffle(t4, t6, 0xEE), s6 = Avx.Shuffle(t5, t7, 0x44), s7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Store(dst, Avx.Permute2x128(s0, s4, 0x20));
        Avx.Store(dst + ldd, Avx.Permute2x128(s1, s5, 0x20));
        Avx.Store(dst + 2 * ldd, Avx.Permute2x128(s2, s6, 0x20));
        Avx.Store(dst + 3 * ldd, Avx.Permute2x128(s3, s7, 0x20));
        Avx.Store(dst + 4 * ldd, Avx.Permute2x128(s0, s4, 0x31));
        Avx.Store(dst + 5 * ldd, Avx.Permute2x128(s1, s5, 0x31));
        Avx.Store(dst + 6 * ldd, Avx.Permute2x128(s2, s6, 0x31));
        Avx.Store(dst + 7 * ldd, Avx.Permute2x128(s3, s7, 0x31));
    }

    /// <summary>The shared, read-only state of one product; A is read in place (no packing), B from its packed panels.</summary>
    private readonly struct Job(nint a, nint c, nint packedB, int m, int k, int n, int nStrips, bool transposeA, GemmKernel kernel)
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void RunTile(int rowStrip0, int rowStrip1, int colStrip0, int colStrip1)
        {
            float* aBase = (float*)a, cBase = (float*)c, bBase = (float*)packedB;
            // Element (i, p) of op(A): row-major A at i·k + p; a transposed one (stored [k×m]) at p·m + i.
            nint rowStride = transposeA ? 1 : k, depthStride = transposeA ? m : 1;
            int iEnd = Math.Min(m, rowStrip1 * MR);
            for (int p0 = 0; p0 < k; p0 += KC)
            {
                int kc = Math.Min(KC, k - p0);
                bool accumulate = p0 > 0;
                float* bBlock = bBase + (long)p0 * nStrips * NR;
                // MC rows at a time: their kc columns of A stay in L2 while the B panels stream past them.
                for (int i0 = rowStrip0 * MR; i0 < iEnd; i0 += MC)
                {
                    int mc = Math.Min(MC, iEnd - i0);
                    for (int s = colStrip0; s < colStrip1; s++)
                    {
                        float* bPanel = bBlock + (long)s * kc * NR;
                        int j0 = s * NR, cols = Math.Min(NR, n - j0);
                        for (int r = 0; r < mc; r += MR)
                        {
                            int rows = Math.Min(MR, mc - r);
                            float* aRows = aBase + (i0 + r) * rowStride + p0 * depthStride;
                            float* cTile = cBase + (long)(i0 + r) * n + j0;
                            GemmKernels.Tile(kernel, aRows, rowStride, depthStride, bPanel, cTile, n, kc, accumulate, rows, cols);
                        }
                    }
                }
            }
        }
    }
}
