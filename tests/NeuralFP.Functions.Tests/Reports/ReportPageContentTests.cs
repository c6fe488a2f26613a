using System.Text.RegularExpressions;
using NeuralFP.Core.Shifts;
using NeuralFP.Core.Verdicts;
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
        // 198 of 4,000 held-out records above the threshold: Beta(199, 3,802)'s 5% and 95% quantiles.
        Assert.Contains("<th>False-positive rate on new data (90% interval)</th><td class=\"num\">4.42% to 5.55%</td>", html);
        // Last day: 98 of 1,234 = 7.94%; window: 61 of 500 = 12.2%, far above 5% → alarm.
        Assert.Contains("id=\"last-day-rate\"><div class=\"value\">7.94%</div>", html);
        Assert.Contains("id=\"window-rate\"><div class=\"value\">12.2%</div>", html);
        Assert.Contains("<span class=\"badge alarm\">ALARM</span>", html);
        Assert.DoesNotContain("Calibrated on", html);
    }

    [Fact]
    public void EachDetectorsOwnIntervalIsShownAndAFingerprintBuiltBeforeItShowsADash()
    {
        var model = SyntheticReports.Create() with
        {
            Detectors =
            [
                // 8 of 160 held-out records above the threshold: a small table's interval.
                new("combined", "weighted-min-p", 0.1, 1_000, 0.05, false, Core.Metrics.FprInterval.Of(160, 8)),
                new("knn", "k-NN", 0.2, 2_000, 0.0497, true),
            ],
        };

        var html = ReportPage.Render(model);

        var interval = Core.Metrics.FprInterval.Of(160, 8);
        Assert.Contains($"<tr><td>combined</td><td class=\"num\">5%</td><td class=\"num\">{ReportFormat.Percent(interval.Low)} to {ReportFormat.Percent(interval.High)}</td><td class=\"num\">160</td></tr>", html);
        Assert.True(interval.High - interval.Low > 0.04, "160 records leave the rate on new data uncertain by more than ±2 pp.");
        Assert.Contains("<tr><td>knn</td><td class=\"num\">4.97%</td><td class=\"num\">–</td><td class=\"num\">–</td></tr>", html);
        Assert.DoesNotContain("id=\"detectors\"", ReportPage.Render(SyntheticReports.Create()));
    }

    [Fact]
    public void ThresholdsSetOnRecordsTheModelDidNotTrainOnAreSaidSo()
    {
        var model = SyntheticReports.Create();
        model = model with { Calibration = model.Calibration with { UnseenFrom = 60_000 } };

        var html = ReportPage.Render(model);

        Assert.Contains("<th>Calibrated on</th><td class=\"num\">records 60,000 on, which the model did not train on</td>", html);
    }

    [Fact]
    public void TheSelfCheckIsShownWithWeakShiftsMarkedAndNothingWithoutIt()
    {
        var check = new SelfCheckSummary(256, "the 4,000 calibration records' own scores",
        [
            new ShiftSensitivity("blur", "Gaussian blur, σ = 1.5 px", 0.9981, 0.97, [new("knn", 0.88, 0.36)]),
            new ShiftSensitivity("occlusion", "two <10×10> patches", 0.612, 0.083, [new("knn", 0.81, 0.19), new("energy", 0.7654, 0.25)]),
        ], DetectorRecords: 209);

        var html = ReportPage.Render(SyntheticReports.Create() with { SelfCheck = check });

        var text = System.Net.WebUtility.HtmlDecode(html);
        Assert.Contains("<caption>Self-check at build: 256 calibration records per shift, against the 4,000 calibration records' own scores; the detectors beside it on the 209 held-out ones</caption>", text);
        Assert.Contains("<tr><td>blur</td><td>Gaussian blur, σ = 1.5 px</td><td class=\"num\">0.998</td><td class=\"num\">97%</td><td>knn 0.880</td></tr>", text);
        Assert.Contains("<tr class=\"weak\"><td>occlusion</td><td>two <10×10> patches</td><td class=\"num\">0.612</td><td class=\"num\">8.3%</td><td>knn 0.810 · energy 0.765</td></tr>", text);
        Assert.DoesNotContain("<10", html);
        Assert.DoesNotContain("id=\"self-check\"", ReportPage.Render(SyntheticReports.Create()));
    }

    [Fact]
    public void EachShiftsBestStatisticsAreShownAndOneThatSeesMoreThanTheFingerprintIsMarked()
    {
        var check = new SelfCheckSummary(256, "the 617 calibration records' own scores",
        [
            new ShiftSensitivity("feature noise", "each feature plus half its spread × N(0, 1)", 0.834, 0.41,
                Statistics: [new("input variation", 0.875, false), new("input error", 0.8612, false), new("/net/net.1/Relu_output_0 error", 0.61, true)]),
        ]);

        var html = System.Net.WebUtility.HtmlDecode(ReportPage.Render(SyntheticReports.Create() with { SelfCheck = check }));

        Assert.Contains("<th>its statistics alone (AUROC)</th>", html);
        Assert.Contains("<td>input variation 0.875 ▲ · input error 0.861 · /net/net.1/Relu_output_0 error (lower) 0.610</td>", html);
        Assert.DoesNotContain("statistics alone", System.Net.WebUtility.HtmlDecode(ReportPage.Render(SyntheticReports.Create() with
        {
            SelfCheck = new SelfCheckSummary(256, "calibration", [new ShiftSensitivity("blur", "blur", 0.99, 0.9)]),
        })));
    }

    [Fact]
    public void TheStatisticsTheVerdictLeavesOutAreListedWithWhyAndMarkedInTheSelfCheck()
    {
        var check = new SelfCheckSummary(256, "calibration",
            [new ShiftSensitivity("feature noise", "noise", 0.88, 0.4, Statistics: [new("input error", 0.71, false, NotRead: true)])]);
        var model = SyntheticReports.Create() with
        {
            SelfCheck = check,
            Integration = new IntegrationSummary("fisher", [new ExcludedLayer("input", "the response shifts barely move it: AUROC alone 0.711 under two-record mixtures, below 0.75")]),
        };

        var html = System.Net.WebUtility.HtmlDecode(ReportPage.Render(model));

        Assert.Contains("<caption>Left out of the verdict's fisher score</caption>", html);
        Assert.Contains("<tr><td>input</td><td>the response shifts barely move it: AUROC alone 0.711 under two-record mixtures, below 0.75</td></tr>", html);
        Assert.Contains("<td>input error (not read) 0.710</td>", html);
        Assert.DoesNotContain("id=\"left-out\"", ReportPage.Render(SyntheticReports.Create() with { Integration = new IntegrationSummary("neighbours-per-class", []) }));
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

    [Fact]
    public void ALongTailedLayerGetsALogAxisThatSpreadsItsBulk()
    {
        var model = SyntheticReports.Create();

        var html = ReportPage.Render(model);

        var input = ReportMarkup.Svg(html, 0);
        Assert.Contains("data-axis=\"log\"", input);
        Assert.Contains("reconstruction error (log scale)", input);
        // The bulk spreads over many bins instead of one bar at 0: no bin holds a quarter of the mass, and most bins have some.
        var masses = ReportMarkup.BarMasses(input);
        Assert.True(masses.Count >= 30, $"Only {masses.Count} bars drawn on the log axis.");
        Assert.True(masses.Max() < 0.25, $"One bar holds {masses.Max():P0} of the mass.");
        // τ sits well inside the plot, not squashed against the y axis.
        Assert.True(ReportMarkup.ThresholdX(input, "threshold-upper") > 58 + 0.5 * (640 - 18 - 58 - 78), "τ is squashed to the left.");
        for (int i = 1; i < model.Layers.Count; i++)
            Assert.Contains("data-axis=\"linear\"", ReportMarkup.Svg(html, i));
    }

    [Fact]
    public void RecordsBeyondTheAxisArePlacedByHowFarOutTheyAre()
    {
        var model = SyntheticReports.Create(batchSize: 0);
        var layer = model.Layers[1];
        double axisMax = double.Parse(Regex.Match(ReportMarkup.Svg(ReportPage.Render(model), 1), "data-axis-max=\"([^\"]+)\"").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        double[] errors = [layer.Quantile(0.5), axisMax * 2, axisMax * 20, axisMax * 2000];
        var withBatch = model with { Layers = [.. model.Layers.Select(l => l with { BatchErrors = l == layer ? errors : [.. errors.Select(_ => l.Quantile(0.5))] })] };

        var svg = ReportMarkup.Svg(ReportPage.Render(withBatch), 1);

        var overflow = Regex.Matches(svg, "class=\"batch-marker batch-marker-out batch-marker-overflow\" data-error=\"([^\"]+)\" x1=\"([^\"]+)\"")
            .Select(m => (Error: double.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), X: double.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture)))
            .ToList();
        Assert.Equal(3, overflow.Count);
        Assert.True(overflow[0].X < overflow[1].X && overflow[1].X < overflow[2].X, "Overflow markers are not ordered by how far out they are.");
        Assert.True(overflow[0].X > ReportMarkup.ThresholdX(svg, "threshold-upper"), "Overflow markers must sit right of the axis.");
        Assert.Contains($">{(axisMax * 2000).ToString("G4", System.Globalization.CultureInfo.InvariantCulture)}</text>", svg);
        Assert.Contains("3 beyond the axis", svg);
    }

    [Fact]
    public void HourlyRateChartsShowTheDayAndWeekWithTheCalibratedRateAndAlarmPeriods()
    {
        var model = SyntheticReports.Create();

        var html = ReportPage.Render(model);

        var day = ReportMarkup.Element(html, "svg", "rate-day");
        var week = ReportMarkup.Element(html, "svg", "rate-week");
        Assert.Contains("data-hours=\"24\"", day);
        Assert.Equal(24, Regex.Count(day, "<rect class=\"rate-bar"));
        Assert.Equal(7 * 24 - 4, Regex.Count(week, "<rect class=\"rate-bar")); // four hours had no verdicts
        // One alarm period of six hours: one shaded run, as wide as six hourly slots.
        Assert.Equal(1, Regex.Count(day, "<rect class=\"alarm-period\""));
        Assert.Contains($"data-alarm-hours=\"{SyntheticReports.AlarmHours}\"", day);
        double slot = (720 - 16 - 56) / 24.0;
        double width = double.Parse(Regex.Match(day, "class=\"alarm-period\" x=\"[^\"]+\" y=\"[^\"]+\" width=\"([^\"]+)\"").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(SyntheticReports.AlarmHours * slot, width, 1);
        Assert.Contains("<g class=\"expected-rate\" data-value=\"0.05\">", day);
        Assert.Contains("calibrated 5%", week);
        // Hours above the calibrated rate stand out.
        Assert.True(Regex.Count(day, "rate-bar rate-bar-high") >= SyntheticReports.AlarmHours);
    }

    [Fact]
    public void PerLayerFireRatesOfRecentTrafficAreListedBesideTheHeldOutRate()
    {
        var model = SyntheticReports.Create();

        var html = ReportPage.Render(model);

        var rows = Regex.Matches(html, "<tr class=\"layer-fire\" data-layer=\"([^\"]*)\" data-rate=\"([^\"]+)\">").ToList();
        Assert.Equal(model.Layers.Count, rows.Count);
        for (int l = 0; l < rows.Count; l++)
        {
            Assert.Equal(model.Layers[l].Name, System.Net.WebUtility.HtmlDecode(rows[l].Groups[1].Value));
            Assert.Equal((double)model.Drift!.LayerFires![l] / model.Drift.LayerFireRecords, double.Parse(rows[l].Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture), 4);
        }
    }

    [Fact]
    public void TheMostUnusualRecordsShowTheirInputAndHeatmapSideBySide()
    {
        var model = SyntheticReports.Create();

        var html = ReportPage.Render(model);

        var figures = Regex.Matches(html, "<figure class=\"unusual-record\"[^>]*>.*?</figure>", RegexOptions.Singleline).Select(m => m.Value).ToList();
        Assert.Equal(model.Unusual!.Count, figures.Count);
        for (int k = 0; k < figures.Count; k++)
        {
            var record = model.Unusual[k];
            Assert.Contains($"data-index=\"{record.Index}\"", figures[k]);
            var input = ReportMarkup.DataImage(figures[k], "record-input");
            var heatmap = ReportMarkup.DataImage(figures[k], "record-heatmap");
            Assert.Equal((28, 28), (input.Width, input.Height));
            Assert.Equal((28, 28), (heatmap.Width, heatmap.Height));
            // The pasted square is where the heatmap is hot and the input is bright.
            var square = record.Explanation!.Input!.TopFeatures[0].Position;
            Assert.True(heatmap.MeanLuma(square[2], square[1], 5, 5) > heatmap.MeanLuma(0, 0, 4, 4) + 100, $"Record {record.Index}: the heatmap is not hot on the square.");
            Assert.True(input.MeanLuma(square[2], square[1], 5, 5) > 240);
            Assert.Contains("deciding layer <code>input</code> (its error out of its interval)", figures[k]);
        }
    }

    // Anything that would make the browser fetch: src/href attributes (data: URIs excepted: they fetch nothing), CSS url() or @import, <link>.
    [GeneratedRegex(@"\b(src|href)\s*=\s*""(?!data:)|url\(|@import|<link\b", RegexOptions.IgnoreCase)]
    private static partial Regex ExternalReference();
}
