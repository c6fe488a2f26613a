using System.Globalization;
using System.Text;
using static NeuralFP.Functions.Reports.ReportFormat;

namespace NeuralFP.Functions.Reports;

/// <summary>
/// The fingerprint report as one self-contained HTML page: no scripts, no external assets, plots as
/// inline SVG, every string from the model HTML-encoded.
/// </summary>
public static class ReportPage
{
    private const string Style = """
        body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1d232b;margin:24px auto;max-width:1100px;padding:0 20px}
        h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}h3{font-size:15px;margin:18px 0 4px;font-family:ui-monospace,monospace}
        .meta{color:#5a6572}.cards{display:flex;gap:14px;flex-wrap:wrap}
        .card{border:1px solid #d5dbe1;border-radius:6px;padding:10px 14px;min-width:180px}
        .card .value{font-size:22px;font-weight:600}.card .label{color:#5a6572;font-size:12px}
        .badge{display:inline-block;padding:2px 8px;border-radius:10px;font-weight:600;font-size:12px}
        .alarm{background:#fde2e1;color:#a61b1b}.ok{background:#dff3e4;color:#1f6b35}
        table{border-collapse:collapse;margin:6px 0}th,td{border-bottom:1px solid #e3e7eb;padding:4px 10px;text-align:left}
        td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
        .layer-plot{display:block;background:#fbfcfd;border:1px solid #e3e7eb;border-radius:4px}
        .layer-plot text{font-size:11px;fill:#3c4651}.layer-plot .axis line{stroke:#6b7682}
        .layer-plot .axis-title{font-size:12px}.layer-plot .bars rect{fill:#8fb3d9}
        .layer-plot .threshold line{stroke-width:2;stroke-dasharray:6 4}
        .layer-plot .threshold-upper line{stroke:#c0392b}.layer-plot .threshold-upper text{fill:#c0392b}
        .layer-plot .threshold-lower line{stroke:#2458b3}.layer-plot .threshold-lower text{fill:#2458b3}
        .layer-plot .batch-marker{stroke:#2f8f4e;stroke-opacity:.6;stroke-width:1.5}
        .layer-plot .batch-marker-out{stroke:#c0392b;stroke-opacity:.85}
        .layer-plot .note{fill:#5a6572;font-style:italic}
        footer{margin-top:32px;color:#5a6572;font-size:12px}
        """;

    /// <summary>Renders the page. Throws <see cref="ArgumentException"/> when the model cannot be drawn.</summary>
    public static string Render(ReportModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        model.Validate();

        var html = new StringBuilder(16_384 + 4_096 * model.Layers.Count);
        html.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
            .Append("<title>NeuralFP report: ").Append(Encode(model.ModelId)).Append("</title>")
            .Append("<style>").Append(Style).Append("</style></head><body>");

        html.Append("<header><h1>Fingerprint report: ").Append(Encode(model.ModelId)).Append("</h1>")
            .Append("<div class=\"meta\">fingerprint version ").Append(Encode(model.Version))
            .Append(" · ").Append(model.Layers.Count).Append(model.Layers.Count == 1 ? " layer" : " layers")
            .Append(" · generated ").Append(Encode(model.GeneratedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture)))
            .Append("</div></header>");

        WriteDrift(html, model.Drift);
        WriteCalibration(html, model);
        if (model.HasBatch)
        {
            WriteBatchSummary(html, model);
        }

        html.Append("<section id=\"layers\"><h2>Held-out reconstruction errors per layer</h2>");
        for (int i = 0; i < model.Layers.Count; i++)
        {
            var layer = model.Layers[i];
            html.Append("<section class=\"layer\" id=\"layer-").Append(i).Append("\"><h3>").Append(Encode(layer.Name)).Append("</h3>");
            LayerPlot.Write(html, layer, i);
            html.Append("</section>");
        }

