using NeuralFP.Core.Verdicts;
using System.Text;
using static NeuralFP.Functions.Reports.ReportFormat;

namespace NeuralFP.Functions.Reports;

/// <summary>
/// Inline SVG for one layer: the histogram of held-out reconstruction errors, τ and μ as dashed
/// lines, and a posted batch's errors as a rug of marks under the axis (red outside [μ, τ]).
/// The axis shows the bulk: logarithmic when the errors span decades, otherwise linear and clipped a
/// little past τ; records beyond it go in an overflow band on the right, placed by how many decades out they are.
/// </summary>
internal static class LayerPlot
{
    public const int Width = 640;
    public const int Height = 272;
    private const int BinCount = 48;
    private const double Left = 58;
    private const double Right = Width - 18;
    private const double OverflowWidth = 78;
    private const double Top = 28;
    private const double Bottom = Height - 84;
    private const double RugY = Bottom + 50;

    // The bulk: from the 0.1% to the 99.5% held-out quantile, widened to take in τ and μ.
    private const double BulkLow = 0.001;
    private const double BulkHigh = 0.995;

    /// <summary>A log axis when the bulk spans more than this ratio (two decades): a linear one would crowd it into one bar.</summary>
    public const double LogRatio = 100;

    private const double Padding = 0.08;

    /// <summary>The axis the layer is drawn on (data range only; pixels are placed by <see cref="Write"/>).</summary>
    public static IPlotAxis ChooseAxis(LayerReport layer, double from = Left, double to = Right)
    {
        double low = layer.Quantile(BulkLow);
        if (layer.HasLower) low = Math.Min(low, layer.Lower);
        double high = Math.Max(layer.Upper, layer.Quantile(BulkHigh));
        if (low > 0 && high / low > LogRatio)
        {
            return new LogAxis(low / 1.5, high * 1.5, from, to);
        }

        double min = Math.Min(layer.Quantiles[0], layer.HasLower ? layer.Lower : double.PositiveInfinity);
        double pad = (high - min) * Padding;
        if (pad <= 0)
        {
            pad = Math.Max(Math.Abs(high) * Padding, 1e-12);
        }

        // Errors are non-negative: pad the left edge without crossing 0.
        min = min >= 0 ? Math.Max(0, min - pad * 0.25) : min - pad * 0.25;
        return new LinearAxis(min, high + pad, from, to);
    }

    public static void Write(StringBuilder html, LayerReport layer, int index)
    {
        var distribution = layer.Distribution;
        var axisRange = ChooseAxis(layer);
        double beyond = 1.0 - distribution.Cdf(axisRange.Max);
        double heldOutMax = layer.Quantiles[^1];
        double batchMax = layer.BatchErrors is { Length: > 0 } errors ? errors.Max() : double.NegativeInfinity;
        bool overflow = batchMax > axisRange.Max || beyond > 0.0005;
        double plotRight = overflow ? Right - OverflowWidth : Right;
        IPlotAxis x = axisRange.IsLogarithmic
            ? new LogAxis(axisRange.Min, axisRange.Max, Left, plotRight)
            : new LinearAxis(axisRange.Min, axisRange.Max, Left, plotRight);

        var bins = distribution.Histogram(x.BinEdges(BinCount));
        double tallest = bins.Max(b => b.Mass);
        if (tallest <= 0)
        {
            tallest = 1;
        }

        var y = new LinearAxis(0, tallest * 1.1, Bottom, Top);
        string name = Encode(layer.Name);

        html.Append("<svg class=\"layer-plot\" id=\"layer-plot-").Append(index)
            .Append("\" data-layer=\"").Append(name)
            .Append("\" data-axis=\"").Append(x.IsLogarithmic ? "log" : "linear")
            .Append("\" data-axis-max=\"").Append(Number(x.Max))
            .Append("\" viewBox=\"0 0 ").Append(Width).Append(' ').Append(Height)
            .Append("\" preserveAspectRatio=\"xMidYMid meet\" role=\"img\" aria-label=\"Held-out reconstruction errors of layer ").Append(name).Append("\">");
        html.Append("<title>Held-out reconstruction errors of layer ").Append(name).Append("</title>");

        WriteBars(html, bins, x, y);
        WriteAxes(html, x, y, plotRight);
        WriteThresholds(html, layer, x);
        // Overflow: an extra band past the axis end where values are placed by decades beyond the axis.
        var band = overflow ? new OverflowBand(x.Max, Math.Max(batchMax, heldOutMax), plotRight + 10, Right - 4) : (OverflowBand?)null;
        if (band is { } b)
        {
            WriteOverflowBand(html, b, beyond, heldOutMax);
        }

        if (layer.BatchErrors is { } batch)
        {
            WriteBatch(html, layer, batch, x, band);
        }

        html.Append("</svg>");
    }

