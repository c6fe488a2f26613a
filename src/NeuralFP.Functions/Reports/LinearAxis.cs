namespace NeuralFP.Functions.Reports;

/// <summary>Maps data values in [Min, Max] to pixels in [From, To] and picks round tick values.</summary>
public readonly record struct LinearAxis(double Min, double Max, double From, double To)
{
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
}
