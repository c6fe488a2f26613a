namespace NeuralFP.Core.Detectors.Numerics;

/// <summary>Cholesky factor and triangular inverse of a symmetric positive-definite matrix (row-major, double).</summary>
internal static class Cholesky
{
    /// <summary>Lower-triangular L with L·Lᵀ = A, or null when A is not positive definite.</summary>
    public static double[]? Factor(ReadOnlySpan<double> a, int n)
    {
        var l = new double[n * n];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j <= i; j++)
            {
                var sum = a[i * n + j];
                for (var k = 0; k < j; k++) sum -= l[i * n + k] * l[j * n + k];
                if (i == j)
                {
                    if (!(sum > 0)) return null;
                    l[i * n + i] = Math.Sqrt(sum);
                }
                else
                {
                    l[i * n + j] = sum / l[j * n + j];
                }
            }
        }
        return l;
    }

    /// <summary>L⁻¹ of a lower-triangular L (also lower triangular), by forward substitution per column.</summary>
    public static double[] InvertLower(ReadOnlySpan<double> l, int n)
    {
        var inv = new double[n * n];
        for (var col = 0; col < n; col++)
        {
            inv[col * n + col] = 1.0 / l[col * n + col];
            for (var i = col + 1; i < n; i++)
            {
                var sum = 0.0;
                for (var k = col; k < i; k++) sum -= l[i * n + k] * inv[k * n + col];
                inv[i * n + col] = sum / l[i * n + i];
            }
        }
        return inv;
    }
}