    private static void WriteBars(StringBuilder html, HistogramBin[] bins, IPlotAxis x, LinearAxis y)
    {
        html.Append("<g class=\"bars\">");
        foreach (var bin in bins)
        {
            if (bin.Mass <= 0)
            {
                continue;
            }

            double left = x.Map(bin.Start);
            double right = x.Map(bin.End);
            double top = y.Map(bin.Mass);
            html.Append("<rect x=\"").Append(Pixel(left)).Append("\" y=\"").Append(Pixel(top))
                .Append("\" width=\"").Append(Pixel(Math.Max(0.5, right - left - 1))).Append("\" height=\"").Append(Pixel(Bottom - top))
                .Append("\"><title>").Append(Number(bin.Start)).Append(" – ").Append(Number(bin.End)).Append(": ")
                .Append(Percent(bin.Mass)).Append("</title></rect>");
        }

        html.Append("</g>");
    }

    private static void WriteAxes(StringBuilder html, IPlotAxis x, LinearAxis y, double plotRight)
    {
        html.Append("<g class=\"axis\">");
        html.Append("<line x1=\"").Append(Pixel(Left)).Append("\" y1=\"").Append(Pixel(Bottom))
            .Append("\" x2=\"").Append(Pixel(plotRight)).Append("\" y2=\"").Append(Pixel(Bottom)).Append("\"/>");
        html.Append("<line x1=\"").Append(Pixel(Left)).Append("\" y1=\"").Append(Pixel(Top))
            .Append("\" x2=\"").Append(Pixel(Left)).Append("\" y2=\"").Append(Pixel(Bottom)).Append("\"/>");
        foreach (double tick in x.Ticks())
        {
            double px = x.Map(tick);
            html.Append("<line x1=\"").Append(Pixel(px)).Append("\" y1=\"").Append(Pixel(Bottom))
                .Append("\" x2=\"").Append(Pixel(px)).Append("\" y2=\"").Append(Pixel(Bottom + 4)).Append("\"/>");
            html.Append("<text x=\"").Append(Pixel(px)).Append("\" y=\"").Append(Pixel(Bottom + 16))
                .Append("\" text-anchor=\"middle\">").Append(Number(tick)).Append("</text>");
        }

        foreach (double tick in y.Ticks(4))
        {
            double py = y.Map(tick);
            html.Append("<line x1=\"").Append(Pixel(Left - 4)).Append("\" y1=\"").Append(Pixel(py))
                .Append("\" x2=\"").Append(Pixel(Left)).Append("\" y2=\"").Append(Pixel(py)).Append("\"/>");
            html.Append("<text x=\"").Append(Pixel(Left - 7)).Append("\" y=\"").Append(Pixel(py + 4))
                .Append("\" text-anchor=\"end\">").Append(Percent(tick)).Append("</text>");
        }

        html.Append("<text class=\"axis-title\" x=\"").Append(Pixel((Left + plotRight) / 2)).Append("\" y=\"").Append(Pixel(Bottom + 30))
            .Append("\" text-anchor=\"middle\">reconstruction error").Append(x.IsLogarithmic ? " (log scale)" : string.Empty).Append("</text>");
        html.Append("</g>");
    }

    private static void WriteThresholds(StringBuilder html, LayerReport layer, IPlotAxis x)
    {
        // τ's label sits inside the plot, μ's above it: μ is often near the y axis and its labels.
        WriteThreshold(html, "threshold-upper", "τ", layer.Upper, x, labelY: Top + 4);
        if (layer.HasLower)
        {
            WriteThreshold(html, "threshold-lower", "μ", layer.Lower, x, labelY: Top - 9);
        }
    }

    private static void WriteThreshold(StringBuilder html, string kind, string symbol, double value, IPlotAxis x, double labelY)
    {
        double px = x.Map(Math.Clamp(value, x.Min, x.Max));
        html.Append("<g class=\"threshold ").Append(kind).Append("\" data-value=\"").Append(Number(value)).Append("\">");
        html.Append("<line x1=\"").Append(Pixel(px)).Append("\" y1=\"").Append(Pixel(Top - 6))
            .Append("\" x2=\"").Append(Pixel(px)).Append("\" y2=\"").Append(Pixel(Bottom)).Append("\"/>");
        html.Append("<text x=\"").Append(Pixel(px + 4)).Append("\" y=\"").Append(Pixel(labelY)).Append("\">")
            .Append(symbol).Append(" = ").Append(Number(value)).Append("</text>");
        html.Append("</g>");
    }

