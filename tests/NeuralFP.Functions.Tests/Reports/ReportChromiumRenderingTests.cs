using System.Text.RegularExpressions;
using NeuralFP.Functions.Reports;

namespace NeuralFP.Functions.Tests.Reports;

/// <summary>
/// The report renders in a real browser: Chromium's DOM holds every layer's plot with τ and μ, and
/// its screenshot shows the bars and both threshold colours, and a batch's heatmaps. The pages and the screenshots
/// (report-screenshot.png, report-batch.png) stay in the test output folder (report-artifacts/) for a person to look at.
/// </summary>
public sealed class ReportChromiumRenderingTests
{
    private const int WindowWidth = 1200;
    private const int WindowHeight = 3200;

    private static readonly string ArtifactDirectory = Path.Combine(AppContext.BaseDirectory, "report-artifacts");

    [Fact]
    public async Task ChromiumDomHoldsEveryLayersPlotWithBothThresholds()
    {
        var model = SyntheticReports.Create();
        var page = await WritePageAsync(model, "report.html");

        var dom = await new HeadlessChromium().DumpDomAsync(page);

        Assert.Equal(model.Layers.Count, Regex.Count(dom, "<svg[^>]*class=\"layer-plot\""));
        for (int i = 0; i < model.Layers.Count; i++)
        {
            var svg = ReportMarkup.Svg(dom, i);
            Assert.Equal(model.Layers[i].Name, ReportMarkup.LayerName(svg));
            ReportMarkup.ThresholdValue(svg, "threshold-upper");
            ReportMarkup.ThresholdValue(svg, "threshold-lower");
            Assert.Equal(model.BatchSize, Regex.Count(svg, "class=\"batch-marker"));
        }
    }

    [Fact]
    public async Task ScreenshotShowsTheBarsAndBothThresholdColours()
    {
        var model = SyntheticReports.Create();
        var page = await WritePageAsync(model, "report-screenshot.html");
        var png = Path.Combine(ArtifactDirectory, "report-screenshot.png");

        await new HeadlessChromium().ScreenshotAsync(page, png, WindowWidth, WindowHeight);
        var image = PngImage.Load(png);

        Assert.Equal(WindowWidth, image.Width);
        Assert.Equal(WindowHeight, image.Height);
        // Colours from the page's stylesheet: bars #8fb3d9, τ #c0392b, μ #2458b3. Each layer adds a
        // column of bars and two dashed lines, so the counts grow with the layers drawn.
        int layers = model.Layers.Count;
        Assert.True(image.Count((0x8f, 0xb3, 0xd9), 6) > layers * 2_000, "Too few histogram bar pixels: plots not painted.");
        Assert.True(image.Count((0xc0, 0x39, 0x2b), 30) > layers * 100, "Too few τ-coloured pixels.");
        Assert.True(image.Count((0x24, 0x58, 0xb3), 30) > layers * 100, "Too few μ-coloured pixels.");
    }

    /// <summary>
    /// A batch with explanations, as a person would look at it: the screenshot (report-artifacts/report-batch.png) has the
    /// window's size, each heatmap's box on it (measured by Chromium in a copy of the page) holds many colours with a wide
    /// spread of brightness, and the page spans the window's width.
    /// </summary>
    [Fact]
    public async Task ScreenshotOfABatchWithExplanationsShowsEachRecordsHeatmap()
    {
        const int width = 1600, height = 1400;
        var model = SyntheticReports.Create();
        var page = await WritePageAsync(model, "report-batch.html");
        var png = Path.Combine(ArtifactDirectory, "report-batch.png");

        var layout = await ReportLayout.MeasureAsync(page, width, height);
        await new HeadlessChromium().ScreenshotAsync(page, png, width, height);
        var image = PngImage.Load(png);

        Assert.Equal((width, height), (image.Width, image.Height));
        Assert.Equal(width, layout.Viewport);
        // Full width: the layer plots' grid reaches the window's right margin, two plots to a row.
        Assert.True(layout.PlotsRight > width - 60, $"The plots end at x = {layout.PlotsRight} of {width}.");
        Assert.True(layout.PlotWidth > 600, $"Layer plots are {layout.PlotWidth} px wide.");
        var heatmaps = layout.Boxes.Where(b => b.Kind == "record-heatmap").ToList();
        var inputs = layout.Boxes.Where(b => b.Kind == "record-input").ToList();
        Assert.Equal(model.Unusual!.Count, heatmaps.Count);
        Assert.Equal(model.Unusual.Count, inputs.Count);
        var visible = heatmaps.Where(b => b.Y + b.Height <= height).ToList();
        Assert.True(visible.Count >= 3, $"Only {visible.Count} heatmaps are inside the screenshot.");
        ReportLayout.AssertHeatmapsPainted(image, visible, inputs);
    }

    private static async Task<string> WritePageAsync(ReportModel model, string name)
    {
        Directory.CreateDirectory(ArtifactDirectory);
        var path = Path.Combine(ArtifactDirectory, name);
        await File.WriteAllTextAsync(path, ReportPage.Render(model));
        return path;
    }
}
