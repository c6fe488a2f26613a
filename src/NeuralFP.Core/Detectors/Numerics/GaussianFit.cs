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

    /// <summary>
    /// The inverse Cholesky factor of a full symmetric covariance (row-major, already divided by n − 1) after the same light
    /// shrinkage <see cref="Fit"/> applies: off-diagonals × 0.95 and a ridge of 10⁻³ of the mean variance (the argument is not changed).
    /// </summary>
    public static double[] InverseCholeskyOf(ReadOnlySpan<double> covariance, int k)
    {
        double trace = 0;
        for (var i = 0; i < k; i++) trace += covariance[i * k + i];
        var cov = new double[k * k];
        for (var i = 0; i < k; i++)
            for (var j = 0; j <= i; j++)
            {
                var v = covariance[i * k + j];
                v = i == j ? v + 1e-3 * trace / k + 1e-12 : 0.95 * v;
                cov[i * k + j] = v;
                cov[j * k + i] = v;
            }
        var lower = Cholesky.Factor(cov, k) ?? throw new InvalidOperationException("The covariance of the statistics is not positive definite.");
        return Cholesky.InvertLower(lower, k);
    }

    /// <summary>ln det Σ from Σ's inverse Cholesky factor L⁻¹ (lower-triangular): −2 Σ_i ln (L⁻¹)_ii.</summary>
    public static double LogDeterminant(ReadOnlySpan<double> inverseCholesky, int k)
    {
        double sum = 0;
        for (var i = 0; i < k; i++) sum -= 2 * Math.Log(inverseCholesky[i * k + i]);
        return sum;
    }

    /// <summary>Records of a class that weigh as much as the overall mean in that class's shrunk mean.</summary>
    public const double ClassMeanPrior = 20;

    /// <summary>
    /// One mean per class, each shrunk towards the overall mean with <see cref="ClassMeanPrior"/> pseudo-records (a class
    /// with few records keeps close to the overall mean), and the pooled within-class covariance (every row measured from
    /// its own class's mean), as in Lee et al.'s class-conditional Mahalanobis.
    /// </summary>
    /// <param name="rows">Row-major [n, k] values (not changed).</param>
    /// <param name="classes">Per row its class (≥ 0).</param>
    public static (double[] Overall, double[][] ClassMeans, double[] InverseCholesky) FitPerClass(ReadOnlySpan<double> rows, int n, int k, ReadOnlySpan<int> classes)
    {
        if (classes.Length != n) throw new ArgumentException($"Give one class per row ({n}).", nameof(classes));
        var overall = new double[k];
        for (var r = 0; r < n; r++) for (var i = 0; i < k; i++) overall[i] += rows[r * k + i] / n;
        var count = 0;
        foreach (var c in classes)
        {
            if (c < 0) throw new ArgumentException("Classes are indices (≥ 0).", nameof(classes));
            count = Math.Max(count, c + 1);
        }
        var sums = new double[count * k];
        var members = new int[count];
        for (var r = 0; r < n; r++)
        {
            members[classes[r]]++;
            for (var i = 0; i < k; i++) sums[classes[r] * k + i] += rows[r * k + i];
        }
        var classMeans = new double[count][];
        for (var c = 0; c < count; c++)
        {
            classMeans[c] = new double[k];
            for (var i = 0; i < k; i++) classMeans[c][i] = (sums[c * k + i] + ClassMeanPrior * overall[i]) / (members[c] + ClassMeanPrior);
        }
        var within = new double[n * k];
        for (var r = 0; r < n; r++) for (var i = 0; i < k; i++) within[r * k + i] = rows[r * k + i] - classMeans[classes[r]][i];
        var (_, inverse) = Fit(within, n, k, diagonal: false);
        return (overall, classMeans, inverse);
    }

    /// <summary>The mean a record of <paramref name="predictedClass"/> is measured from: its class's, or the overall one
    /// for a class the fit never saw (or no class).</summary>
    public static double[] MeanFor(double[][]? classMeans, double[] overall, int predictedClass) =>
        classMeans is not null && (uint)predictedClass < (uint)classMeans.Length ? classMeans[predictedClass] : overall;

    /// <summary>Folds of cross-fitted calibration scores for <paramref name="n"/> records: 10, fewer below 100 records
    /// (at least 10 records a fold), 0 (no cross-fitting) below 20.</summary>
    public static int CrossFitFolds(int n)
    {
        var folds = Math.Min(10, n / 10);
        return folds < 2 ? 0 : folds;
    }

    /// <summary>||L⁻¹ (x − μ)||² for an already centred x (L⁻¹ lower-triangular, row-major).</summary>
    public static double SquaredDistance(ReadOnlySpan<double> centred, ReadOnlySpan<double> inverseCholesky) =>
        SquaredDistance(centred, inverseCholesky, out _);

    /// <param name="largestTerm">The i of the largest z_i² in the sum: the statistic whose part not explained by the ones
    /// before it (the whitening's order) lies furthest out.</param>
    public static double SquaredDistance(ReadOnlySpan<double> centred, ReadOnlySpan<double> inverseCholesky, out int largestTerm)
    {
        var k = centred.Length;
        double distance = 0, largest = -1;
        largestTerm = 0;
        for (var i = 0; i < k; i++)
        {
            double z = 0;
            for (var j = 0; j <= i; j++) z += inverseCholesky[i * k + j] * centred[j];
            distance += z * z;
            if (z * z > largest) (largest, largestTerm) = (z * z, i);
        }
        return distance;
    }
}
