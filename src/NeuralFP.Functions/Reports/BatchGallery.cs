using NeuralFP.Core.Explanations;
using System.Globalization;
using System.Text;
using static NeuralFP.Functions.Reports.ReportFormat;

namespace NeuralFP.Functions.Reports;

/// <summary>
/// The posted batch's most unusual records side by side: the record as an image, the heatmap of each pixel's part of
/// the input layer's reconstruction error, and the verdict with its deciding layer and top features.
/// </summary>
internal static class BatchGallery
{
    private const int ImageSize = 150;

    // A perceptually ordered palette (dark → purple → orange → pale yellow), so a hot pixel reads as hot in grey print too.
    private static readonly (double At, byte R, byte G, byte B)[] Palette =
    [
        (0.00, 0, 0, 4), (0.25, 87, 16, 110), (0.50, 188, 55, 84), (0.75, 249, 142, 9), (1.00, 252, 255, 164),
    ];

    public static void Write(StringBuilder html, IReadOnlyList<UnusualRecord> records, int batchSize)
    {
        html.Append("<section id=\"unusual\"><h2>Most unusual records</h2><p class=\"meta\">The ").Append(records.Count).Append(" of ")
            .Append(Count(batchSize)).Append(" posted records with the highest OOD score. Heatmap: each pixel's share of the input layer's reconstruction error (")
            .Append("<span class=\"legend-ramp\"></span> low → high, per record up to its 99th percentile, square-root scale).</p><div class=\"gallery\">");
        foreach (var record in records)
        {
            html.Append("<figure class=\"unusual-record\" id=\"record-").Append(record.Index).Append("\" data-index=\"").Append(record.Index).Append("\">");
            var heatmap = record.Explanation?.Input?.Heatmap;
            if (record.Image is { } image)
            {
                html.Append("<div class=\"pair\">");
                Image(html, "record-input", InputPixels(image), image.Width, image.Height, $"record {record.Index}");
                if (heatmap is { Length: > 0 } && heatmap[0].Length > 0)
                    Image(html, "record-heatmap", HeatmapPixels(heatmap), heatmap[0].Length, heatmap.Length, $"heatmap of record {record.Index}");
                else
                    html.Append("<div class=\"no-heatmap\">no heatmap: ").Append(Encode(record.Explanation?.InputUnavailableReason ?? "no input-layer autoencoder")).Append("</div>");
                html.Append("</div>");
            }

            html.Append("<figcaption><b>#").Append(record.Index).Append("</b> ")
                .Append(record.Ood ? "<span class=\"badge alarm\">OOD</span>" : "<span class=\"badge ok\">in distribution</span>")
                .Append("<br>score ").Append(Number(record.Score)).Append(" · p ").Append(PValue(record.PValue));
            if (record.Explanation is { } explanation)
            {
                html.Append("<br>deciding layer <code>").Append(Encode(explanation.DecidingLayer)).Append("</code>")
                    .Append(explanation.DecidingLayerFired ? " (its error out of its interval)" : " (its error within its interval)");
                if (explanation.Input is { TopFeatures.Count: > 0 } input)
                {
                    html.Append("<br>top features: ").Append(Encode(string.Join(", ", input.TopFeatures.Take(3).Select(Feature))));
                    if (input.LargestRegion is { } region)
                        html.Append("<br>largest regional error: rows ").Append(region.Rows[0]).Append('–').Append(region.Rows[1] - 1)
                            .Append(", columns ").Append(region.Columns[0]).Append('–').Append(region.Columns[1] - 1);
                    if (input.SurprisingColumns is { Count: > 0 } columns)
                        html.Append("<br>most surprising columns: ").Append(Encode(string.Join(", ", columns.Take(3).Select(c =>
                            string.Create(CultureInfo.InvariantCulture, $"{c.Index} = {c.Value:G6} ({c.Surprise:F1} nats)")))));
                }
            }

            if (record.FiredLayers.Count > 0)
            {
                html.Append("<br>fired: ").Append(Encode(string.Join(", ", record.FiredLayers)));
            }

            html.Append("</figcaption></figure>");
        }

        html.Append("</div></section>");
    }

    private static string Feature(FeatureContribution f) =>
        (f.Position.Length >= 2 ? $"({string.Join(",", f.Position)})" : $"[{f.Index}]") + " " + Percent(f.Share);

    private static void Image(StringBuilder html, string kind, byte[] rgb, int width, int height, string alt)
    {
        html.Append("<img class=\"").Append(kind).Append("\" width=\"").Append(ImageSize).Append("\" height=\"")
            .Append(ImageSize * height / Math.Max(1, width)).Append("\" alt=\"").Append(Encode(alt)).Append("\" src=\"")
            .Append(PngEncoder.DataUri(width, height, rgb)).Append("\">");
    }

    /// <summary>The record's pixels scaled to 0–255 by its own range (inputs may be standardised, not 0–1).</summary>
    internal static byte[] InputPixels(RecordImage image)
    {
        int plane = image.Height * image.Width;
        float min = float.PositiveInfinity, max = float.NegativeInfinity;
        foreach (float v in image.Pixels)
        {
            if (v < min) min = v;
            if (v > max) max = v;
        }

        float range = max > min ? max - min : 1;
        var rgb = new byte[plane * 3];
        for (int p = 0; p < plane; p++)
        {
            for (int c = 0; c < 3; c++)
            {
                float v = image.Pixels[(image.Channels == 3 ? c : 0) * plane + p];
                rgb[p * 3 + c] = (byte)Math.Clamp((int)Math.Round((v - min) / range * 255), 0, 255);
            }
        }

        return rgb;
    }

    /// <summary>
    /// The heatmap in the palette, scaled so that its 99th-percentile value is the top colour (and the square root of the
    /// level taken): a single extreme pixel would otherwise paint the rest of the record black.
    /// </summary>
    internal static byte[] HeatmapPixels(float[][] heatmap)
    {
        int height = heatmap.Length, width = heatmap[0].Length;
        var values = heatmap.SelectMany(row => row).Where(float.IsFinite).Order().ToArray();
        float top = values.Length == 0 ? 0 : values[(int)Math.Floor(0.99 * (values.Length - 1))];
        if (top <= 0 && values.Length > 0) top = values[^1];
        var rgb = new byte[height * width * 3];
        for (int r = 0; r < height; r++)
        {
            for (int c = 0; c < width; c++)
            {
                var (red, green, blue) = Colour(top > 0 ? Math.Sqrt(Math.Clamp(heatmap[r][c] / top, 0, 1)) : 0);
                int i = (r * width + c) * 3;
                rgb[i] = red;
                rgb[i + 1] = green;
                rgb[i + 2] = blue;
            }
        }

        return rgb;
    }

    internal static (byte R, byte G, byte B) Colour(double level)
    {
        level = Math.Clamp(double.IsFinite(level) ? level : 0, 0, 1);
        int k = 1;
        while (k < Palette.Length - 1 && Palette[k].At < level) k++;
        var (a, b) = (Palette[k - 1], Palette[k]);
        double t = (level - a.At) / (b.At - a.At);
        return ((byte)Math.Round(a.R + t * (b.R - a.R)), (byte)Math.Round(a.G + t * (b.G - a.G)), (byte)Math.Round(a.B + t * (b.B - a.B)));
    }

    /// <summary>The palette as a CSS gradient, for the legend.</summary>
    public static string Gradient => "linear-gradient(90deg," + string.Join(",", Palette.Select(p => $"rgb({p.R},{p.G},{p.B})")) + ")";
}
