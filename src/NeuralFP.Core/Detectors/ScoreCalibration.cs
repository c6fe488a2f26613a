using NeuralFP.Core.Detectors.State;

namespace NeuralFP.Core.Detectors;

/// <summary>
/// A detector's score distribution on held-out in-distribution records: the threshold at its
/// (1 − target FPR) quantile, the FPR that threshold realises on those records, and conformal
/// empirical p-values (1 + #{held-out ≥ s})/(n + 1). Works for any score, combined ones included.
/// </summary>
public sealed class ScoreCalibration
{
    private readonly double[] _sorted;

    private ScoreCalibration(double[] sorted, double targetFpr)
    {
        _sorted = sorted;
        TargetFpr = targetFpr;
        // At most ⌊α·n⌋ held-out scores may lie above the threshold; ties can only lower the realised rate.
        var allowed = (int)Math.Floor(targetFpr * sorted.Length + 1e-9);
        Threshold = sorted[Math.Max(0, sorted.Length - allowed - 1)];
        RealisedFpr = (double)(sorted.Length - UpperBound(sorted, Threshold)) / sorted.Length;
    }

    /// <param name="heldOutScores">Scores of in-distribution records the detector was not fitted on.</param>
    /// <param name="targetFpr">Share of in-distribution records allowed to be called OOD, in (0, 1).</param>
    public static ScoreCalibration Fit(ReadOnlySpan<double> heldOutScores, double targetFpr = 0.05)
    {
        if (!(targetFpr > 0 && targetFpr < 1))
            throw new ArgumentOutOfRangeException(nameof(targetFpr), targetFpr, "The target false-positive rate must be strictly between 0 and 1 (e.g. 0.05).");
        if (heldOutScores.IsEmpty)
            throw new ArgumentException("Calibration needs held-out in-distribution scores; got none.", nameof(heldOutScores));
        var sorted = heldOutScores.ToArray();
        foreach (var s in sorted)
            if (double.IsNaN(s)) throw new ArgumentException("A held-out score is NaN; the detector's inputs contain NaN or it is not fitted properly.", nameof(heldOutScores));
        Array.Sort(sorted);
        return new ScoreCalibration(sorted, targetFpr);
    }

    public static ScoreCalibration Load(ScoreCalibrationState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        DetectorState.Require(state.SortedScores.Length > 0 && state.TargetFpr > 0 && state.TargetFpr < 1, "calibration", "no held-out scores or a target FPR outside (0, 1)");
        for (var i = 1; i < state.SortedScores.Length; i++)
            DetectorState.Require(state.SortedScores[i - 1] <= state.SortedScores[i], "calibration", "held-out scores are not sorted");
        return new ScoreCalibration(state.SortedScores, state.TargetFpr);
    }

    public double TargetFpr { get; }

    /// <summary>Scores strictly above this are OOD.</summary>
    public double Threshold { get; }

    /// <summary>Share of the held-out records scoring above <see cref="Threshold"/> (≤ the target).</summary>
    public double RealisedFpr { get; }

    public int SampleSize => _sorted.Length;

    /// <summary>
    /// Where the rate on new in-distribution records lies (<see cref="Metrics.FprInterval"/>): the held-out sample's own
    /// uncertainty, which only more held-out records narrow.
    /// </summary>
    public Metrics.FprInterval NewDataFprInterval(double coverage = Metrics.FprInterval.DefaultCoverage)
        => Metrics.FprInterval.Of(_sorted.Length, (int)Math.Round(RealisedFpr * _sorted.Length), coverage);

    public long StateBytes => sizeof(double) * (long)_sorted.Length;

    public bool IsOod(double score) => score > Threshold;

    /// <summary>Conformal upper-tail p-value of a score against the held-out scores; never 0.</summary>
    public double PValue(double score)
    {
        if (double.IsNaN(score)) return 1.0 / (_sorted.Length + 1);
        var atLeast = _sorted.Length - LowerBound(_sorted, score);
        return (1.0 + atLeast) / (_sorted.Length + 1);
    }

    public ScoreCalibrationState Save() => new() { TargetFpr = TargetFpr, SortedScores = _sorted };

    /// <summary>First index whose value is ≥ v.</summary>
    private static int LowerBound(double[] a, double v)
    {
        int lo = 0, hi = a.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (a[mid] < v) lo = mid + 1; else hi = mid;
        }
        return lo;
    }

    /// <summary>First index whose value is &gt; v.</summary>
    private static int UpperBound(double[] a, double v)
    {
        int lo = 0, hi = a.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (a[mid] <= v) lo = mid + 1; else hi = mid;
        }
        return lo;
    }
}