    private static void WriteOverflowBand(StringBuilder html, OverflowBand band, double beyond, double heldOutMax)
    {
        html.Append("<g class=\"overflow\" data-beyond=\"").Append(Number(beyond)).Append("\">");
        html.Append("<rect class=\"overflow-band\" x=\"").Append(Pixel(band.From - 4)).Append("\" y=\"").Append(Pixel(Top - 6))
            .Append("\" width=\"").Append(Pixel(band.To - band.From + 8)).Append("\" height=\"").Append(Pixel(RugY + 10 - Top))
            .Append("\"><title>Beyond the axis: placed by how many decades past ").Append(Number(band.AxisMax)).Append(" they are</title></rect>");
        html.Append("<text class=\"note\" x=\"").Append(Pixel((band.From + band.To) / 2)).Append("\" y=\"").Append(Pixel(Top + 4))
            .Append("\" text-anchor=\"middle\">beyond ▸</text>");
        if (beyond > 0.0005)
        {
            // The held-out tail past the axis: a grey span from the axis end to the largest held-out error.
            html.Append("<line class=\"overflow-tail\" x1=\"").Append(Pixel(band.From)).Append("\" y1=\"").Append(Pixel(Bottom - 3))
                .Append("\" x2=\"").Append(Pixel(band.Map(heldOutMax))).Append("\" y2=\"").Append(Pixel(Bottom - 3))
                .Append("\"><title>").Append(Percent(beyond)).Append(" of held-out errors, up to ").Append(Number(heldOutMax)).Append("</title></line>");
            html.Append("<text class=\"note\" x=\"").Append(Pixel((band.From + band.To) / 2)).Append("\" y=\"").Append(Pixel(Bottom - 10))
                .Append("\" text-anchor=\"middle\">").Append(Percent(beyond)).Append("</text>");
        }

        html.Append("<text class=\"note overflow-max\" x=\"").Append(Pixel(band.To)).Append("\" y=\"").Append(Pixel(Bottom + 16))
            .Append("\" text-anchor=\"end\">").Append(Number(band.Largest)).Append("</text>");
        html.Append("</g>");
    }

    private static void WriteBatch(StringBuilder html, LayerReport layer, double[] errors, IPlotAxis x, OverflowBand? band)
    {
        int over = 0, under = 0;
        html.Append("<g class=\"batch\">");
        foreach (double error in errors)
        {
            bool outside = layer.IsOutside(error);
            double px;
            string extra = string.Empty;
            if (error > x.Max && band is { } b)
            {
                over++;
                px = b.Map(error);
                extra = " batch-marker-overflow";
            }
            else if (error < x.Min)
            {
                under++;
                px = x.Map(x.Min);
            }
            else
            {
                px = x.Map(Math.Min(error, x.Max));
            }

            html.Append("<line class=\"batch-marker").Append(outside ? " batch-marker-out" : string.Empty).Append(extra)
                .Append("\" data-error=\"").Append(Number(error))
                .Append("\" x1=\"").Append(Pixel(px)).Append("\" y1=\"").Append(Pixel(RugY - 7))
                .Append("\" x2=\"").Append(Pixel(px)).Append("\" y2=\"").Append(Pixel(RugY + 7)).Append("\"><title>")
                .Append(Number(error)).Append("</title></line>");
        }

        html.Append("<text class=\"note\" x=\"").Append(Pixel(Left - 7)).Append("\" y=\"").Append(Pixel(RugY + 4))
            .Append("\" text-anchor=\"end\">batch</text>");
        var notes = new List<string>();
        if (over > 0) notes.Add($"{over} beyond the axis (▸ band, up to {Number(errors.Max())})");
        if (under > 0) notes.Add($"{under} below it, drawn at its left edge");
        if (notes.Count > 0)
        {
            html.Append("<text class=\"note\" x=\"").Append(Pixel(Left)).Append("\" y=\"").Append(Pixel(RugY + 20))
                .Append("\">").Append(Encode(string.Join("; ", notes))).Append("</text>");
        }

        html.Append("</g>");
    }

    /// <summary>The band right of the axis: a value v &gt; AxisMax sits at log₁₀(v / AxisMax) decades, the largest value at the band's end.</summary>
    private readonly record struct OverflowBand(double AxisMax, double Largest, double From, double To)
    {
        private double Decades => Math.Max(1, Math.Log10(Math.Max(Largest, AxisMax) / AxisMax));

        public double Map(double value) =>
            From + Math.Clamp(Math.Log10(Math.Max(value, AxisMax) / AxisMax) / Decades, 0, 1) * (To - From);
    }
}
