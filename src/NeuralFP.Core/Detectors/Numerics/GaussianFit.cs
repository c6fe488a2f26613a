namespace NeuralFP.Core.Detectors.Numerics;

/// <summary>
/// A multivariate Gaussian over rows of statistics: the mean and the inverse Cholesky factor of the covariance, lightly
/// shrunk towards its diagonal so nearly collinear statistics keep the factor stable. Scores are squared Mahalanobis
/// distances. Shared by the fingerprint's Gaussian integration and the combined detector's Gaussian rule.
/// </summary>
internal static class GaussianFit
{
    /// <param name="rows">Row-major [n, k] values.</param>
    /// <param name="diagonal">Independent statistics (covariance off-diagonals set to zero).</param>
    public static (double[] Mean, double[] InverseCholesky) Fit(ReadOnlySpan<double> rows, int n, int k, bool diagonal)
    {
        var mean = new double[k];
        for (var r = 0; r < n; r++) for (var i = 0; i < k; i++) mean[i] += rows[r * k + i];
        for (var i = 0; i < k; i++) mean[i] /= n;
        var cov = new double[k * k];
        for (var r = 0; r < n; r++)
            for (var i = 0; i < k; i++)
            {
                double a = rows[r * k + i] - mean[i];
                for (var j = 0; j <= i; j++) cov[i * k + j] += a * (rows[r * k + j] - mean[j]);
            }
        double trace = 0;
        for (var i = 0; i < k; i++) trace += cov[i * k + i] / Math.Max(1, n - 1);
        for (var i = 0; i < k; i++)
            for (var j = 0; j <= i; j++)
            {
                double v = cov[i * k + j] / Math.Max(1, n - 1);
                v = i == j ? v + 1e-3 * trace / k + 1e-12 : diagonal ? 0 : 0.95 * v;
                cov[i * k + j] = v;
                cov[j * k + i] = v;
            }
        var lower = Cholesky.Factor(cov, k) ?? throw new InvalidOperationException("The covariance of the statistics is not positive definite.");
        return (mean, Cholesky.InvertLower(lower, k));
    }

    /// <summary>||L⁻¹ (x − μ)||² for an already centred x (L⁻¹ lower-triangular, row-major).</summary>
    public static double SquaredDistance(ReadOnlySpan<double> centred, ReadOnlySpan<double> inverseCholesky)
    {
        var k = centred.Length;
        double distance = 0;
        for (var i = 0; i < k; i++)
        {
            double z = 0;
            for (var j = 0; j <= i; j++) z += inverseCholesky[i * k + j] * centred[j];
            distance += z * z;
        }
        return distance;
    }
}
