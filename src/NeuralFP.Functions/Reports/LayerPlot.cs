using NeuralFP.Core.Verdicts;
using System.Text;
using static NeuralFP.Functions.Reports.ReportFormat;

namespace NeuralFP.Functions.Reports;

/// <summary>
/// Inline SVG for one layer: the histogram of held-out reconstruction errors, τ and μ as dashed
/// lines, and a posted batch's errors as a rug of marks under the axis (red outside [μ, τ]).
/// </summary>
internal static class LayerPlot
{
    public const int Width = 640;
    public const int Height = 250;
    private const int BinCount = 48;
    private const double Left = 58;
    private const double Right = Width - 18;
    private const double Top = 28;
    private const double Bottom = Height - 62;
    private const double RugY = Bottom + 36;

    // Reconstruction errors are right-skewed: the axis stops a little past τ or the 99.9th
    // percentile, whichever is further, so the bulk stays readable; anything beyond is counted.
    private const double TailLevel = 0.999;
    private const double RightPadding = 0.08;

    public static void Write(StringBuilder html, LayerReport layer, int index)
    {
        double min = Math.Min(layer.Quantiles[0], layer.HasLower ? layer.Lower : double.PositiveInfinity);
        double max = Math.Max(layer.Upper, layer.Quantile(TailLevel));
        double pad = (max - min) * RightPadding;
        if (pad <= 0)
        {
            pad = Math.Max(Math.Abs(max) * RightPadding, 1e-12);
        }

        // Errors are non-negative: pad the left edge without crossing 0.
        min = min >= 0 ? Math.Max(0, min - pad * 0.25) : min - pad * 0.25;
        max += pad;

        var bins = layer.Distribution.Histogram(min, max, BinCount);
        double beyond = 1.0 - layer.Distribution.Cdf(max);
        double tallest = bins.Max(b => b.Mass);
        if (tallest <= 0)
        {
            tallest = 1;
        }

        var x = new LinearAxis(min, max, Left, Right);
        var y = new LinearAxis(0, tallest * 1.1, Bottom, Top);
        string name = Encode(layer.Name);

        html.Append("<svg class=\"layer-plot\" id=\"layer-plot-").Append(index)
            .Append("\" data-layer=\"").Append(name)
            .Append("\" width=\"").Append(Width).Append("\" height=\"").Append(Height)
            .Append("\" viewBox=\"0 0 ").Append(Width).Append(' ').Append(Height)
            .Append("\" role=\"img\" aria-label=\"Held-out reconstruction errors of layer ").Append(name).Append("\">");
        html.Append("<title>Held-out reconstruction errors of layer ").Append(name).Append("</title>");

        WriteBars(html, bins, x, y);
        WriteAxes(html, x, y);
        WriteThresholds(html, layer, x);
        if (layer.BatchErrors is { } errors)
        {
            WriteBatch(html, layer, errors, x);
        }

        if (beyond > 0.0005)
        {
            html.Append("<text class=\"note\" x=\"").Append(Pixel(Right)).Append("\" y=\"").Append(Pixel(Top - 12))
                .Append("\" text-anchor=\"end\">").Append(Percent(beyond)).Append(" of held-out errors beyond the axis →</text>");
        }

        html.Append("</svg>");
    }

    private static void WriteBars(StringBuilder html, HistogramBin[] bins, LinearAxis x, LinearAxis y)
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

    private static void WriteAxes(StringBuilder html, LinearAxis x, LinearAxis y)
    {
        html.Append("<g class=\"axis\">");
        html.Append("<line x1=\"").Append(Pixel(Left)).Append("\" y1=\"").Append(Pixel(Bottom))
            .Append("\" x2=\"").Append(Pixel(Right)).Append("\" y2=\"").Append(Pixel(Bottom)).Append("\"/>");
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

        html.Append("<text class=\"axis-title\" x=\"").Append(Pixel((Left + Right) / 2)).Append("\" y=\"").Append(Pixel(Bottom + 30))
            .Append("\" text-anchor=\"middle\">reconstruction error</text>");
        html.Append("</g>");
    }

    private static void WriteThresholds(StringBuilder html, LayerReport layer, LinearAxis x)
    {
        // τ's label sits inside the plot, μ's above it: μ is often near the y axis and its labels.
        WriteThreshold(html, "threshold-upper", "τ", layer.Upper, x, labelY: Top + 4);
        if (layer.HasLower)
        {
            WriteThreshold(html, "threshold-lower", "μ", layer.Lower, x, labelY: Top - 9);
        }
    }

    private static void WriteThreshold(StringBuilder html, string kind, string symbol, double value, LinearAxis x, double labelY)
    {
        double px = x.Map(value);
        html.Append("<g class=\"threshold ").Append(kind).Append("\" data-value=\"").Append(Number(value)).Append("\">");
        html.Append("<line x1=\"").Append(Pixel(px)).Append("\" y1=\"").Append(Pixel(Top - 6))
            .Append("\" x2=\"").Append(Pixel(px)).Append("\" y2=\"").Append(Pixel(Bottom)).Append("\"/>");
        html.Append("<text x=\"").Append(Pixel(px + 4)).Append("\" y=\"").Append(Pixel(labelY)).Append("\">")
            .Append(symbol).Append(" = ").Append(Number(value)).Append("</text>");
        html.Append("</g>");
    }

    private static void WriteBatch(StringBuilder html, LayerReport layer, double[] errors, LinearAxis x)
    {
        int clipped = 0;
        html.Append("<g class=\"batch\">");
        foreach (double error in errors)
        {
            double shown = Math.Clamp(error, x.Min, x.Max);
            if (shown != error)
            {
                clipped++;
            }

            double px = x.Map(shown);
            bool outside = layer.IsOutside(error);
            html.Append("<line class=\"batch-marker").Append(outside ? " batch-marker-out" : string.Empty)
                .Append("\" x1=\"").Append(Pixel(px)).Append("\" y1=\"").Append(Pixel(RugY - 7))
                .Append("\" x2=\"").Append(Pixel(px)).Append("\" y2=\"").Append(Pixel(RugY + 7)).Append("\"/>");
        }

        html.Append("<text class=\"note\" x=\"").Append(Pixel(Left - 7)).Append("\" y=\"").Append(Pixel(RugY + 4))
            .Append("\" text-anchor=\"end\">batch</text>");
        if (clipped > 0)
        {
            html.Append("<text class=\"note\" x=\"").Append(Pixel(Right)).Append("\" y=\"").Append(Pixel(RugY + 20))
                .Append("\" text-anchor=\"end\">").Append(clipped).Append(" off the axis, drawn at its edge</text>");
        }

        html.Append("</g>");
    }
}
