using System.Globalization;
using System.Text;
using static NeuralFP.Functions.Reports.ReportFormat;

namespace NeuralFP.Functions.Reports;

/// <summary>
/// Inline SVG of the hourly OOD rate over a span ending at the current hour: a bar per hour with verdicts,
/// the calibrated rate as a dashed line, and the hours the drift alarm was up shaded red.
/// </summary>
internal static class RateChart
{
    public const int Width = 720;
    public const int Height = 200;
    private const double Left = 56;
    private const double Right = Width - 16;
    private const double Top = 22;
    private const double Bottom = Height - 40;

    public static void Write(StringBuilder html, string id, IReadOnlyList<HourlyRate> hours, DateTimeOffset now, int span, double expectedRate)
    {
        var last = new DateTimeOffset(now.UtcDateTime.Date.AddHours(now.UtcDateTime.Hour), TimeSpan.Zero);
        var first = last.AddHours(-(span - 1));
        var shown = hours.Where(h => h.Hour >= first && h.Hour <= last).ToDictionary(h => h.Hour);
        double highest = shown.Values.Select(h => h.Rate ?? 0).DefaultIfEmpty(0).Max();
        double top = Math.Min(1, Math.Max(expectedRate * 2, highest) * 1.15);
        if (top <= 0) top = 0.1;
        var y = new LinearAxis(0, top, Bottom, Top);
        double slot = (Right - Left) / span;

        html.Append("<svg class=\"rate-chart\" id=\"").Append(id).Append("\" data-hours=\"").Append(span)
            .Append("\" data-alarm-hours=\"").Append(shown.Values.Count(h => h.Alarm))
            .Append("\" viewBox=\"0 0 ").Append(Width).Append(' ').Append(Height)
            .Append("\" preserveAspectRatio=\"xMidYMid meet\" role=\"img\" aria-label=\"Hourly OOD rate, last ").Append(span).Append(" hours\">");
        html.Append("<title>Hourly OOD rate, last ").Append(span).Append(" hours</title>");

        // Alarm periods first, behind the bars.
        html.Append("<g class=\"alarm-periods\">");
        for (int i = 0; i < span; i++)
        {
            if (shown.TryGetValue(first.AddHours(i), out var h) && h.Alarm)
            {
                int run = 1;
                while (i + run < span && shown.TryGetValue(first.AddHours(i + run), out var next) && next.Alarm) run++;
                html.Append("<rect class=\"alarm-period\" x=\"").Append(Pixel(Left + i * slot)).Append("\" y=\"").Append(Pixel(Top))
                    .Append("\" width=\"").Append(Pixel(run * slot)).Append("\" height=\"").Append(Pixel(Bottom - Top))
                    .Append("\"><title>drift alarm ").Append(Time(first.AddHours(i))).Append(" – ").Append(Time(first.AddHours(i + run))).Append("</title></rect>");
                i += run - 1;
            }
        }

        html.Append("</g><g class=\"rate-bars\">");
        for (int i = 0; i < span; i++)
        {
            if (!shown.TryGetValue(first.AddHours(i), out var h) || h.Rate is not double rate) continue;
            double px = Left + i * slot;
            double py = y.Map(rate);
            html.Append("<rect class=\"rate-bar").Append(rate > expectedRate ? " rate-bar-high" : string.Empty)
                .Append("\" x=\"").Append(Pixel(px + slot * 0.1)).Append("\" y=\"").Append(Pixel(Math.Min(py, Bottom - 1)))
                .Append("\" width=\"").Append(Pixel(Math.Max(0.8, slot * 0.8))).Append("\" height=\"").Append(Pixel(Math.Max(1, Bottom - py)))
                .Append("\"><title>").Append(Time(h.Hour)).Append(": ").Append(Percent(rate)).Append(" OOD (")
                .Append(Count(h.Ood)).Append(" of ").Append(Count(h.Records)).Append(")</title></rect>");
        }

        html.Append("</g><g class=\"axis\">");
        html.Append("<line x1=\"").Append(Pixel(Left)).Append("\" y1=\"").Append(Pixel(Bottom)).Append("\" x2=\"").Append(Pixel(Right)).Append("\" y2=\"").Append(Pixel(Bottom)).Append("\"/>");
        html.Append("<line x1=\"").Append(Pixel(Left)).Append("\" y1=\"").Append(Pixel(Top)).Append("\" x2=\"").Append(Pixel(Left)).Append("\" y2=\"").Append(Pixel(Bottom)).Append("\"/>");
        foreach (double tick in y.Ticks(4))
        {
            double py = y.Map(tick);
            html.Append("<line x1=\"").Append(Pixel(Left - 4)).Append("\" y1=\"").Append(Pixel(py)).Append("\" x2=\"").Append(Pixel(Left)).Append("\" y2=\"").Append(Pixel(py)).Append("\"/>");
            html.Append("<text x=\"").Append(Pixel(Left - 7)).Append("\" y=\"").Append(Pixel(py + 4)).Append("\" text-anchor=\"end\">").Append(Percent(tick)).Append("</text>");
        }

        // Hour labels: every 3 hours for a day, every day (at 00:00) for a week.
        int every = span <= 24 ? 3 : 24;
        for (int i = 0; i <= span; i++)
        {
            var t = first.AddHours(i);
            if (t.Hour % every != 0) continue;
            double px = Left + i * slot;
            html.Append("<line x1=\"").Append(Pixel(px)).Append("\" y1=\"").Append(Pixel(Bottom)).Append("\" x2=\"").Append(Pixel(px)).Append("\" y2=\"").Append(Pixel(Bottom + 4)).Append("\"/>");
            html.Append("<text x=\"").Append(Pixel(px)).Append("\" y=\"").Append(Pixel(Bottom + 16)).Append("\" text-anchor=\"middle\">")
                .Append(span <= 24 ? t.ToString("HH:mm", CultureInfo.InvariantCulture) : t.ToString("ddd dd", CultureInfo.InvariantCulture)).Append("</text>");
        }

        html.Append("</g>");
        double expectedY = y.Map(expectedRate);
        html.Append("<g class=\"expected-rate\" data-value=\"").Append(Number(expectedRate)).Append("\"><line x1=\"").Append(Pixel(Left)).Append("\" y1=\"").Append(Pixel(expectedY))
            .Append("\" x2=\"").Append(Pixel(Right)).Append("\" y2=\"").Append(Pixel(expectedY)).Append("\"/>")
            .Append("<text x=\"").Append(Pixel(Right - 4)).Append("\" y=\"").Append(Pixel(expectedY - 5)).Append("\" text-anchor=\"end\">calibrated ")
            .Append(Percent(expectedRate)).Append("</text></g>");
        if (shown.Count == 0)
        {
            html.Append("<text class=\"note\" x=\"").Append(Pixel((Left + Right) / 2)).Append("\" y=\"").Append(Pixel((Top + Bottom) / 2))
                .Append("\" text-anchor=\"middle\">no verdicts in this period</text>");
        }

        html.Append("<text class=\"note\" x=\"").Append(Pixel(Left)).Append("\" y=\"").Append(Pixel(Height - 6)).Append("\">UTC hours; shaded: drift alarm up</text>");
        html.Append("</svg>");
    }

    private static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
}
