using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using NeuralFP.Application.Ports;
using NeuralFP.Core.Fingerprints;
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

    [Fact]
    public async Task The_report_gives_a_fingerprint_built_before_the_detector_intervals_the_ones_its_stored_calibrations_imply()
    {
        var files = (await fixture.App.Services.GetRequiredService<IFingerprintStore>().ReadAsync(ReadyModelFixture.ModelId, fixture.Ready.CurrentVersion!.Value, CancellationToken.None))
            .ToDictionary(f => f.Key, f => f.Value);
        var json = System.Text.Json.Nodes.JsonNode.Parse(files[Fingerprint.ManifestFileName])!;
        foreach (var detector in json["detectors"]!.AsArray()) Assert.True(detector!.AsObject().Remove("newDataFpr"));
        files[Fingerprint.ManifestFileName] = Encoding.UTF8.GetBytes(json.ToJsonString());
        using var scorer = new FingerprintScorer(Fingerprint.FromFiles(files));
        Assert.All(scorer.Fingerprint.Manifest.Detectors, d => Assert.Null(d.NewDataFpr));

        var model = new NeuralFP.Application.Scoring.LoadedModel(new NeuralFP.Application.Registry.ModelRecord { ModelId = ReadyModelFixture.ModelId }, fixture.Ready.CurrentVersion.Value, scorer);
        var report = NeuralFP.Functions.Reports.ReportModels.Create(model, new NeuralFP.Contracts.DriftView(ReadyModelFixture.ModelId, fixture.Ready.CurrentVersion.Value, 500, 0, 0, 0, 0.05, 1, 0.001, 100, false, null, 0, 0, 0, null, 0, null), Array.Empty<NeuralFP.Application.Drift.HourlyCount>(), null, null, DateTimeOffset.UtcNow);

        Assert.Equal(scorer.Fingerprint.Detectors.Names, report.Detectors!.Select(d => d.Name));
        Assert.All(report.Detectors!, d => Assert.Equal(scorer.Fingerprint.Detectors[d.Name].Calibration.NewDataFprInterval(), d.NewDataFpr));
    }
}
