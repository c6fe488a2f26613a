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

    /// <summary>The x of the threshold line with class <paramref name="kind"/>.</summary>
    public static double ThresholdX(string svg, string kind)
    {
        var match = Regex.Match(svg, $"<g class=\"threshold {kind}\" data-value=\"[^\"]+\"><line x1=\"([^\"]+)\"");
        Assert.True(match.Success, $"The plot has no {kind} line.");
        return double.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Each histogram bar's share of the held-out errors (from its tooltip "a – b: x%").</summary>
    public static List<double> BarMasses(string svg)
    {
        var bars = Regex.Match(svg, "<g class=\"bars\">(.*?)</g>", RegexOptions.Singleline).Groups[1].Value;
        return Regex.Matches(bars, ": ([0-9.]+)%</title>").Select(m => double.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) / 100).ToList();
    }

    /// <summary>The whole element with tag <paramref name="tag"/> and id <paramref name="id"/>.</summary>
    public static string Element(string html, string tag, string id)
    {
        var match = Regex.Match(html, $"<{tag}[^>]*\\bid=\"{Regex.Escape(id)}\"[^>]*>.*?</{tag}>", RegexOptions.Singleline);
        Assert.True(match.Success, $"No <{tag} id=\"{id}\"> in the page.");
        return match.Value;
    }

    /// <summary>The PNG data URI of the &lt;img&gt; with class <paramref name="kind"/>, decoded.</summary>
    public static PngImage DataImage(string html, string kind)
    {
        var match = Regex.Match(html, $"<img class=\"{kind}\"[^>]*src=\"data:image/png;base64,([^\"]+)\"");
        Assert.True(match.Success, $"No {kind} image.");
        return PngImage.Decode(Convert.FromBase64String(match.Groups[1].Value), kind);
    }

    [GeneratedRegex("<svg[^>]*\\bdata-layer=\"([^\"]*)\"")]
    private static partial Regex DataLayer();
}
