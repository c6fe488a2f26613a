using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace NeuralFP.Core.Numerics;

/// <summary>Micro-kernels: one MR×NR tile of C += (MR rows of op(A), read in place)·(packed B panel) over kc steps.</summary>
internal static unsafe class GemmKernels
{
    /// <summary>Rows of a tile: 6 rows × 2 vectors = 12 accumulators, leaving registers for B and the broadcast of A.</summary>
    public const int MR = 6;

    /// <summary>Columns of a tile: two Vector512 (or four Vector256) of floats.</summary>
    public const int NR = 32;

    /// <summary>Depth of one packed block: a kc×NR panel of B (32 KiB) stays close to L1.</summary>
    public const int KC = 256;

    public static readonly GemmKernel Best =
        Avx512F.IsSupported && Vector512.IsHardwareAccelerated ? GemmKernel.Avx512
        : Fma.IsSupported && Vector256.IsHardwareAccelerated ? GemmKernel.Avx2Fma
        : GemmKernel.Portable;

    /// <summary>
    /// Computes one tile of C from op(A) read in place: element (r, p) of the tile's rows is at
    /// <paramref name="a"/> + r·<paramref name="rowStride"/> + p·<paramref name="depthStride"/> (a row-major A: (lda, 1);
    /// a transposed one: (1, m)), so A is never packed. Edge tiles (fewer than MR rows or NR columns of C) go through a
    /// zero-padded scratch tile so the kernels only ever see full tiles; missing rows of A repeat its last row (their
    /// results are discarded).
    /// </summary>
    [SkipLocalsInit]
    public static void Tile(GemmKernel kernel, float* a, nint rowStride, nint depthStride, float* b, float* c, int ldc, int kc, bool accumulate, int rows, int cols)
    {
        float** rowsOfA = stackalloc float*[MR];
        for (int r = 0; r < MR; r++) rowsOfA[r] = a + Math.Min(r, rows - 1) * rowStride;
        if (rows == MR && cols == NR)
        {
            Full(kernel, rowsOfA, depthStride, b, c, ldc, kc, accumulate);
            return;
        }

        float* scratch = stackalloc float[MR * NR];
        new Span<float>(scratch, MR * NR).Clear();
        if (accumulate)
            for (int r = 0; r < rows; r++)
                new ReadOnlySpan<float>(c + (long)r * ldc, cols).CopyTo(new Span<float>(scratch + r * NR, cols));
        Full(kernel, rowsOfA, depthStride, b, scratch, NR, kc, accumulate);
        for (int r = 0; r < rows; r++)
            new ReadOnlySpan<float>(scratch + r * NR, cols).CopyTo(new Span<float>(c + (long)r * ldc, cols));
    }

