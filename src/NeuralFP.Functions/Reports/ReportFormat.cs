using System.Globalization;
using System.Text.Encodings.Web;

namespace NeuralFP.Functions.Reports;

/// <summary>Text for the page: every string HTML-encoded, numbers culture-invariant.</summary>
internal static class ReportFormat
{
    public static string Encode(string? text) => HtmlEncoder.Default.Encode(text ?? string.Empty);

    /// <summary>Four significant digits, for labels and tables.</summary>
    public static string Number(double value) => value.ToString("G4", CultureInfo.InvariantCulture);

    /// <summary>SVG coordinates: two decimals are finer than a pixel.</summary>
    public static string Pixel(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    public static string Percent(double share) =>
        (share * 100).ToString("0.##", CultureInfo.InvariantCulture) + "%";

    public static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    public static string PValue(double p) =>
        p < 1e-4 ? p.ToString("0.0E+0", CultureInfo.InvariantCulture) : p.ToString("0.0000", CultureInfo.InvariantCulture);
}
