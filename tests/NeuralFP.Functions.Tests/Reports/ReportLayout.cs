using System.Text.RegularExpressions;

namespace NeuralFP.Functions.Tests.Reports;

/// <summary>Where Chromium lays out a report's images and plots, and checks on a screenshot's heatmap boxes.</summary>
internal static class ReportLayout
{
    public sealed record Box(string Kind, int X, int Y, int Width, int Height);

    public sealed record Layout(int Viewport, int PlotsRight, int PlotWidth, IReadOnlyList<Box> Boxes);

    /// <summary>
    /// Where Chromium lays out the images and plots at the given window size: a copy of the page with a measuring script
    /// appended (the report itself has no scripts), its DOM dumped with the boxes written into it.
    /// </summary>
    public static async Task<Layout> MeasureAsync(string page, int width, int height)
    {
        const string script = """
            <script>
            (() => {
              const r = e => e.getBoundingClientRect();
              const boxes = [...document.querySelectorAll('img.record-input, img.record-heatmap')].map(e =>
                [e.className, Math.round(r(e).left + scrollX), Math.round(r(e).top + scrollY), Math.round(r(e).width), Math.round(r(e).height)].join(' '));
              const plots = document.querySelector('.plots');
              const plot = document.querySelector('.layer-plot');
              const out = document.createElement('pre');
              out.id = 'layout';
              out.textContent = [document.documentElement.clientWidth, Math.round(r(plots).right), Math.round(r(plot).width), ...boxes].join('\n');
              document.body.appendChild(out);
            })();
            </script>
            """;
        var measured = Path.ChangeExtension(page, ".layout.html");
        await File.WriteAllTextAsync(measured, (await File.ReadAllTextAsync(page)).Replace("</body>", script + "</body>", StringComparison.Ordinal));
        try
        {
            var dom = await new HeadlessChromium().DumpDomAsync(measured, width, height);
            var text = Regex.Match(dom, "<pre id=\"layout\">(.*?)</pre>", RegexOptions.Singleline);
            Assert.True(text.Success, "The measuring script did not run.");
            var lines = text.Groups[1].Value.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            var boxes = lines.Skip(3).Select(l => l.Split(' ')).Select(p => new Box(p[0], int.Parse(p[1]), int.Parse(p[2]), int.Parse(p[3]), int.Parse(p[4]))).ToList();
            return new Layout(int.Parse(lines[0]), int.Parse(lines[1]), int.Parse(lines[2]), boxes);
        }
        finally
        {
            File.Delete(measured);
        }
    }

    /// <summary>Each heatmap box on the screenshot holds many colours with a wide spread of brightness, and so does the input image left of it.</summary>
    public static void AssertHeatmapsPainted(PngImage image, IEnumerable<Box> heatmaps, IReadOnlyList<Box> inputs)
    {
        foreach (var box in heatmaps)
        {
            var (colours, spread) = image.Variety(box.X + 2, box.Y + 2, box.Width - 4, box.Height - 4);
            Assert.True(colours >= 20, $"Heatmap at ({box.X},{box.Y}) has {colours} colours.");
            Assert.True(spread > 25, $"Heatmap at ({box.X},{box.Y}) has a luma spread of {spread:F1}.");
            var input = inputs.Where(i => Math.Abs(i.Y - box.Y) < 4 && i.X < box.X).MaxBy(i => i.X)!;
            Assert.True(image.Variety(input.X + 2, input.Y + 2, input.Width - 4, input.Height - 4).LumaSpread > 25, "The input image beside a heatmap is blank.");
        }
    }
}
