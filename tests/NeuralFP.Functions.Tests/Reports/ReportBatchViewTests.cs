using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using NeuralFP.Core.Tensors;
using NeuralFP.Functions.Tests.Client;
using NeuralFP.Functions.Tests.Infrastructure;

namespace NeuralFP.Functions.Tests.Reports;

/// <summary>
/// A batch posted to the served report, against a real fingerprint whose layers include the input (so explanations carry a
/// heatmap): Fashion-MNIST test images, some with a bright square pasted on. The page shows the most unusual records with
/// their input and heatmap side by side, the heatmaps of the pasted ones are hot on the square, and Chromium's screenshot
/// of the served page (report-artifacts/report-endpoint-batch.png) has painted heatmaps.
/// </summary>
public sealed class ReportBatchViewTests(ClientTests.Fixture fixture) : IClassFixture<ClientTests.Fixture>
{
    private const int Side = 28;
    private const int Square = 8;
    private const int Records = 8; // the report shows the 8 most unusual: here all of them, most unusual first

    /// <summary>Records 0, 3 and 6 get a white square, each at its own place.</summary>
    private static (FloatTensor Records, Dictionary<int, (int Top, int Left)> Squares) Batch()
    {
        var images = TestModels.Probe(Records);
        var data = (float[])images.Data.Clone();
        var squares = new Dictionary<int, (int, int)>();
        for (var r = 0; r < Records; r += 3)
        {
            int top = 3 + (r * 5) % 16, left = 4 + (r * 7) % 15;
            squares[r] = (top, left);
            for (var y = top; y < top + Square; y++)
                data.AsSpan(r * Side * Side + y * Side + left, Square).Fill(1f);
        }
        return (new FloatTensor(data, images.Shape), squares);
    }

    [Fact]
    public async Task The_most_unusual_records_show_their_input_and_a_heatmap_hot_where_the_square_was_pasted()
    {
        var (records, squares) = Batch();
        var response = await fixture.App.Http.PostAsync("api/models/cnn/report?label=pasted-squares", new StringContent(TestModels.RecordsJson(records), Encoding.UTF8, "application/json"));
        var html = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, html);

        var figures = Regex.Matches(html, "<figure class=\"unusual-record\"[^>]*data-index=\"(\\d+)\">(.*?)</figure>", RegexOptions.Singleline).ToList();
        Assert.Equal(Records, figures.Count);
        var shown = figures.Select(f => int.Parse(f.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(Enumerable.Range(0, Records), shown.Order());
        var scores = figures.Select(f => double.Parse(Regex.Match(f.Value, "score ([^ ]+) ·").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(scores.OrderDescending(), scores); // most unusual first
        foreach (var figure in figures)
        {
            var index = int.Parse(figure.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            var input = ReportMarkup.DataImage(figure.Value, "record-input");
            var heatmap = ReportMarkup.DataImage(figure.Value, "record-heatmap");
            Assert.Equal((Side, Side), (input.Width, input.Height));
            Assert.Equal((Side, Side), (heatmap.Width, heatmap.Height));
            Assert.Contains("deciding layer <code>", figure.Value, StringComparison.Ordinal);
            if (!squares.TryGetValue(index, out var square)) continue;
            // The square is white in the input and the heatmap's hottest part.
            Assert.True(input.MeanLuma(square.Left, square.Top, Square, Square) > 250, $"Record {index}: the input image lacks its square.");
            var inside = heatmap.MeanLuma(square.Left, square.Top, Square, Square);
            var everywhere = heatmap.MeanLuma(0, 0, Side, Side);
            Assert.True(inside > 2 * everywhere, $"Record {index}: heatmap luma {inside:F0} on the square, {everywhere:F0} on the whole image.");
        }

        var directory = Path.Combine(AppContext.BaseDirectory, "report-artifacts");
        Directory.CreateDirectory(directory);
        var page = Path.Combine(directory, "report-endpoint-batch.html");
        await File.WriteAllTextAsync(page, html);
        var png = Path.Combine(directory, "report-endpoint-batch.png");
        const int width = 1400, height = 1300;
        var layout = await ReportLayout.MeasureAsync(page, width, height);
        await new HeadlessChromium().ScreenshotAsync(page, png, width, height);
        var image = PngImage.Load(png);
        Assert.Equal((width, height), (image.Width, image.Height));
        var heatmaps = layout.Boxes.Where(b => b.Kind == "record-heatmap" && b.Y + b.Height <= height).ToList();
        Assert.True(heatmaps.Count >= 4, $"{heatmaps.Count} heatmaps inside the screenshot.");
        ReportLayout.AssertHeatmapsPainted(image, heatmaps, [.. layout.Boxes.Where(b => b.Kind == "record-input")]);
    }
}
