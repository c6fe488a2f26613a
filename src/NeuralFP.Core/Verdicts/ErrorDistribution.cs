using System.Numerics.Tensors;

namespace NeuralFP.Core.Verdicts;

/// <summary>
/// The held-out reconstruction errors of one layer, kept as a fixed grid of quantiles so the
/// fingerprint does not store reference data. Gives an interpolated CDF, quantiles and p-values.
/// </summary>
/// <remarks>
/// The CDF is the piecewise-linear interpolation of the grid: F(q_k) = k/(g−1), 0 below the smallest error, 1 above
/// the largest. P-values treat the grid as standing for <see cref="SampleSize"/> held-out errors and are smoothed
/// the usual way, (count + 1)/(n + 1), so they lie in [1/(n+1), 1] and are never 0.
/// </remarks>
public sealed class ErrorDistribution
{
    public const int DefaultGridSize = 1001;

    private readonly double[] _quantiles;
    private readonly double _upperTailScale;
    private readonly double _lowerTailScale;

    /// <summary>Rebuilds from persisted state.</summary>
    /// <param name="quantiles">Quantile values at evenly spaced levels 0..1, non-decreasing and finite (at least 2).</param>
    /// <param name="sampleSize">How many held-out errors the grid summarises.</param>
    public ErrorDistribution(double[] quantiles, int sampleSize)
    {
        ArgumentNullException.ThrowIfNull(quantiles);
        if (quantiles.Length < 2)
            throw new ArgumentException($"An error distribution needs at least 2 quantiles (levels 0 and 1); got {quantiles.Length}.", nameof(quantiles));
        ArgumentOutOfRangeException.ThrowIfLessThan(sampleSize, 1);
        for (int k = 0; k < quantiles.Length; k++)
        {
            if (!double.IsFinite(quantiles[k]))
                throw new ArgumentException($"Quantile {k} is {quantiles[k]}; quantiles must be finite.", nameof(quantiles));
            if (k > 0 && quantiles[k] < quantiles[k - 1])
                throw new ArgumentException($"Quantiles must be non-decreasing; quantile {k} ({quantiles[k]}) is below quantile {k - 1} ({quantiles[k - 1]}).", nameof(quantiles));
        }

        _quantiles = (double[])quantiles.Clone();
        SampleSize = sampleSize;

        // How far errors move per decade of tail probability (0.1 → 0.01), used to keep scores ordered beyond the
        // largest (or below the smallest) held-out error. Fallbacks keep it positive for degenerate samples, and the
        // floor keeps (float.MaxValue − q)/scale finite.
        double range = Max - Min;
        double floor = Math.Max(1e-9 * Math.Max(Math.Abs(Min), Math.Abs(Max)), 1e-100);
        _upperTailScale = Positive(Quantile(0.99) - Quantile(0.9), range, floor);
        _lowerTailScale = Positive(Quantile(0.1) - Quantile(0.01), range, floor);
    }

    /// <summary>Summarises held-out errors into <paramref name="gridSize"/> quantiles (levels 0..1 evenly spaced, linear interpolation as numpy's default).</summary>
    /// <exception cref="ArgumentException">No errors, a non-finite error, or a grid smaller than 2.</exception>
    public static ErrorDistribution FromSamples(ReadOnlySpan<float> errors, int gridSize = DefaultGridSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(gridSize, 2);
        if (errors.IsEmpty)
            throw new ArgumentException("An error distribution needs at least one held-out error.", nameof(errors));
        if (!TensorPrimitives.IsFiniteAll(errors))
            throw new ArgumentException($"Held-out error {IndexOfNonFinite(errors)} is not finite; reconstruction errors must be finite numbers.", nameof(errors));

        var sorted = new double[errors.Length];
        TensorPrimitives.ConvertChecked(errors, sorted.AsSpan());
        Array.Sort(sorted);

        long n1 = sorted.Length - 1, g1 = gridSize - 1;
        var quantiles = new double[gridSize];
        for (int k = 0; k < gridSize; k++)
        {
            // Position k·(n−1)/(g−1) in exact integer arithmetic, so the ends land exactly on min and max.
            long numerator = k * n1;
            long lo = numerator / g1;
            double fraction = (double)(numerator % g1) / g1;
            double q = fraction == 0 ? sorted[lo] : sorted[lo] + fraction * (sorted[lo + 1] - sorted[lo]);
            quantiles[k] = k > 0 ? Math.Max(q, quantiles[k - 1]) : q;
        }
        return new ErrorDistribution(quantiles, sorted.Length);
    }

    /// <summary>Quantile values at evenly spaced levels 0, 1/(g−1), …, 1 (a copy).</summary>
    public double[] Quantiles => (double[])_quantiles.Clone();

    /// <summary>Number of held-out errors the quantiles summarise.</summary>
    public int SampleSize { get; }

    internal double Min => _quantiles[0];

    internal double Max => _quantiles[^1];

