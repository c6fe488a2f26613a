using NeuralFP.Core.Numerics;

namespace NeuralFP.Core.Tests.Numerics;

public class SymmetricEigenTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(9)]
    [InlineData(40)]
    public void Decomposition_satisfies_AV_equals_V_Lambda_with_orthonormal_sorted_signed_vectors(int n)
    {
        var random = new Random(n);
        var a = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j <= i; j++) a[i * n + j] = a[j * n + i] = random.NextDouble() * 2 - 1;

        var (values, vectors) = SymmetricEigen.Decompose(a, n);

        for (int j = 0; j + 1 < n; j++) Assert.True(values[j] >= values[j + 1]);
        for (int p = 0; p < n; p++)
        {
            for (int q = 0; q < n; q++)
            {
                double dot = 0;
                for (int i = 0; i < n; i++) dot += vectors[i * n + p] * vectors[i * n + q];
                Assert.Equal(p == q ? 1.0 : 0.0, dot, 1e-10);
            }
            for (int i = 0; i < n; i++)
            {
                double av = 0;
                for (int k = 0; k < n; k++) av += a[i * n + k] * vectors[k * n + p];
                Assert.Equal(values[p] * vectors[i * n + p], av, 1e-10);
            }
            int largest = Enumerable.Range(0, n).MaxBy(i => Math.Abs(vectors[i * n + p]));
            Assert.True(vectors[largest * n + p] > 0);
        }
    }
}
