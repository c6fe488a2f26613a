using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using NeuralFP.Functions.Tests.Infrastructure;

namespace NeuralFP.Functions.Tests.Reports;

/// <summary>
/// <c>GET /api/models/{modelId}/report</c> serves the report of the current fingerprint as a self-contained HTML page,
/// one plot per fingerprinted layer with τ at the layer's threshold; <c>POST</c> with records marks each record on
/// every plot; Chromium renders the served page with every plot.
/// </summary>
public sealed class ReportEndpointTests(ReadyModelFixture fixture) : IClassFixture<ReadyModelFixture>
{
    private const string Url = $"api/models/{ReadyModelFixture.ModelId}/report";

    private static int PlotCount(string html) => Regex.Count(html, "<svg[^>]*class=\"layer-plot\"");

    private async Task<string> HtmlAsync(HttpResponseMessage response)
    {
        var html = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, html);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("default-src 'none'", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        return html;
    }

    [Fact]
    public async Task The_page_has_one_plot_per_layer_with_the_fingerprints_thresholds()
    {
        var html = await HtmlAsync(await fixture.App.Http.GetAsync(Url));
        var layers = fixture.Ready.Layers;

        Assert.Equal(layers.Count, PlotCount(html));
        for (var i = 0; i < layers.Count; i++)
        {
            var svg = ReportMarkup.Svg(html, i);
            Assert.Equal(layers[i], ReportMarkup.LayerName(svg));
            Assert.True(double.Parse(ReportMarkup.ThresholdValue(svg, "threshold-upper"), System.Globalization.CultureInfo.InvariantCulture) > 0);
            Assert.DoesNotContain("batch-marker", svg, StringComparison.Ordinal);
        }
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("src=\"http", html, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_posted_batch_is_marked_on_every_plot()
    {
        var records = TestModels.Probe(6);
        var response = await fixture.App.Http.PostAsync(Url + "?label=gateway-7", new StringContent(TestModels.RecordsJson(records), Encoding.UTF8, "application/json"));
        var html = await HtmlAsync(response);

        Assert.Contains("gateway-7", html, StringComparison.Ordinal);
        for (var i = 0; i < fixture.Ready.Layers.Count; i++)
            Assert.Equal(records.Records, Regex.Count(ReportMarkup.Svg(html, i), "class=\"batch-marker"));
    }

    [Fact]
    public async Task Recent_verdicts_appear_once_recorded()
    {
        var posted = await fixture.App.Http.PostAsync($"api/models/{ReadyModelFixture.ModelId}/verdicts", new StringContent(TestModels.RecordsJson(TestModels.Probe(5)), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, posted.StatusCode);
        // HTTP verdicts reach the drift table at the next flush (1 s by default).
        await Eventually.UntilAsync(async () =>
            JsonDocument.Parse(await fixture.App.Http.GetStringAsync($"api/models/{ReadyModelFixture.ModelId}/drift")).RootElement.GetProperty("totalRecords").GetInt64() >= 5,
            "the verdicts to reach the drift window");

        var html = await HtmlAsync(await fixture.App.Http.GetAsync(Url));

        Assert.Contains("id=\"drift-alarm\"", html, StringComparison.Ordinal);
        Assert.Contains("id=\"last-day-rate\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_models_and_bad_batches_are_problems()
    {
        await Problems.AssertProblemAsync(await fixture.App.Http.GetAsync("api/models/nobody/report"), HttpStatusCode.NotFound, "nobody");
        await Problems.AssertProblemAsync(await fixture.App.Http.PostAsync(Url, new StringContent("{\"records\":[[1,2,3]]}", Encoding.UTF8, "application/json")), HttpStatusCode.BadRequest, "784");
    }

    [Fact]
    public async Task Chromium_renders_the_served_page_with_every_plot()
    {
        var html = await HtmlAsync(await fixture.App.Http.PostAsync(Url, new StringContent(TestModels.RecordsJson(TestModels.Probe(4)), Encoding.UTF8, "application/json")));
        var directory = Path.Combine(AppContext.BaseDirectory, "report-artifacts");
        Directory.CreateDirectory(directory);
        var page = Path.Combine(directory, "report-endpoint.html");
        await File.WriteAllTextAsync(page, html);

        var dom = await new HeadlessChromium().DumpDomAsync(page);

        Assert.Equal(fixture.Ready.Layers.Count, PlotCount(dom));
        for (var i = 0; i < fixture.Ready.Layers.Count; i++)
            Assert.Equal(fixture.Ready.Layers[i], ReportMarkup.LayerName(ReportMarkup.Svg(dom, i)));
    }
}