    /// <summary>Interpolated P(E ≤ error): 0 below the smallest held-out error, 1 from the largest on. NaN gives NaN.</summary>
    public double Cdf(double error)
    {
        if (double.IsNaN(error)) return double.NaN;
        double[] q = _quantiles;
        if (error < q[0]) return 0;
        if (error >= q[^1]) return 1;

        // Last k with q[k] ≤ error (right-continuous over runs of equal quantiles); then q[k] ≤ error < q[k+1].
        int lo = 0, hi = q.Length - 1;
        while (hi - lo > 1)
        {
            int mid = (lo + hi) >>> 1;
            if (q[mid] <= error) lo = mid;
            else hi = mid;
        }
        return (lo + (error - q[lo]) / (q[lo + 1] - q[lo])) / (q.Length - 1);
    }

    /// <summary>
    /// Equal-width bins from <paramref name="start"/> to <paramref name="end"/>, each with the share of the distribution
    /// inside it (the interpolated CDF's rise across the bin); mass outside the range is left out.
    /// </summary>
    public HistogramBin[] Histogram(double start, double end, int binCount)
    {
        if (!(end > start) || !double.IsFinite(start) || !double.IsFinite(end))
            throw new ArgumentException($"The histogram range [{start}, {end}] must be finite and non-empty.", nameof(end));
        ArgumentOutOfRangeException.ThrowIfLessThan(binCount, 1);
        var edges = new double[binCount + 1];
        double width = (end - start) / binCount;
        for (int i = 0; i < binCount; i++) edges[i] = start + i * width;
        edges[binCount] = end;
        return Histogram(edges);
    }

    /// <summary>
    /// Bins between consecutive <paramref name="edges"/> (any spacing, e.g. logarithmic for a long-tailed layer), each with
    /// the share of the distribution inside it; mass outside [first, last edge] is left out.
    /// </summary>
    public HistogramBin[] Histogram(IReadOnlyList<double> edges)
    {
        ArgumentNullException.ThrowIfNull(edges);
        if (edges.Count < 2) throw new ArgumentException("A histogram needs at least two bin edges.", nameof(edges));
        for (int i = 0; i < edges.Count; i++)
            if (!double.IsFinite(edges[i]) || (i > 0 && !(edges[i] > edges[i - 1])))
                throw new ArgumentException($"Bin edges must be finite and increasing; edge {i} is {edges[i]}.", nameof(edges));
        var bins = new HistogramBin[edges.Count - 1];
        double previous = Cdf(edges[0]);
        for (int i = 0; i < bins.Length; i++)
        {
            double cdf = Cdf(edges[i + 1]);
            bins[i] = new HistogramBin(edges[i], edges[i + 1], cdf - previous);
            previous = cdf;
        }
        return bins;
    }

    /// <summary>The error at a level in [0, 1], interpolated linearly between grid points.</summary>
    public double Quantile(double level)
    {
        if (!(level >= 0 && level <= 1))
            throw new ArgumentOutOfRangeException(nameof(level), level, "A quantile level must be in [0, 1].");
        double position = level * (_quantiles.Length - 1);
        int lo = (int)position;
        if (lo >= _quantiles.Length - 1) return _quantiles[^1];
        double fraction = position - lo;
        return _quantiles[lo] + fraction * (_quantiles[lo + 1] - _quantiles[lo]);
    }

    /// <summary>
    /// Empirical p-value of an error: upper tail (n·(1−F)+1)/(n+1), or two-sided 2·min of both tails capped at 1.
    /// Always in [1/(n+1), 1]. A NaN error is treated as beyond every held-out error.
    /// </summary>
    public double PValue(double error, bool twoSided)
    {
        double f = double.IsNaN(error) ? 1 : Cdf(error);
        double n = SampleSize;
        double upper = (n * (1 - f) + 1) / (n + 1);
        if (!twoSided) return upper;
        double lower = (n * f + 1) / (n + 1);
        return Math.Min(1, 2 * Math.Min(lower, upper));
    }

    /// <summary>
    /// How many decades of tail probability an error lies beyond the held-out range (0 inside it): the distance past
    /// the largest error (or, two-sided, below the smallest) in units of the 0.9→0.99 (0.1→0.01) quantile spread.
    /// Extends the p-value, which saturates at 1/(n+1), so that errors beyond the range stay ordered.
    /// </summary>
    internal double TailDecades(double error, bool twoSided)
    {
        if (error > Max) return (error - Max) / _upperTailScale;
        if (twoSided && error < Min) return (Min - error) / _lowerTailScale;
        return 0;
    }

    private static double Positive(double preferred, double fallback, double floor) =>
        preferred > floor ? preferred : fallback > floor ? fallback : floor;

    private static int IndexOfNonFinite(ReadOnlySpan<float> values)
    {
        int i = 0;
        while (float.IsFinite(values[i])) i++;
        return i;
    }
}
