using NeuralFP.Core.Numerics;

namespace NeuralFP.Core.Tests.Numerics;

public class GemmMatchesNaiveProductTests
{
    public static TheoryData<int, int, int> Sizes()
    {
        var data = new TheoryData<int, int, int>();
        int[] sizes = [1, 7, 33, 257];
        foreach (int m in sizes)
            foreach (int k in sizes)
                foreach (int n in sizes)
                    if (m * k * n <= 257 * 257 * 33) data.Add(m, k, n);
        return data;
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Every_variant_and_kernel_matches_a_double_precision_loop(int m, int k, int n)
    {
        foreach (var (transposeA, transposeB) in new[] { (false, false), (false, true), (true, false) })
        {
            var a = RandomMatrices.Uniform(m * k, seed: m * 31 + k);
            var b = RandomMatrices.Uniform(k * n, seed: k * 17 + n + 1);
            var (expected, magnitude) = Naive(a, b, m, k, n, transposeA, transposeB);
            foreach (var kernel in SupportedKernels())
                foreach (int threads in new[] { 1, 2 })
                {
                    var c = new float[m * n];
                    Array.Fill(c, float.NaN); // the product must overwrite, not accumulate
                    Gemm.Run(a, b, c, m, k, n, transposeA, transposeB, threads, kernel);
                    for (int i = 0; i < c.Length; i++)
                    {
                        double tolerance = 1e-6 * magnitude[i] * Math.Sqrt(k) + 1e-6;
                        Assert.True(Math.Abs(c[i] - expected[i]) <= tolerance,
                            $"{kernel} tA={transposeA} tB={transposeB} threads={threads}: C[{i}] = {c[i]}, expected {expected[i]}");
                    }
                }
        }
    }

    [Fact]
    public void The_public_entry_points_choose_the_documented_layouts()
    {
        const int m = 5, k = 9, n = 3;
        var a = RandomMatrices.Uniform(m * k, 1);
        var b = RandomMatrices.Uniform(k * n, 2);
        var aT = Transpose(a, m, k);
        var bT = Transpose(b, k, n);
        var plain = new float[m * n];
        var viaTransposedB = new float[m * n];
        var viaTransposedA = new float[m * n];
        Gemm.Multiply(a, b, plain, m, k, n);
        Gemm.MultiplyTransposedB(a, bT, viaTransposedB, m, k, n);
        Gemm.MultiplyTransposedA(aT, b, viaTransposedA, m, k, n);
        Assert.Equal(plain, viaTransposedB);
        Assert.Equal(plain, viaTransposedA);
    }

    [Fact]
    public void Zero_depth_gives_zeros_and_short_buffers_are_rejected()
    {
        var c = new float[] { 1, 2, 3, 4 };
        Gemm.Multiply([], [], c, 2, 0, 2);
        Assert.All(c, x => Assert.Equal(0f, x));
        var error = Assert.Throws<ArgumentException>(() => Gemm.Multiply(new float[5], new float[6], new float[4], 2, 3, 2));
        Assert.Contains("A needs 6", error.Message);
    }

    internal static IEnumerable<GemmKernel> SupportedKernels()
    {
        yield return GemmKernel.Portable;
        if (System.Runtime.Intrinsics.X86.Fma.IsSupported) yield return GemmKernel.Avx2Fma;
        if (System.Runtime.Intrinsics.X86.Avx512F.IsSupported) yield return GemmKernel.Avx512;
    }

    private static float[] Transpose(float[] x, int rows, int columns)
    {
        var t = new float[x.Length];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < columns; j++) t[j * rows + i] = x[i * columns + j];
        return t;
    }

    private static (double[] Product, double[] Magnitude) Naive(float[] a, float[] b, int m, int k, int n, bool transposeA, bool transposeB)
    {
        var product = new double[m * n];
        var magnitude = new double[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double sum = 0, abs = 0;
                for (int p = 0; p < k; p++)
                {
                    double term = (double)RandomMatrices.At(a, m, k, i, p, transposeA) * RandomMatrices.At(b, k, n, p, j, transposeB);
                    sum += term;
                    abs += Math.Abs(term);
                }
                product[i * n + j] = sum;
                magnitude[i * n + j] = abs;
            }
        return (product, magnitude);
    }
}
