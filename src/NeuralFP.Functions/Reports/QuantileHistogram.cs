namespace NeuralFP.Functions.Reports;

/// <summary>
/// Turns stored quantiles back into a histogram: the quantiles define a piecewise-linear CDF
/// (equal probability between neighbours), and each bin's mass is that CDF's rise across the bin.
/// </summary>
public static class QuantileHistogram
{
    /// <summary>Equal-width bins from <paramref name="start"/> to <paramref name="end"/>.</summary>
    public static HistogramBin[] Build(ReadOnlySpan<double> quantiles, double start, double end, int binCount)
    {
        if (quantiles.Length < 2)
        {
            throw new ArgumentException("At least 2 quantiles are needed to form a distribution.", nameof(quantiles));
        }

        if (!(end > start) || !double.IsFinite(start) || !double.IsFinite(end))
        {
            throw new ArgumentException($"The histogram range [{start}, {end}] must be finite and non-empty.", nameof(end));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(binCount, 1);

        var bins = new HistogramBin[binCount];
        double width = (end - start) / binCount;
        double previous = Cdf(quantiles, start);
        for (int i = 0; i < binCount; i++)
        {
            double binStart = start + i * width;
            double binEnd = i == binCount - 1 ? end : start + (i + 1) * width;
            double cdf = Cdf(quantiles, binEnd);
            bins[i] = new HistogramBin(binStart, binEnd, cdf - previous);
            previous = cdf;
        }

        return bins;
    }

    /// <summary>Share of the distribution at or below <paramref name="x"/>.</summary>
    public static double Cdf(ReadOnlySpan<double> quantiles, double x)
    {
        if (x < quantiles[0])
        {
            return 0.0;
        }

        if (x >= quantiles[^1])
        {
            return 1.0;
        }

        // The last quantile ≤ x; the next one is then strictly above x, so the step is never 0.
        int above = UpperBound(quantiles, x);
        int below = above - 1;
        double fraction = (x - quantiles[below]) / (quantiles[above] - quantiles[below]);
        return (below + fraction) / (quantiles.Length - 1);
    }

    private static int UpperBound(ReadOnlySpan<double> sorted, double x)
    {
        int low = 0;
        int high = sorted.Length;
        while (low < high)
        {
            int middle = (low + high) >>> 1;
            if (sorted[middle] <= x)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return low;
    }
}