    private static void Full(GemmKernel kernel, float** a, nint depthStride, float* b, float* c, int ldc, int kc, bool accumulate)
    {
        switch (kernel)
        {
            case GemmKernel.Avx512:
                Avx512Of6x32(a, depthStride, b, c, ldc, kc, accumulate);
                break;
            case GemmKernel.Avx2Fma:
                // Sixteen ymm registers hold one 6×16 half-tile at a time.
                Avx2FmaOf6x16(a, depthStride, b, c, ldc, kc, accumulate);
                Avx2FmaOf6x16(a, depthStride, b + 16, c + 16, ldc, kc, accumulate);
                break;
            default:
                Portable(a, depthStride, b, c, ldc, kc, accumulate);
                break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Avx512Of6x32(float** a, nint depthStride, float* b, float* c, int ldc, int kc, bool accumulate)
    {
        Vector512<float> c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51;
        float* c0 = c, c1 = c + ldc, c2 = c1 + ldc, c3 = c2 + ldc, c4 = c3 + ldc, c5 = c4 + ldc;
        if (accumulate)
        {
            c00 = Vector512.Load(c0); c01 = Vector512.Load(c0 + 16);
            c10 = Vector512.Load(c1); c11 = Vector512.Load(c1 + 16);
            c20 = Vector512.Load(c2); c21 = Vector512.Load(c2 + 16);
            c30 = Vector512.Load(c3); c31 = Vector512.Load(c3 + 16);
            c40 = Vector512.Load(c4); c41 = Vector512.Load(c4 + 16);
            c50 = Vector512.Load(c5); c51 = Vector512.Load(c5 + 16);
        }
        else
        {
            c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = c40 = c41 = c50 = c51 = Vector512<float>.Zero;
        }

        float* a0 = a[0], a1 = a[1], a2 = a[2], a3 = a[3], a4 = a[4], a5 = a[5];
        nint offset = 0;
        for (int p = 0; p < kc; p++, offset += depthStride, b += NR)
        {
            Vector512<float> b0 = Vector512.Load(b), b1 = Vector512.Load(b + 16), av;
            av = Vector512.Create(a0[offset]); c00 = Avx512F.FusedMultiplyAdd(av, b0, c00); c01 = Avx512F.FusedMultiplyAdd(av, b1, c01);
            av = Vector512.Create(a1[offset]); c10 = Avx512F.FusedMultiplyAdd(av, b0, c10); c11 = Avx512F.FusedMultiplyAdd(av, b1, c11);
            av = Vector512.Create(a2[offset]); c20 = Avx512F.FusedMultiplyAdd(av, b0, c20); c21 = Avx512F.FusedMultiplyAdd(av, b1, c21);
            av = Vector512.Create(a3[offset]); c30 = Avx512F.FusedMultiplyAdd(av, b0, c30); c31 = Avx512F.FusedMultiplyAdd(av, b1, c31);
            av = Vector512.Create(a4[offset]); c40 = Avx512F.FusedMultiplyAdd(av, b0, c40); c41 = Avx512F.FusedMultiplyAdd(av, b1, c41);
            av = Vector512.Create(a5[offset]); c50 = Avx512F.FusedMultiplyAdd(av, b0, c50); c51 = Avx512F.FusedMultiplyAdd(av, b1, c51);
        }

        c00.Store(c0); c01.Store(c0 + 16);
        c10.Store(c1); c11.Store(c1 + 16);
        c20.Store(c2); c21.Store(c2 + 16);
        c30.Store(c3); c31.Store(c3 + 16);
        c40.Store(c4); c41.Store(c4 + 16);
        c50.Store(c5); c51.Store(c5 + 16);
    }

    /// <summary>Half a tile: rows of the packed B panel are NR apart, of which this kernel reads 16 columns.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Avx2FmaOf6x16(float** a, nint depthStride, float* b, float* c, int ldc, int kc, bool accumulate)
    {
        Vector256<float> c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51;
        float* c0 = c, c1 = c + ldc, c2 = c1 + ldc, c3 = c2 + ldc, c4 = c3 + ldc, c5 = c4 + ldc;
        if (accumulate)
        {
            c00 = Vector256.Load(c0); c01 = Vector256.Load(c0 + 8);
            c10 = Vector256.Load(c1); c11 = Vector256.Load(c1 + 8);
            c20 = Vector256.Load(c2); c21 = Vector256.Load(c2 + 8);
            c30 = Vector256.Load(c3); c31 = Vector256.Load(c3 + 8);
            c40 = Vector256.Load(c4); c41 = Vector256.Load(c4 + 8);
            c50 = Vector256.Load(c5); c51 = Vector256.Load(c5 + 8);
        }
        else
        {
            c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = c40 = c41 = c50 = c51 = Vector256<float>.Zero;
        }

        float* a0 = a[0], a1 = a[1], a2 = a[2], a3 = a[3], a4 = a[4], a5 = a[5];
        nint offset = 0;
        for (int p = 0; p < kc; p++, offset += depthStride, b += NR)
        {
            Vector256<float> b0 = Vector256.Load(b), b1 = Vector256.Load(b + 8), av;
            av = Vector256.Create(a0[offset]); c00 = Fma.MultiplyAdd(av, b0, c00); c01 = Fma.MultiplyAdd(av, b1, c01);
            av = Vector256.Create(a1[offset]); c10 = Fma.MultiplyAdd(av, b0, c10); c11 = Fma.MultiplyAdd(av, b1, c11);
            av = Vector256.Create(a2[offset]); c20 = Fma.MultiplyAdd(av, b0, c20); c21 = Fma.MultiplyAdd(av, b1, c21);
            av = Vector256.Create(a3[offset]); c30 = Fma.MultiplyAdd(av, b0, c30); c31 = Fma.MultiplyAdd(av, b1, c31);
            av = Vector256.Create(a4[offset]); c40 = Fma.MultiplyAdd(av, b0, c40); c41 = Fma.MultiplyAdd(av, b1, c41);
            av = Vector256.Create(a5[offset]); c50 = Fma.MultiplyAdd(av, b0, c50); c51 = Fma.MultiplyAdd(av, b1, c51);
        }

        c00.Store(c0); c01.Store(c0 + 8);
        c10.Store(c1); c11.Store(c1 + 8);
        c20.Store(c2); c21.Store(c2 + 8);
        c30.Store(c3); c31.Store(c3 + 8);
        c40.Store(c4); c41.Store(c4 + 8);
        c50.Store(c5); c51.Store(c5 + 8);
    }

    /// <summary>Accumulates in a scratch tile with Vector&lt;float&gt; (or scalars when its width does not divide NR).</summary>
    [SkipLocalsInit]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Portable(float** a, nint depthStride, float* b, float* c, int ldc, int kc, bool accumulate)
    {
        float* acc = stackalloc float[MR * NR];
        for (int r = 0; r < MR; r++)
        {
            var row = new Span<float>(acc + r * NR, NR);
            if (accumulate) new ReadOnlySpan<float>(c + (long)r * ldc, NR).CopyTo(row);
            else row.Clear();
        }

        int width = Vector<float>.Count;
        bool vectorised = Vector.IsHardwareAccelerated && width <= NR && NR % width == 0;
        nint offset = 0;
        for (int p = 0; p < kc; p++, offset += depthStride, b += NR)
        {
            for (int r = 0; r < MR; r++)
            {
                float ar = a[r][offset];
                float* accRow = acc + r * NR;
                if (vectorised)
                {
                    var av = new Vector<float>(ar);
                    for (int j = 0; j < NR; j += width)
                    {
                        var sum = Unsafe.ReadUnaligned<Vector<float>>(accRow + j) + av * Unsafe.ReadUnaligned<Vector<float>>(b + j);
                        Unsafe.WriteUnaligned(accRow + j, sum);
                    }
                }
                else
                {
                    for (int j = 0; j < NR; j++) accRow[j] += ar * b[j];
                }
            }
        }

        for (int r = 0; r < MR; r++)
            new ReadOnlySpan<float>(acc + r * NR, NR).CopyTo(new Span<float>(c + (long)r * ldc, NR));
    }
}