        html.Append("</section>");
        html.Append("<footer>Histograms are rebuilt from the ")
            .Append(model.Layers[0].Quantiles.Length)
            .Append(" stored quantiles of each layer's held-out errors (equal probability between neighbouring quantiles). ")
            .Append("A record is out of distribution when its error at any layer is above τ")
            .Append(model.Calibration.TwoSided ? " or below μ" : string.Empty)
            .Append(".</footer></body></html>");
        return html.ToString();
    }

    private static void WriteDrift(StringBuilder html, DriftSummary? drift)
    {
        html.Append("<section id=\"drift\"><h2>Recent verdicts</h2>");
        if (drift is null)
        {
            html.Append("<p class=\"meta\">No verdicts recorded yet.</p></section>");
            return;
        }

        var window = drift.Window;
        html.Append("<div class=\"cards\">");
        Card(html, "last-day-rate", drift.LastDayRate is { } rate ? Percent(rate) : "–",
            $"OOD rate, last 24 h ({Count(drift.LastDayOodCount)} of {Count(drift.LastDayRecords)} records)");
        Card(html, "expected-rate", Percent(window.ExpectedRate), "expected (calibrated FPR)");
        Card(html, "window-rate", Percent(window.Rate),
            $"OOD rate, last {Count(window.WindowCount)} verdicts ({Count(window.OodCount)} OOD)");
        Card(html, "p-value", PValue(window.PValue), $"one-sided binomial p-value (α = {Number(window.Alpha)})");
        html.Append("<div class=\"card\" id=\"drift-alarm\"><div class=\"value\"><span class=\"badge ")
            .Append(window.Alarm ? "alarm\">ALARM" : "ok\">no alarm")
            .Append("</span></div><div class=\"label\">drift alarm</div></div>");
        html.Append("</div></section>");
    }

    private static void Card(StringBuilder html, string id, string value, string label)
    {
        html.Append("<div class=\"card\" id=\"").Append(id).Append("\"><div class=\"value\">").Append(Encode(value))
            .Append("</div><div class=\"label\">").Append(Encode(label)).Append("</div></div>");
    }

    private static void WriteCalibration(StringBuilder html, ReportModel model)
    {
        var c = model.Calibration;
        html.Append("<section id=\"calibration\"><h2>Calibration</h2><table class=\"calibration\"><tbody>");
        Row(html, "Target false-positive rate", Percent(c.TargetFpr));
        Row(html, "Realised false-positive rate (held-out)", Percent(c.RealisedFpr));
        Row(html, "Reference records", Count(c.ReferenceRecords));
        Row(html, "Held-out records", Count(c.HeldOutRecords));
        Row(html, "Rule", c.TwoSided ? "two-sided: error above τ or below μ at any layer" : "one-sided: error above τ at any layer");
        html.Append("</tbody></table>");

        bool batch = model.HasBatch;
        html.Append("<table class=\"thresholds\"><thead><tr><th>Layer</th><th class=\"num\">μ (lower)</th><th class=\"num\">median error</th><th class=\"num\">τ (upper)</th>");
        if (batch)
        {
            html.Append("<th class=\"num\">batch outside [μ, τ]</th>");
        }

        html.Append("</tr></thead><tbody>");
        foreach (var layer in model.Layers)
        {
            html.Append("<tr><td>").Append(Encode(layer.Name)).Append("</td><td class=\"num\">")
                .Append(layer.HasLower ? Number(layer.Lower) : "–").Append("</td><td class=\"num\">")
                .Append(Number(layer.Quantile(0.5))).Append("</td><td class=\"num\">")
                .Append(Number(layer.Upper)).Append("</td>");
            if (batch)
            {
                var errors = layer.BatchErrors!;
                int outside = errors.Count(layer.IsOutside);
                html.Append("<td class=\"num\">").Append(errors.Length == 0 ? "–" : Percent((double)outside / errors.Length)).Append("</td>");
            }

            html.Append("</tr>");
        }

        html.Append("</tbody></table></section>");
    }

    private static void Row(StringBuilder html, string label, string value)
    {
        html.Append("<tr><th>").Append(Encode(label)).Append("</th><td class=\"num\">").Append(Encode(value)).Append("</td></tr>");
    }

    private static void WriteBatchSummary(StringBuilder html, ReportModel model)
    {
        int size = model.BatchSize;
        int flagged = 0;
        for (int r = 0; r < size; r++)
        {
            foreach (var layer in model.Layers)
            {
                if (layer.IsOutside(layer.BatchErrors![r]))
                {
                    flagged++;
                    break;
                }
            }
        }

        html.Append("<section id=\"batch\"><h2>Posted batch");
        if (!string.IsNullOrEmpty(model.BatchLabel))
        {
            html.Append(": ").Append(Encode(model.BatchLabel));
        }

        html.Append("</h2><p><span id=\"batch-flagged\">").Append(Count(flagged)).Append(" of ").Append(Count(size))
            .Append(" records (").Append(size == 0 ? "–" : Percent((double)flagged / size))
            .Append(")</span> are out of distribution at one layer or more. Under each plot, a mark per record: ")
            .Append("green inside [μ, τ], red outside.</p></section>");
    }
}
