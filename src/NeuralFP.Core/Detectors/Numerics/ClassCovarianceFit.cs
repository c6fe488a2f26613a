namespace NeuralFP.Core.Detectors.Numerics;

/// <summary>
/// Regularised quadratic discriminant densities over rows of statistics: per class the shrunk class mean of
/// <see cref="GaussianFit.FitPerClass"/> and a covariance of its own, shrunk towards the pooled within-class covariance
/// with ν pseudo-records, Σ_c = (S_c + ν·Σ_w) / (n_c + ν) (S_c the class's scatter about its mean; the conjugate
/// inverse-Wishart prior centred on Σ_w). ν = ∞ is the pooled covariance of <see cref="GaussianFit.FitPerClass"/>.
/// ν is chosen by the held-out log-likelihood of the fitted records themselves (k-fold, in-distribution only).
/// A record's score is its negative log density up to constants: D²_c + ln det Σ_c.
/// </summary>
internal static class ClassCovarianceFit
{
    /// <summary>Pseudo-records of the pooled covariance in a class's covariance, the candidates of <see cref="ChoosePrior"/>.</summary>
    public static IReadOnlyList<double> PriorGrid { get; } = [4, 16, 64, 256, 1024, 4096, double.PositiveInfinity];

    /// <summary>Folds of the held-out likelihood that chooses ν.</summary>
    public const int PriorFolds = 5;

    /// <param name="Overall">The mean of all rows (a record of a class the fit never saw is measured from it).</param>
    /// <param name="ClassMeans">Per class the mean, shrunk towards <paramref name="Overall"/> (<see cref="GaussianFit.ClassMeanPrior"/>).</param>
    /// <param name="PooledInverse">Inverse Cholesky factor of the pooled within-class covariance (for an unseen class).</param>
    /// <param name="ClassInverse">Per class the inverse Cholesky factor of its shrunk covariance.</param>
    public sealed record Result(double[] Overall, double[][] ClassMeans, double[] PooledInverse, double[][] ClassInverse);

    /// <param name="rows">Row-major [n, k] values (not changed).</param>
    /// <param name="classes">Per row its class (≥ 0).</param>
    /// <param name="prior">ν, pseudo-records of the pooled covariance (∞: the pooled covariance for every class).</param>
    public static Result Fit(ReadOnlySpan<double> rows, int n, int k, ReadOnlySpan<int> classes, double prior)
    {
        var (overall, classMeans, pooledInverse) = GaussianFit.FitPerClass(rows, n, k, classes);
        var count = classMeans.Length;
        // The pooled within-class covariance as FitPerClass measures it (rows about their class means, centred, / (n − 1)),
        // and each class's scatter about its own mean.
        var withinMean = new double[k];
        for (var r = 0; r < n; r++) for (var i = 0; i < k; i++) withinMean[i] += (rows[r * k + i] - classMeans[classes[r]][i]) / n;
        var pooled = new double[k * k];
        var scatter = new double[count * k * k];
        var members = new int[count];
        var a = new double[k];
        var w = new double[k];
        for (var r = 0; r < n; r++)
        {
            var c = classes[r];
            members[c]++;
            for (var i = 0; i < k; i++)
            {
                a[i] = rows[r * k + i] - classMeans[c][i];
                w[i] = a[i] - withinMean[i];
            }
            var offset = c * k * k;
            for (var i = 0; i < k; i++)
                for (var j = 0; j <= i; j++)
                {
                    pooled[i * k + j] += w[i] * w[j];
                    scatter[offset + i * k + j] += a[i] * a[j];
                }
        }
        for (var i = 0; i < k; i++)
            for (var j = 0; j <= i; j++)
            {
                pooled[i * k + j] /= Math.Max(1, n - 1);
                pooled[j * k + i] = pooled[i * k + j];
            }
        var classInverse = new double[count][];
        var covariance = new double[k * k];
        for (var c = 0; c < count; c++)
        {
            if (double.IsPositiveInfinity(prior) || members[c] == 0)
            {
                classInverse[c] = GaussianFit.InverseCholeskyOf(pooled, k);
                continue;
            }
            var offset = c * k * k;
            for (var i = 0; i < k; i++)
                for (var j = 0; j <= i; j++)
                {
                    var v = (scatter[offset + i * k + j] + prior * pooled[i * k + j]) / (members[c] + prior);
                    covariance[i * k + j] = v;
                    covariance[j * k + i] = v;
                }
            classInverse[c] = GaussianFit.InverseCholeskyOf(covariance, k);
        }
        return new Result(overall, classMeans, pooledInverse, classInverse);
    }

    /// <summary>
    /// ν of <see cref="PriorGrid"/> with the highest mean held-out log-likelihood over <see cref="PriorFolds"/> folds of
    /// the rows (row r in fold r mod folds; each fold scored by a fit on the others); the larger ν on a tie. Below 20
    /// rows a fold, the pooled covariance (∞).
    /// </summary>
    public static double ChoosePrior(ReadOnlySpan<double> rows, int n, int k, ReadOnlySpan<int> classes)
    {
        if (n < 20 * PriorFolds) return double.PositiveInfinity;
        var likelihood = new double[PriorGrid.Count];
        var centred = new double[k];
        for (var fold = 0; fold < PriorFolds; fold++)
        {
            var others = new List<int>(n);
            for (var r = 0; r < n; r++) if (r % PriorFolds != fold) others.Add(r);
            var train = new double[others.Count * k];
            var trainClasses = new int[others.Count];
            for (var t = 0; t < others.Count; t++)
            {
                rows.Slice(others[t] * k, k).CopyTo(train.AsSpan(t * k, k));
                trainClasses[t] = classes[others[t]];
            }
            for (var p = 0; p < PriorGrid.Count; p++)
            {
                var fit = Fit(train, others.Count, k, trainClasses, PriorGrid[p]);
                var logDet = fit.ClassInverse.Select(inverse => GaussianFit.LogDeterminant(inverse, k)).ToArray();
                var pooledLogDet = GaussianFit.LogDeterminant(fit.PooledInverse, k);
                for (var r = fold; r < n; r += PriorFolds)
                    likelihood[p] -= 0.5 * Score(rows.Slice(r * k, k), classes[r], fit, logDet, pooledLogDet, centred);
            }
        }
        var best = 0;
        for (var p = 1; p < PriorGrid.Count; p++) if (likelihood[p] >= likelihood[best]) best = p;
        return PriorGrid[best];
    }

    /// <summary>D²_c + ln det Σ_c of one row (a class the fit never saw: the overall mean and the pooled covariance).</summary>
    private static double Score(ReadOnlySpan<double> row, int c, Result fit, double[] logDet, double pooledLogDet, double[] centred)
    {
        var known = (uint)c < (uint)fit.ClassMeans.Length;
        var mean = known ? fit.ClassMeans[c] : fit.Overall;
        for (var i = 0; i < row.Length; i++) centred[i] = row[i] - mean[i];
        return known
            ? GaussianFit.SquaredDistance(centred, fit.ClassInverse[c]) + logDet[c]
            : GaussianFit.SquaredDistance(centred, fit.PooledInverse) + pooledLogDet;
    }
}
