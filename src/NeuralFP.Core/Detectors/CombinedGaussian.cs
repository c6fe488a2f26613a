using NeuralFP.Core.Detectors.Numerics;
using NeuralFP.Core.Detectors.State;

namespace NeuralFP.Core.Detectors;

/// <summary>
/// The combined detector's Gaussian rule: one Gaussian density over the fingerprint's per-statistic log values (its
/// layers' errors and latent distances) and the partner detectors' standardised scores, fitted on held-out
/// in-distribution records only; the score is the squared Mahalanobis distance (Lee et al., NeurIPS 2018, applied to the
/// members' statistics). A partner with no evidence on some shift adds one dimension of noise beside the fingerprint's
/// many, rather than one p-value of three as in Fisher's sum; a partner that moves the wrong way still moves away from its mean.
/// With a neighbour bank (the combined detector's neighbours rules) the same vectors are read by the k-NN density of the
/// fingerprint's neighbours integrations instead (<see cref="NeighbourDensity"/>): whitened by the pooled within-class
/// covariance (or the total one without classes), the score is the squared distance to the k-th nearest held-out vector
/// of the record's predicted class.
/// </summary>
public sealed class CombinedGaussian
{
    // Errors are ≥ 0; log(0) is kept finite with this floor (relative to the statistic's median held-out value).
    private const double LogFloorRelative = 1e-6;

    private CombinedGaussian(bool[] statistics, double[] logFloor, double[] partnerMean, double[] partnerScale, double[] mean, double[] inverseCholesky, double[][]? classMeans = null,
        float[]? neighbourBank = null, int[]? neighbourClasses = null, int neighbours = 0)
    {
        ClassMeans = classMeans;
        NeighbourBank = neighbourBank;
        NeighbourClasses = neighbourClasses;
        Neighbours = neighbours;
        if (neighbourBank is not null) _neighbourIndex = new NeighbourIndex(neighbourBank, mean.Length, neighbourClasses);
        Statistics = statistics;
        LogFloor = logFloor;
        PartnerMean = partnerMean;
        PartnerScale = partnerScale;
        Mean = mean;
        InverseCholesky = inverseCholesky;
        Dimension = mean.Length;
    }

    /// <summary>Per fingerprint statistic: does it enter the density.</summary>
    public bool[] Statistics { get; }

    public double[] LogFloor { get; }

    public double[] PartnerMean { get; }

    public double[] PartnerScale { get; }

    public double[] Mean { get; }

    public double[] InverseCholesky { get; }

    /// <summary>Per predicted class, the mean the record is measured from (shared within-class covariance); null = one mean.</summary>
    public double[][]? ClassMeans { get; }

    public int Dimension { get; }

    /// <summary>The k-NN density's whitened held-out vectors, [rows, <see cref="Dimension"/>] row-major; null = the Gaussian.</summary>
    public float[]? NeighbourBank { get; }

    /// <summary>Per banked vector its predicted class (the per-class neighbours rule); null = one bank for every record.</summary>
    public int[]? NeighbourClasses { get; }

    /// <summary>k of the k-NN density (0 for the Gaussian).</summary>
    public int Neighbours { get; }

    private readonly NeighbourIndex? _neighbourIndex;

    public int StatisticCount => Statistics.Length;

    public int Partners => PartnerMean.Length;

