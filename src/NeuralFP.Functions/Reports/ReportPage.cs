using System.Globalization;
using System.Text;
using NeuralFP.Core.Shifts;
using static NeuralFP.Functions.Reports.ReportFormat;

namespace NeuralFP.Functions.Reports;

/// <summary>
/// The fingerprint report as one self-contained HTML page: no scripts, no external assets, plots as
/// inline SVG, every string from the model HTML-encoded.
/// </summary>
public static class ReportPage
{
    // The page takes the window's width: plots sit in a grid of as many columns as fit, and every SVG scales to its cell.
    private const string Style = """
        body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1d232b;margin:20px 24px;padding:0}
        h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}h3{font-size:15px;margin:10px 0 4px;font-family:ui-monospace,monospace;overflow-wrap:anywhere}
        .meta{color:#5a6572}.cards{display:flex;gap:14px;flex-wrap:wrap}
        .card{border:1px solid #d5dbe1;border-radius:6px;padding:10px 14px;min-width:180px}
        .card .value{font-size:22px;font-weight:600}.card .label{color:#5a6572;font-size:12px}
        .badge{display:inline-block;padding:2px 8px;border-radius:10px;font-weight:600;font-size:12px}
        .alarm{background:#fde2e1;color:#a61b1b}.ok{background:#dff3e4;color:#1f6b35}
        table{border-collapse:collapse;margin:6px 0}th,td{border-bottom:1px solid #e3e7eb;padding:4px 10px;text-align:left}
        td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
        tr.weak td{background:#fdecea}caption{text-align:left;color:#555;font-size:90%;padding:8px 0 2px}
        .columns{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,520px),1fr));gap:16px 24px;align-items:start}
        .plots{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(100%,560px),1fr));gap:12px 20px}
        .layer-plot,.rate-chart{display:block;width:100%;height:auto;background:#fbfcfd;border:1px solid #e3e7eb;border-radius:4px}
        .layer-plot text,.rate-chart text{font-size:11px;fill:#3c4651}.layer-plot .axis line,.rate-chart .axis line{stroke:#6b7682}
        .layer-plot .axis-title{font-size:12px}.layer-plot .bars rect{fill:#8fb3d9}
        .layer-plot .threshold line{stroke-width:2;stroke-dasharray:6 4}
        .layer-plot .threshold-upper line{stroke:#c0392b}.layer-plot .threshold-upper text{fill:#c0392b}
        .layer-plot .threshold-lower line{stroke:#2458b3}.layer-plot .threshold-lower text{fill:#2458b3}
        .layer-plot .batch-marker{stroke:#2f8f4e;stroke-opacity:.6;stroke-width:1.5}
        .layer-plot .batch-marker-out{stroke:#c0392b;stroke-opacity:.85}
        .layer-plot .overflow-band{fill:#f1f3f6;stroke:#c9d0d8;stroke-dasharray:3 3}
        .layer-plot .overflow-tail{stroke:#8fb3d9;stroke-width:6}
        .layer-plot .note,.rate-chart .note{fill:#5a6572;font-style:italic}
        .rate-chart .rate-bar{fill:#5d8fc7}.rate-chart .rate-bar-high{fill:#d9822b}.rate-chart .alarm-period{fill:#fde2e1}
        .rate-chart .expected-rate line{stroke:#1d232b;stroke-width:1.5;stroke-dasharray:6 4}.rate-chart .expected-rate text{fill:#1d232b}
        .fire-track{position:relative;display:inline-block;width:164px;height:12px;vertical-align:middle}
        .fire-bar{position:absolute;left:0;top:1px;height:10px;background:#d9822b}
        .fire-tick{position:absolute;top:-2px;width:2px;height:16px;background:#1d232b}
        .gallery{display:grid;grid-template-columns:repeat(auto-fill,minmax(330px,1fr));gap:14px}
        .unusual-record{margin:0;border:1px solid #d5dbe1;border-radius:6px;padding:10px}
        .unusual-record .pair{display:flex;gap:8px}.unusual-record img{image-rendering:pixelated;border:1px solid #c9d0d8;background:#000}
        .unusual-record figcaption{font-size:12px;margin-top:6px}.no-heatmap{width:150px;font-size:12px;color:#5a6572}
        .legend-ramp{display:inline-block;width:80px;height:10px;vertical-align:middle;background:GRADIENT}
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
            .Append("<style>").Append(Style.Replace("GRADIENT", BatchGallery.Gradient, StringComparison.Ordinal)).Append("</style></head><body>");

        html.Append("<header><h1>Fingerprint report: ").Append(Encode(model.ModelId)).Append("</h1>")
            .Append("<div class=\"meta\">fingerprint version ").Append(Encode(model.Version))
            .Append(" · ").Append(model.Layers.Count).Append(model.Layers.Count == 1 ? " layer" : " layers")
            .Append(" · generated ").Append(Encode(model.GeneratedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture)))
            .Append("</div></header>");

        if (model.HasBatch)
        {
            WriteBatchSummary(html, model);
            if (model.Unusual is { Count: > 0 } unusual)
            {
                BatchGallery.Write(html, unusual, model.BatchSize);
            }
        }

        WriteDrift(html, model);
        html.Append("<div class=\"columns\">");
        WriteLayerFires(html, model);
        WriteCalibration(html, model);
        html.Append("</div>");

        html.Append("<section id=\"layers\"><h2>Held-out reconstruction errors per layer</h2><div class=\"plots\">");
        for (int i = 0; i < model.Layers.Count; i++)
        {
            var layer = model.Layers[i];
            html.Append("<section class=\"layer\" id=\"layer-").Append(i).Append("\"><h3>").Append(Encode(layer.Name)).Append("</h3>");
            LayerPlot.Write(html, layer, i);
            html.Append("</section>");
        }

        html.Append("</div></section>");
        html.Append("<footer>Histograms are rebuilt from the ")
            .Append(model.Layers[0].Quantiles.Length)
            .Append(" stored quantiles of each layer's held-out errors (equal probability between neighbouring quantiles). ")
            .Append("Layers whose errors span more than two decades are drawn on a log axis; values past an axis sit in the band on its right, by how many decades past it they are. ")
            .Append("A record is out of distribution when its error at any layer is above τ")
            .Append(model.Calibration.TwoSided ? " or below μ" : string.Empty)
            .Append(".</footer></body></html>");
        return html.ToString();
    }

    private static void WriteDrift(StringBuilder html, ReportModel model)
    {
        var drift = model.Drift;
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
            .Append("</span></div><div class=\"label\">drift alarm");
        if (window.Alarm && drift.AlarmSince is { } since)
        {
            html.Append(" since ").Append(Encode(since.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture)));
        }

        html.Append("</div></div></div>");
        if (drift.Hours is { } hours)
        {
            html.Append("<div class=\"columns\"><div><h3>OOD rate per hour, last 24 hours</h3>");
            RateChart.Write(html, "rate-day", hours, model.GeneratedAt, 24, window.ExpectedRate);
            html.Append("</div><div><h3>OOD rate per hour, last 7 days</h3>");
            RateChart.Write(html, "rate-week", hours, model.GeneratedAt, 7 * 24, window.ExpectedRate);
            html.Append("</div></div>");
        }

        html.Append("</section>");
    }

    /// <summary>
    /// Per layer, the share of the last day's verdicts whose error left [μ, τ] there, beside the share of held-out
    /// records that do (from Core's distribution of held-out errors): a layer firing far above its held-out share is where traffic moved.
    /// </summary>
    private static void WriteLayerFires(StringBuilder html, ReportModel model)
    {
        var drift = model.Drift;
        if (drift?.LayerFires is not { } fires || fires.Length != model.Layers.Count || drift.LayerFireRecords == 0)
        {
            return;
        }

        html.Append("<section id=\"layer-fires\"><h2>Per-layer fire rates, last 24 h</h2><p class=\"meta\">Of ")
            .Append(Count(drift.LayerFireRecords)).Append(" verdicts; the black tick is the layer's rate on held-out in-distribution records.</p>")
            .Append("<table class=\"layer-fires\"><thead><tr><th>Layer</th><th class=\"num\">fired</th><th class=\"num\">rate</th><th class=\"num\">held-out</th><th></th></tr></thead><tbody>");
        double widest = 0;
        var rows = new (double Rate, double Expected)[fires.Length];
        for (int l = 0; l < fires.Length; l++)
        {
            var layer = model.Layers[l];
            var distribution = layer.Distribution;
            double expected = 1 - distribution.Cdf(layer.Upper) + (layer.HasLower ? distribution.Cdf(layer.Lower) : 0);
            rows[l] = ((double)fires[l] / drift.LayerFireRecords, expected);
            widest = Math.Max(widest, Math.Max(rows[l].Rate, expected));
        }

        double scale = widest > 0 ? 160 / widest : 0;
        for (int l = 0; l < fires.Length; l++)
        {
            var (rate, expected) = rows[l];
            html.Append("<tr class=\"layer-fire\" data-layer=\"").Append(Encode(model.Layers[l].Name)).Append("\" data-rate=\"").Append(Number(rate)).Append("\"><td>")
                .Append(Encode(model.Layers[l].Name)).Append("</td><td class=\"num\">").Append(Count(fires[l])).Append("</td><td class=\"num\">")
                .Append(Percent(rate)).Append("</td><td class=\"num\">").Append(Percent(expected)).Append("</td><td>")
                .Append("<span class=\"fire-track\"><span class=\"fire-bar\" style=\"width:").Append(Pixel(rate * scale)).Append("px\"></span>")
                .Append("<span class=\"fire-tick\" style=\"left:").Append(Pixel(expected * scale)).Append("px\"></span></span></td></tr>");
        }

        html.Append("</tbody></table></section>");
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
        if (c.NewDataFpr is { } interval)
            Row(html, "False-positive rate on new data (90% interval)", $"{Percent(interval.Low)} to {Percent(interval.High)}");
        Row(html, "Reference records", Count(c.ReferenceRecords));
        Row(html, "Held-out records", Count(c.HeldOutRecords));
        if (c.UnseenFrom is int first)
            Row(html, "Calibrated on", $"records {Count(first)} on, which the model did not train on");
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

        html.Append("</tbody></table>");
        WriteDetectors(html, model);
        WriteSelfCheck(html, model);
        WriteLeftOut(html, model);
        html.Append("</section>");
    }

    /// <summary>How each detector beside the fingerprint calibrated: a gateway choosing <c>?detector=</c> reads its own interval.</summary>
    private static void WriteDetectors(StringBuilder html, ReportModel model)
    {
        if (model.Detectors is not { Count: > 0 } detectors) return;
        html.Append("<table class=\"detectors\" id=\"detectors\"><caption>Detectors beside the fingerprint (?detector=)</caption><thead><tr><th>Detector</th>")
            .Append("<th class=\"num\">realised false-positive rate (held-out)</th><th class=\"num\">on new data (90% interval)</th><th class=\"num\">held-out records</th></tr></thead><tbody>");
        foreach (var d in detectors)
        {
            var (range, records) = d.NewDataFpr is { } interval ? ($"{Percent(interval.Low)} to {Percent(interval.High)}", Count(interval.CalibrationRecords)) : ("–", "–");
            html.Append("<tr><td>").Append(Encode(d.Name)).Append("</td><td class=\"num\">").Append(Percent(d.RealisedFpr)).Append("</td><td class=\"num\">")
                .Append(range).Append("</td><td class=\"num\">").Append(records).Append("</td></tr>");
        }
        html.Append("</tbody></table>");
    }

    /// <summary>The statistics the verdict's integration leaves out, and why (absent when it reads them all).</summary>
    private static void WriteLeftOut(StringBuilder html, ReportModel model)
    {
        if (model.Integration is not { LeftOut: { Count: > 0 } leftOut } integration) return;
        html.Append("<table class=\"left-out\" id=\"left-out\"><caption>Left out of the verdict's ").Append(Encode(integration.Kind))
            .Append(" score</caption><thead><tr><th>Statistic</th><th>Why</th></tr></thead><tbody>");
        foreach (var entry in leftOut)
            html.Append("<tr><td>").Append(Encode(entry.Layer)).Append("</td><td>").Append(Encode(entry.Reason)).Append("</td></tr>");
        html.Append("</tbody></table>");
    }

    /// <summary>How well the fingerprint saw the build's shifted calibration records (absent for fingerprints built without).</summary>
    private static void WriteSelfCheck(StringBuilder html, ReportModel model)
    {
        if (model.SelfCheck is not { } check) return;
        var detectors = check.DetectorRecords > 0;
        html.Append("<table class=\"self-check\" id=\"self-check\"><caption>Self-check at build: ").Append(Count(check.Records))
            .Append(" calibration records per shift, against ").Append(Encode(check.Against));
        if (detectors) html.Append("; the detectors beside it on the ").Append(Count(check.DetectorRecords)).Append(" held-out ones");
        html.Append("</caption><thead><tr><th>Shift</th><th>What</th><th class=\"num\">AUROC</th><th class=\"num\">flagged</th>");
        if (detectors) html.Append("<th>detectors beside it (AUROC)</th>");
        var statistics = check.Shifts.Any(s => s.Statistics is { Count: > 0 });
        if (statistics) html.Append("<th>its statistics alone (AUROC)</th>");
        html.Append("</tr></thead><tbody>");
        foreach (var shift in check.Shifts)
        {
            html.Append(shift.Auroc < SelfCheckSummary.WeakAuroc ? "<tr class=\"weak\">" : "<tr>")
                .Append("<td>").Append(Encode(shift.Shift)).Append("</td><td>").Append(Encode(shift.Description)).Append("</td><td class=\"num\">")
                .Append(shift.Auroc.ToString("F3", CultureInfo.InvariantCulture)).Append("</td><td class=\"num\">")
                .Append(Percent(shift.Flagged)).Append("</td>");
            if (detectors)
                html.Append("<td>").Append(Encode(string.Join(" · ", (shift.Detectors ?? []).Select(d => string.Create(CultureInfo.InvariantCulture, $"{d.Detector} {d.Auroc:F3}"))))).Append("</td>");
            // A statistic that alone sees the shift clearly better than the fingerprint is marked: the others dilute it.
            if (statistics)
            {
                var diluting = shift.DilutingStatistic();
                html.Append("<td>").Append(Encode(string.Join(" · ", (shift.Statistics ?? []).Select(t => string.Create(CultureInfo.InvariantCulture,
                    $"{t.Statistic}{(t.Lower ? " (lower)" : "")}{(t.NotRead ? " (not read)" : "")} {t.Auroc:F3}{(ReferenceEquals(t, diluting) ? " ▲" : "")}"))))).Append("</td>");
            }
            html.Append("</tr>");
        }
        html.Append("</tbody></table>");
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
