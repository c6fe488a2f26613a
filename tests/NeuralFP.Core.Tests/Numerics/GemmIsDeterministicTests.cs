using NeuralFP.Core.Numerics;

namespace NeuralFP.Core.Tests.Numerics;

public class GemmIsDeterministicTests
{
    [Theory]
    [InlineData(300, 517, 129, false, false)]
    [InlineData(131, 1000, 77, false, true)]
    [InlineData(257, 700, 300, true, false)]
    public void Results_are_bit_identical_for_any_thread_count(int m, int k, int n, bool transposeA, bool transposeB)
    {
        var a = RandomMatrices.Uniform(m * k, 3);
        var b = RandomMatrices.Uniform(k * n, 4);
        var reference = new float[m * n];
        Gemm.Run(a, b, reference, m, k, n, transposeA, transposeB, 1, GemmKernels.Best);
        foreach (int threads in new[] { 2, 3, 7, 16 })
        {
            var c = new float[m * n];
            Gemm.Run(a, b, c, m, k, n, transposeA, transposeB, threads, GemmKernels.Best);
            Assert.Equal(reference, c);
        }
    }

    [Fact]
    public void Fused_kernels_compute_each_element_as_one_ordered_fma_chain()
    {
        // The documented contract behind thread- and tiling-independence: C[i,j] = fma(a[i,k-1], b[k-1,j], … fma(a[i,0], b[0,j], 0)).
        const int m = 61, k = 600, n = 45;
        var a = RandomMatrices.Uniform(m * k, 5);
        var b = RandomMatrices.Uniform(k * n, 6);
        var expected = new float[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                float sum = 0f;
                for (int p = 0; p < k; p++) sum = MathF.FusedMultiplyAdd(a[i * k + p], b[p * n + j], sum);
                expected[i * n + j] = sum;
            }
        foreach (var kernel in GemmMatchesNaiveProductTests.SupportedKernels().Where(x => x != GemmKernel.Portable))
        {
            var c = new float[m * n];
            Gemm.Run(a, b, c, m, k, n, false, false, 2, kernel);
            Assert.Equal(expected, c);
        }
    }
}
