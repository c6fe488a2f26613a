using System.Runtime.CompilerServices;

namespace NeuralFP.Core.Numerics;

/// <summary>
/// Eigen-decomposition of a small dense symmetric matrix by cyclic Jacobi rotations (double precision).
/// Deterministic: a fixed sweep order, no randomness.
/// </summary>
internal static class SymmetricEigen
{
    private const int MaxSweeps = 100;

    /// <summary>
    /// Decomposes the n×n row-major symmetric <paramref name="matrix"/> (only its values are read; it is not changed).
    /// Returns eigenvalues in descending order and the matching unit eigenvectors as the columns of an n×n
    /// row-major matrix, each signed so that its largest-magnitude component is positive.
    /// </summary>
    public static (double[] Values, double[] Vectors) Decompose(ReadOnlySpan<double> matrix, int n)
    {
        if (matrix.Length != n * n) throw new ArgumentException($"Expected {n}×{n} = {n * n} values, got {matrix.Length}.", nameof(matrix));
        var a = matrix.ToArray();
        var v = new double[n * n];
        for (int i = 0; i < n; i++) v[i * n + i] = 1.0;

        double total = 0;
        foreach (double x in a) total += x * x;
        double tolerance = total * 1e-30;

        for (int sweep = 0; sweep < MaxSweeps; sweep++)
        {
            double off = 0;
            for (int p = 0; p < n; p++)
                for (int q = p + 1; q < n; q++) off += a[p * n + q] * a[p * n + q];
            if (off <= tolerance) break;

            for (int p = 0; p < n - 1; p++)
            {
                for (int q = p + 1; q < n; q++)
                {
                    double apq = a[p * n + q];
                    if (apq == 0.0) continue;
                    double app = a[p * n + p], aqq = a[q * n + q];
                    // Once apq is negligible next to both diagonal entries, rotating would only add rounding noise.
                    if (sweep > 3 && Math.Abs(apq) < 1e-18 * Math.Min(Math.Abs(app), Math.Abs(aqq)))
                    {
                        a[p * n + q] = a[q * n + p] = 0.0;
                        continue;
                    }
                    Rotate(a, v, n, p, q, app, aqq, apq);
                }
            }
        }

        return Sorted(a, v, n);
    }

    /// <summary>A ← JᵀAJ and V ← VJ for the plane rotation J that zeroes a[p,q].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Rotate(double[] a, double[] v, int n, int p, int q, double app, double aqq, double apq)
    {
        double theta = (aqq - app) / (2.0 * apq);
        // The smaller root of t² + 2θt − 1 = 0 keeps the rotation angle below π/4, which keeps the sweep stable.
        double t = (theta >= 0 ? 1.0 : -1.0) / (Math.Abs(theta) + Math.Sqrt(theta * theta + 1.0));
        double c = 1.0 / Math.Sqrt(t * t + 1.0), s = t * c;

        for (int k = 0; k < n; k++)
        {
            double akp = a[k * n + p], akq = a[k * n + q];
            a[k * n + p] = c * akp - s * akq;
            a[k * n + q] = s * akp + c * akq;
        }
        for (int k = 0; k < n; k++)
        {
            double apk = a[p * n + k], aqk = a[q * n + k];
            a[p * n + k] = c * apk - s * aqk;
            a[q * n + k] = s * apk + c * aqk;
        }
        a[p * n + q] = a[q * n + p] = 0.0;
        for (int k = 0; k < n; k++)
        {
            double vkp = v[k * n + p], vkq = v[k * n + q];
            v[k * n + p] = c * vkp - s * vkq;
            v[k * n + q] = s * vkp + c * vkq;
        }
    }

    private static (double[] Values, double[] Vectors) Sorted(double[] a, double[] v, int n)
    {
        var order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        // Stable on ties (index breaks them), so equal eigenvalues keep a reproducible order.
        Array.Sort(order, (x, y) =>
        {
            int byValue = a[y * n + y].CompareTo(a[x * n + x]);
            return byValue != 0 ? byValue : x.CompareTo(y);
        });

        var values = new double[n];
        var vectors = new double[n * n];
        for (int j = 0; j < n; j++)
        {
            int src = order[j];
            values[j] = a[src * n + src];
            for (int i = 0; i < n; i++) vectors[i * n + j] = v[i * n + src];
        }
        SignConvention.ApplyToColumns(vectors, n, n);
        return (values, vectors);
    }
}