    /// <param name="statistics">Held-out records' fingerprint statistics, interleaved [record, statistic].</param>
    /// <param name="statisticCount">Statistics per record.</param>
    /// <param name="partners">Held-out records' partner scores ([partner][record]).</param>
    /// <param name="included">The statistics the fingerprint's own integration reads; null = every statistic that is not (near-)constant.</param>
    /// <param name="classes">Per record its predicted class: one mean per class (shrunk towards the overall mean) and the
    /// within-class covariance; null = one mean.</param>
    /// <param name="neighbours">0: the Gaussian; k ≥ 1: the k-NN density over the same vectors (per predicted class when
    /// <paramref name="classes"/> are given), whitened by the within-class (or total) covariance.</param>
    public static CombinedGaussian Fit(ReadOnlySpan<float> statistics, int statisticCount, IReadOnlyList<double[]> partners, bool[]? included = null, int[]? classes = null, int neighbours = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(neighbours);
        ArgumentNullException.ThrowIfNull(partners);
        if (statisticCount < 1 || statistics.Length % statisticCount != 0)
            throw new ArgumentException($"The fingerprint statistics ({statistics.Length} values) are not whole records of {statisticCount}.", nameof(statistics));
        var n = statistics.Length / statisticCount;
        if (n < 2) throw new ArgumentException("The combined Gaussian needs at least two held-out records.", nameof(statistics));
        if (partners.Any(p => p.Length != n)) throw new ArgumentException($"Every partner needs one score per held-out record ({n}).", nameof(partners));
        if (included is not null && included.Length != statisticCount) throw new ArgumentException($"Give one inclusion flag per statistic ({statisticCount}).", nameof(included));

        var floor = new double[statisticCount];
        var keep = new bool[statisticCount];
        var column = new double[n];
        for (var s = 0; s < statisticCount; s++)
        {
            for (var r = 0; r < n; r++) column[r] = Clamp(statistics[r * statisticCount + s]);
            Array.Sort(column);
            floor[s] = Math.Max(LogFloorRelative * Math.Abs(column[n / 2]), 1e-30);
            double lo = column[(int)(0.01 * (n - 1))], hi = column[(int)Math.Ceiling(0.99 * (n - 1))];
            keep[s] = included?[s] ?? hi - lo > 1e-6 * Math.Max(Math.Abs(column[n / 2]), 1e-30);
        }
        var partnerMean = new double[partners.Count];
        var partnerScale = new double[partners.Count];
        for (var p = 0; p < partners.Count; p++)
        {
            double mean = 0, square = 0;
            foreach (var v in partners[p]) mean += Finite(v);
            mean /= n;
            foreach (var v in partners[p]) square += (Finite(v) - mean) * (Finite(v) - mean);
            var sd = Math.Sqrt(square / Math.Max(1, n - 1));
            partnerMean[p] = mean;
            partnerScale[p] = sd > 1e-12 ? sd : 1.0;
        }
        var draft = new CombinedGaussian(keep, floor, partnerMean, partnerScale, new double[keep.Count(k => k) + partners.Count], []);
        if (draft.Dimension == 0) throw new ArgumentException("The combined Gaussian has no statistic to read.");
        var rows = draft.Rows(statistics, partners, n);
        if (classes is not null && classes.Length != n) throw new ArgumentException($"Give one predicted class per held-out record ({n}).", nameof(classes));
        if (neighbours > 0)
        {
            var fit = NeighbourDensity.Fit(rows, n, draft.Dimension, classes);
            return new CombinedGaussian(keep, floor, partnerMean, partnerScale, fit.Mean, fit.InverseCholesky, null, fit.Bank, fit.BankClasses, neighbours);
        }
        if (classes is null)
        {
            var (m, inverse) = GaussianFit.Fit(rows, n, draft.Dimension, diagonal: false);
            return new CombinedGaussian(keep, floor, partnerMean, partnerScale, m, inverse);
        }
        var (overall, classMeans, withinInverse) = GaussianFit.FitPerClass(rows, n, draft.Dimension, classes);
        return new CombinedGaussian(keep, floor, partnerMean, partnerScale, overall, withinInverse, classMeans);
    }

    /// <summary>
    /// Scores of the fit records as new records would get them: each scored by a fit without its fold (scored by the fit
    /// that saw it, a record looks more typical than a new one, and a threshold set on them would let through too many).
    /// </summary>
    public static double[] CrossFittedScores(ReadOnlySpan<float> statistics, int statisticCount, IReadOnlyList<double[]> partners, bool[]? included = null, int[]? classes = null, int neighbours = 0)
    {
        var n = statistics.Length / statisticCount;
        var scores = new double[n];
        var folds = GaussianFit.CrossFitFolds(n);
        if (folds == 0)
        {
            var fit = Fit(statistics, statisticCount, partners, included, classes, neighbours);
            for (var r = 0; r < n; r++) scores[r] = fit.Score(statistics.Slice(r * statisticCount, statisticCount), Column(partners, r), classes?[r] ?? -1);
            return scores;
        }
        for (var fold = 0; fold < folds; fold++)
        {
            var others = Enumerable.Range(0, n).Where(r => r % folds != fold).ToArray();
            var otherStatistics = new float[others.Length * statisticCount];
            for (var i = 0; i < others.Length; i++) statistics.Slice(others[i] * statisticCount, statisticCount).CopyTo(otherStatistics.AsSpan(i * statisticCount));
            var otherPartners = partners.Select(p => others.Select(r => p[r]).ToArray()).ToArray();
            var fit = Fit(otherStatistics, statisticCount, otherPartners, included, classes is null ? null : [.. others.Select(r => classes[r])], neighbours);
            for (var r = fold; r < n; r += folds) scores[r] = fit.Score(statistics.Slice(r * statisticCount, statisticCount), Column(partners, r), classes?[r] ?? -1);
        }
        return scores;
    }

