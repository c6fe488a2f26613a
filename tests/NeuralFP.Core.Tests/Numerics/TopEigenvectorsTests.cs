using NeuralFP.Core.Numerics;

namespace NeuralFP.Core.Tests.Numerics;

public class TopEigenvectorsTests
{
    [Fact]
    public void Subspace_iteration_on_a_large_matrix_finds_the_leading_eigenpairs()
    {
        // C = Q·diag(λ)·Qᵀ with a known, decaying spectrum; d is above the direct-Jacobi limit.
        const int d = 240, k = 6;
        var random = new Random(11);
        var q = RandomOrthonormal(d, random);
        var lambda = Enumerable.Range(0, d).Select(i => 100.0 * Math.Pow(0.85, i)).ToArray();
        var c = new float[d * d];
        for (int i = 0; i < d; i++)
            for (int j = 0; j < d; j++)
            {
                double sum = 0;
                for (int t = 0; t < d; t++) sum += q[i * d + t] * lambda[t] * q[j * d + t];
                c[i * d + j] = (float)sum;
            }

        var (values, vectors) = TopEigenvectors.Compute(c, d, k, seed: 3);

        for (int j = 0; j < k; j++)
        {
            Assert.Equal(lambda[j], values[j], lambda[0] * 1e-4);
            double alignment = 0;
            for (int i = 0; i < d; i++) alignment += vectors[i * k + j] * q[i * d + j];
            Assert.True(Math.Abs(alignment) > 0.999, $"eigenvector {j}: |cos| = {Math.Abs(alignment)}");
        }
    }

    [Fact]
    public void Same_seed_gives_identical_vectors()
    {
        const int d = 200, k = 4;
        var x = RandomMatrices.Uniform(50 * d, 8);
        var c = new float[d * d];
        Gemm.MultiplyTransposedA(x, x, c, d, 50, d);
        var first = TopEigenvectors.Compute(c, d, k, seed: 1);
        var second = TopEigenvectors.Compute(c, d, k, seed: 1);
        Assert.Equal(first.Vectors, second.Vectors);
    }

    /// <summary>Columns of a d×d row-major orthonormal matrix, by Gram–Schmidt on Gaussian columns.</summary>
    private static double[] RandomOrthonormal(int d, Random random)
    {
        var columns = new double[d][];
        for (int j = 0; j < d; j++)
        {
            var v = new double[d];
            for (int i = 0; i < d; i++) v[i] = random.NextDouble() * 2 - 1;
            for (int pass = 0; pass < 2; pass++)
                for (int p = 0; p < j; p++)
                {
                    double dot = 0;
                    for (int i = 0; i < d; i++) dot += v[i] * columns[p][i];
                    for (int i = 0; i < d; i++) v[i] -= dot * columns[p][i];
                }
            double norm = Math.Sqrt(v.Sum(x => x * x));
            columns[j] = v.Select(x => x / norm).ToArray();
        }
        var q = new double[d * d];
        for (int i = 0; i < d; i++)
            for (int j = 0; j < d; j++) q[i * d + j] = columns[j][i];
        return q;
    }
}
