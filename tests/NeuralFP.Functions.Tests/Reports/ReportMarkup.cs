using System.Net;
using System.Text.RegularExpressions;

namespace NeuralFP.Functions.Tests.Reports;

/// <summary>Finds a layer's plot and its parts in the page's markup (as rendered, or as Chromium serialises the DOM).</summary>
internal static partial class ReportMarkup
{
    /// <summary>The whole &lt;svg&gt; element of layer <paramref name="index"/>.</summary>
    public static string Svg(string html, int index)
    {
        var match = Regex.Match(html, $"<svg[^>]*\\bid=\"layer-plot-{index}\"[^>]*>.*?</svg>", RegexOptions.Singleline);
        Assert.True(match.Success, $"No <svg id=\"layer-plot-{index}\"> in the page.");
        return match.Value;
    }

    /// <summary>The decoded data-layer attribute of an &lt;svg&gt;.</summary>
    public static string LayerName(string svg)
    {
        var match = DataLayer().Match(svg);
        Assert.True(match.Success, "The plot has no data-layer attribute.");
        return WebUtility.HtmlDecode(match.Groups[1].Value);
    }

    /// <summary>The data-value of the threshold group with class <paramref name="kind"/>.</summary>
    public static string ThresholdValue(string svg, string kind)
    {
        var match = Regex.Match(svg, $"<g class=\"threshold {kind}\" data-value=\"([^\"]+)\"><line [^>]+>");
        Assert.True(match.Success, $"The plot has no {kind} line.");
        return match.Groups[1].Value;
    }

    [GeneratedRegex("<svg[^>]*\\bdata-layer=\"([^\"]*)\"")]
    private static partial Regex DataLayer();
}