    /// <summary>Squared Mahalanobis distance of one record, or with a neighbour bank the squared whitened distance to its
    /// k-th nearest held-out vector (higher = more OOD). Allocation-free.</summary>
    /// <param name="predictedClass">The model's class for the record (read when the density has class means or a per-class
    /// bank; a class the held-out records never had is measured from the overall mean, or against every banked vector, as
    /// is a class with fewer than k banked vectors).</param>
    public double Score(ReadOnlySpan<float> recordStatistics, ReadOnlySpan<double> partnerScores, int predictedClass = -1)
    {
        if (recordStatistics.Length != StatisticCount || partnerScores.Length != Partners)
            throw new ArgumentException($"The combined Gaussian reads {StatisticCount} fingerprint statistics and {Partners} partner scores per record.");
        Span<double> centred = Dimension <= 256 ? stackalloc double[Dimension] : new double[Dimension];
        Vector(recordStatistics, partnerScores, centred);
        if (NeighbourBank is not null)
        {
            Span<double> z = Dimension <= 256 ? stackalloc double[Dimension] : new double[Dimension];
            NeighbourDensity.Whiten(centred, Mean, InverseCholesky, z);
            return _neighbourIndex!.KthDistance(z, predictedClass, Neighbours);
        }
        var mean = GaussianFit.MeanFor(ClassMeans, Mean, predictedClass);
        for (var i = 0; i < Dimension; i++) centred[i] -= mean[i];
        return GaussianFit.SquaredDistance(centred, InverseCholesky);
    }

    public CombinedGaussianState Save() => new()
    {
        Statistics = Statistics, LogFloor = LogFloor, PartnerMean = PartnerMean, PartnerScale = PartnerScale, Mean = Mean, InverseCholesky = InverseCholesky, ClassMeans = ClassMeans,
        NeighbourBank = NeighbourBank, NeighbourClasses = NeighbourClasses, Neighbours = NeighbourBank is null ? null : Neighbours,
    };

    internal static CombinedGaussian Load(CombinedGaussianState state, int partners)
    {
        var k = state.Statistics.Count(s => s) + state.PartnerMean.Length;
        DetectorState.Require(state.LogFloor.Length == state.Statistics.Length && state.PartnerMean.Length == partners && state.PartnerScale.Length == partners
            && state.Mean.Length == k && state.InverseCholesky.Length == k * k && (state.ClassMeans?.All(m => m.Length == k) ?? true), DetectorNames.Combined, "the Gaussian rule's sizes do not match");
        DetectorState.Require(state.NeighbourBank is null
            ? state.NeighbourClasses is null && state.Neighbours is null
            : state.Neighbours >= 1 && state.NeighbourBank.Length > 0 && state.NeighbourBank.Length % k == 0 && state.ClassMeans is null
              && (state.NeighbourClasses is null || (state.NeighbourClasses.Length * k == state.NeighbourBank.Length && state.NeighbourClasses.All(c => c >= 0))),
            DetectorNames.Combined, "the neighbours rule's bank, its classes or k do not match");
        return new CombinedGaussian(state.Statistics, state.LogFloor, state.PartnerMean, state.PartnerScale, state.Mean, state.InverseCholesky, state.ClassMeans,
            state.NeighbourBank, state.NeighbourClasses, state.Neighbours ?? 0);
    }

    private void Vector(ReadOnlySpan<float> statistics, ReadOnlySpan<double> partners, Span<double> vector)
    {
        var i = 0;
        for (var s = 0; s < Statistics.Length; s++)
            if (Statistics[s]) vector[i++] = Math.Log(Math.Max(Clamp(statistics[s]), LogFloor[s]));
        for (var p = 0; p < partners.Length; p++) vector[i++] = (Finite(partners[p]) - PartnerMean[p]) / PartnerScale[p];
    }

    private double[] Rows(ReadOnlySpan<float> statistics, IReadOnlyList<double[]> partners, int n)
    {
        var rows = new double[n * Dimension];
        for (var r = 0; r < n; r++)
            Vector(statistics.Slice(r * StatisticCount, StatisticCount), Column(partners, r), rows.AsSpan(r * Dimension, Dimension));
        return rows;
    }

    private static double[] Column(IReadOnlyList<double[]> partners, int record)
    {
        var column = new double[partners.Count];
        for (var p = 0; p < column.Length; p++) column[p] = partners[p][record];
        return column;
    }

    private static double Clamp(float value) => float.IsNaN(value) ? float.MaxValue : Math.Clamp(value, float.MinValue, float.MaxValue);

    private static double Finite(double value) => double.IsNaN(value) ? double.MaxValue / 4 : Math.Clamp(value, -double.MaxValue / 4, double.MaxValue / 4);
}
