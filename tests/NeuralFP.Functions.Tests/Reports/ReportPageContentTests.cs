using System.Text.RegularExpressions;
using NeuralFP.Functions.Reports;

namespace NeuralFP.Functions.Tests.Reports;

/// <summary>The page holds a plot per layer with τ and μ, the calibration and drift figures, and a batch's records.</summary>
public sealed partial class ReportPageContentTests
{
    [Fact]
    public void EveryLayerHasAPlotWithBothThresholds()
    {
        var model = SyntheticReports.Create();

        var html = ReportPage.Render(model);

        for (int i = 0; i < model.Layers.Count; i++)
        {
            var svg = ReportMarkup.Svg(html, i);
            Assert.Equal(model.Layers[i].Name, ReportMarkup.LayerName(svg));
            Assert.Equal(model.Layers[i].Upper.ToString("G4", System.Globalization.CultureInfo.InvariantCulture), ReportMarkup.ThresholdValue(svg, "threshold-upper"));
            Assert.Equal(model.Layers[i].Lower.ToString("G4", System.Globalization.CultureInfo.InvariantCulture), ReportMarkup.ThresholdValue(svg, "threshold-lower"));
            Assert.True(Regex.Count(svg, "<rect ") >= 10, $"Layer {i} histogram has too few bars.");
        }
    }

    [Fact]
    public void BatchRecordsAreMarkedAndThoseOutsideTheThresholdsStandOut()
    {
        var model = SyntheticReports.Create(batchSize: 40);

        var html = ReportPage.Render(model);

        for (int i = 0; i < model.Layers.Count; i++)
        {
            var svg = ReportMarkup.Svg(html, i);
            var layer = model.Layers[i];
            Assert.Equal(40, Regex.Count(svg, "class=\"batch-marker"));
            Assert.Equal(layer.BatchErrors!.Count(layer.IsOutside), Regex.Count(svg, "batch-marker-out"));
        }

        int flagged = Enumerable.Range(0, 40).Count(r => model.Layers.Any(l => l.IsOutside(l.BatchErrors![r])));
        Assert.Contains($"<span id=\"batch-flagged\">{flagged} of 40 records", html);
        Assert.True(flagged >= 18, $"The shifted half of the batch (20 records) should be flagged; {flagged} were.");
    }

    [Fact]
    public void WithoutABatchThereAreNoMarkers()
    {
        var html = ReportPage.Render(SyntheticReports.Create(batchSize: 0));

        Assert.DoesNotContain("class=\"batch-marker", html);
        Assert.DoesNotContain("id=\"batch\"", html);
    }

    [Fact]
    public void CalibrationAndDriftFiguresAreShown()
    {
        var model = SyntheticReports.Create();

        var html = ReportPage.Render(model);

        Assert.Contains("<th>Target false-positive rate</th><td class=\"num\">5%</td>", html);
        Assert.Contains("<th>Realised false-positive rate (held-out)</th><td class=\"num\">4.97%</td>", html);
        // Last day: 98 of 1,234 = 7.94%; window: 61 of 500 = 12.2%, far above 5% → alarm.
        Assert.Contains("id=\"last-day-rate\"><div class=\"value\">7.94%</div>", html);
        Assert.Contains("id=\"window-rate\"><div class=\"value\">12.2%</div>", html);
        Assert.Contains("<span class=\"badge alarm\">ALARM</span>", html);
    }

    [Fact]
    public void EveryStringFromTheModelIsHtmlEncoded()
    {
        string hostile = "<script>alert('x')</script>&\"";
        var model = SyntheticReports.Create(names: [hostile, "ok"]) with { ModelId = "<b>m</b>", BatchLabel = "<i>batch</i>" };

        var html = ReportPage.Render(model);

        Assert.DoesNotContain("<script", html);
        Assert.DoesNotContain("<b>m</b>", html);
        Assert.DoesNotContain("<i>batch</i>", html);
        Assert.Equal(hostile, ReportMarkup.LayerName(ReportMarkup.Svg(html, 0)));
        Assert.Contains("Fingerprint report: &lt;b&gt;m&lt;/b&gt;</h1>", html);
    }

    [Fact]
    public void PageLoadsNothingFromOutside()
    {
        var html = ReportPage.Render(SyntheticReports.Create());

        Assert.DoesNotMatch(ExternalReference(), html);
        Assert.DoesNotContain("<script", html);
    }

    [Fact]
    public void OneSidedLayersHaveNoLowerThreshold()
    {
        var model = SyntheticReports.Create();
        var oneSided = model with
        {
            Layers = model.Layers.Select(l => l with { Lower = double.NegativeInfinity }).ToList(),
            Calibration = model.Calibration with { TwoSided = false },
        };

        var html = ReportPage.Render(oneSided);

        Assert.DoesNotContain("class=\"threshold threshold-lower", html);
        Assert.Equal(model.Layers.Count, Regex.Count(html, "threshold threshold-upper"));
    }

    [Fact]
    public void ModelsThatCannotBeDrawnAreRejectedWithTheReason()
    {
        var model = SyntheticReports.Create();
        var unsorted = model with { Layers = [model.Layers[0] with { Quantiles = [0.3, 0.1, 0.2] }] };
        var noLayers = model with { Layers = [] };
        var ragged = model with { Layers = [model.Layers[0], model.Layers[1] with { BatchErrors = [1.0] }] };
        var inverted = model with { Layers = [model.Layers[0] with { Lower = 5, Upper = 1 }] };

        Assert.Contains("non-decreasing", Assert.Throws<ArgumentException>(() => ReportPage.Render(unsorted)).Message);
        Assert.Contains("at least one layer", Assert.Throws<ArgumentException>(() => ReportPage.Render(noLayers)).Message);
        Assert.Contains("one error per record", Assert.Throws<ArgumentException>(() => ReportPage.Render(ragged)).Message);
        Assert.Contains("above τ", Assert.Throws<ArgumentException>(() => ReportPage.Render(inverted)).Message);
    }

    // Anything that would make the browser fetch: src/href attributes, CSS url() or @import, <link>.
    [GeneratedRegex(@"\b(src|href)\s*=|url\(|@import|<link\b", RegexOptions.IgnoreCase)]
    private static partial Regex ExternalReference();
}
