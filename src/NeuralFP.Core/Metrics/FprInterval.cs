using NeuralFP.Core.Monitoring;

namespace NeuralFP.Core.Metrics;

/// <summary>
/// Where a calibrated threshold's false-positive rate on new in-distribution records lies, given how many held-out records
/// calibrated it. A threshold with k of n exchangeable held-out scores above it leaves a new record above it with a
/// probability distributed as Beta(k + 1, n − k) (the order-statistic result behind split conformal prediction; Vovk 2012,
/// "Conditional validity of inductive conformal predictors"), so a small calibration set gives a wide interval however the
/// threshold is chosen. Its CDF at x is P[Binomial(n, x) ≥ k + 1], which <see cref="BinomialTail"/> computes exactly.
/// </summary>
/// <param name="Low">Lower end of the interval (0-1).</param>
/// <param name="High">Upper end of the interval (0-1).</param>
/// <param name="Coverage">Probability the rate lies in [Low, High] (central interval).</param>
/// <param name="CalibrationRecords">The n the interval follows from.</param>
public sealed record FprInterval(double Low, double High, double Coverage, int CalibrationRecords)
{
    public const double DefaultCoverage = 0.9;

    /// <param name="calibrationRecords">n: held-out records the threshold was set on.</param>
    /// <param name="exceedances">k: how many of them score above the threshold.</param>
    /// <param name="coverage">Probability of the central interval, in (0, 1).</param>
    public static FprInterval Of(int calibrationRecords, int exceedances, double coverage = DefaultCoverage)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(calibrationRecords, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(exceedances);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(exceedances, calibrationRecords);
        if (!(coverage > 0 && coverage < 1))
            throw new ArgumentOutOfRangeException(nameof(coverage), coverage, "The coverage must be strictly between 0 and 1 (e.g. 0.9).");
        var tail = (1 - coverage) / 2;
        return new FprInterval(Quantile(calibrationRecords, exceedances, tail), Quantile(calibrationRecords, exceedances, 1 - tail), coverage, calibrationRecords);
    }

    /// <summary>
    /// Held-out records a threshold at <paramref name="targetFpr"/> needs for this interval's coverage to span at most
    /// ± <paramref name="halfWidth"/> around the target (normal approximation of the Beta, which is close at these sizes).
    /// </summary>
    public static int RecordsFor(double targetFpr, double halfWidth, double coverage = DefaultCoverage)
    {
        var z = NormalQuantile(1 - (1 - coverage) / 2);
        return (int)Math.Ceiling(z * z * targetFpr * (1 - targetFpr) / (halfWidth * halfWidth));
    }

    /// <summary>The p-quantile of Beta(k + 1, n − k): the x with P[Binomial(n, x) ≥ k + 1] = p, by bisection (monotone in x).</summary>
    private static double Quantile(int n, int k, double p)
    {
        double lo = 0, hi = 1;
        for (var i = 0; i < 100 && hi - lo > 1e-12; i++)
        {
            var mid = 0.5 * (lo + hi);
            if (BinomialTail.UpperTail(k + 1, n, mid) < p) lo = mid; else hi = mid;
        }
        return 0.5 * (lo + hi);
    }

    /// <summary>Φ⁻¹(p) by bisection on Φ.</summary>
    internal static double NormalQuantile(double p)
    {
        double lo = -10, hi = 10;
        for (var i = 0; i < 200 && hi - lo > 1e-10; i++)
        {
            var mid = 0.5 * (lo + hi);
            if (NormalCdf(mid) < p) lo = mid; else hi = mid;
        }
        return 0.5 * (lo + hi);
    }

    // Abramowitz & Stegun 26.2.17: |error| < 7.5e-8, ample for a record count.
    private static double NormalCdf(double x)
    {
        var t = 1 / (1 + 0.2316419 * Math.Abs(x));
        var poly = t * (0.319381530 + t * (-0.356563782 + t * (1.781477937 + t * (-1.821255978 + t * 1.330274429))));
        var upper = Math.Exp(-0.5 * x * x) / Math.Sqrt(2 * Math.PI) * poly;
        return x >= 0 ? 1 - upper : upper;
    }
}
