namespace NeuralFP.Functions.Reports;

/// <summary>Maps data values in [Min, Max] to pixels in [From, To] and picks round tick values.</summary>
public readonly record struct LinearAxis(double Min, double Max, double From, double To) : IPlotAxis
{
    public bool IsLogarithmic => false;

    public double Map(double value) => From + (value - Min) / (Max - Min) * (To - From);

    /// <summary>Ticks at a 1, 2 or 5 × 10ⁿ step giving about <paramref name="target"/> ticks inside [Min, Max].</summary>
    public IReadOnlyList<double> Ticks(int target = 5)
    {
        double span = Max - Min;
        double raw = span / Math.Max(1, target);
        double magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double step = (raw / magnitude) switch
        {
            <= 1 => 1,
            <= 2 => 2,
            <= 5 => 5,
            _ => 10,
        } * magnitude;

        var ticks = new List<double>();
        // Small epsilon so a tick that lands on Max by rounding is kept.
        for (double t = Math.Ceiling(Min / step) * step; t <= Max + step * 1e-9; t += step)
        {
            ticks.Add(Math.Abs(t) < step * 1e-9 ? 0 : t);
        }

        return ticks;
    }

    /// <summary>Equal-width bin edges.</summary>
    public double[] BinEdges(int bins)
    {
        var edges = new double[bins + 1];
        for (int i = 0; i <= bins; i++) edges[i] = Min + (Max - Min) * i / bins;
        return edges;
    }
}

/// <summary>Maps positive data values in [Min, Max] to pixels in [From, To] on a log₁₀ scale, for layers whose errors span decades.</summary>
public readonly record struct LogAxis(double Min, double Max, double From, double To) : IPlotAxis
{
    public bool IsLogarithmic => true;

    public double Map(double value) =>
        From + (Math.Log10(Math.Max(value, Min * 1e-3)) - Math.Log10(Min)) / (Math.Log10(Max) - Math.Log10(Min)) * (To - From);

    /// <summary>Ticks at 10ⁿ, with 2·10ⁿ and 5·10ⁿ added when the axis spans few decades.</summary>
    public IReadOnlyList<double> Ticks(int target = 5)
    {
        int first = (int)Math.Floor(Math.Log10(Min)), last = (int)Math.Ceiling(Math.Log10(Max));
        double[] mantissas = last - first <= 2 ? [1, 2, 5] : [1];
        var ticks = new List<double>();
        int stride = Math.Max(1, (last - first + target - 1) / Math.Max(1, target));
        for (int e = first; e <= last; e += mantissas.Length > 1 ? 1 : stride)
        {
            foreach (double m in mantissas)
            {
                double t = m * Math.Pow(10, e);
                if (t >= Min * (1 - 1e-9) && t <= Max * (1 + 1e-9)) ticks.Add(t);
            }
        }

        return ticks;
    }

    /// <summary>Bin edges equally spaced in log₁₀.</summary>
    public double[] BinEdges(int bins)
    {
        double lo = Math.Log10(Min), hi = Math.Log10(Max);
        var edges = new double[bins + 1];
        for (int i = 0; i <= bins; i++) edges[i] = Math.Pow(10, lo + (hi - lo) * i / bins);
        edges[0] = Min;
        edges[bins] = Max;
        return edges;
    }
}

/// <summary>A data-to-pixel axis of a plot.</summary>
public interface IPlotAxis
{
    double Min { get; }

    double Max { get; }

    bool IsLogarithmic { get; }

    double Map(double value);

    IReadOnlyList<double> Ticks(int target = 5);

    double[] BinEdges(int bins);
}
