using System.ComponentModel;
using System.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using NeuralFP.Functions.Configuration;
using NeuralFP.Functions.Http;
using NeuralFP.Functions.Monitoring;
using NeuralFP.Functions.Reports;
using NeuralFP.Application.Registry;
using NeuralFP.Application.Scoring;
using NeuralFP.Application.Telemetry;

namespace NeuralFP.Functions.Endpoints;

/// <summary>
/// <c>GET /api/models/{modelId}/report</c>: the fingerprint report (per-layer error histograms with τ and μ, calibration,
/// recent OOD rate) as one self-contained HTML page; <c>POST</c> with records marks where each record's errors fall.
/// </summary>
internal static class ReportEndpoint
{
    public const string HtmlContentType = "text/html; charset=utf-8";

    // The page has no scripts and no external assets: forbid everything else, so a report cannot be made to load anything.
    private const string ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    public static async Task<IResult> GetAsync(string modelId, HttpContext http, [FromServices] ScorerCache scorers, [FromServices] DriftReader drift, [FromServices] TimeProvider time, CancellationToken cancellationToken)
    {
        ModelIds.Validate(modelId);
        using var lease = await scorers.LeaseAsync(modelId, cancellationToken).ConfigureAwait(false);
        var model = lease.Model;
        TelemetryTags.Enrich(Activity.Current, modelId, model.Version);
        return await RenderAsync(http, model, drift, batch: null, label: null, time, cancellationToken).ConfigureAwait(false);
    }

    public static async Task<IResult> PostAsync(
        string modelId,
        HttpRequest request,
        [FromQuery(Name = "label"), Description("Name of the batch shown on the page (default: 'posted batch of N records').")] string? label,
        [FromServices] ScorerCache scorers,
        [FromServices] DriftReader drift,
        [FromServices] ApiOptions limits,
        [FromServices] TimeProvider time,
        CancellationToken cancellationToken)
    {
        ModelIds.Validate(modelId);
        RecordsBodyReader.ClassifyContentType(request.ContentType);
        using var lease = await scorers.LeaseAsync(modelId, cancellationToken).ConfigureAwait(false);
        var model = lease.Model;
        TelemetryTags.Enrich(Activity.Current, modelId, model.Version);
        using var body = await RecordsBodyReader.ReadAsync(request, limits, cancellationToken).ConfigureAwait(false);
        var verdicts = model.Scorer.Score(body.ToTensor(model.Scorer.InputShape), cancellationToken);
        return await RenderAsync(request.HttpContext, model, drift, verdicts, string.IsNullOrWhiteSpace(label) ? null : label.Trim()[..Math.Min(label.Trim().Length, 200)], time, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<IResult> RenderAsync(HttpContext http, LoadedModel model, DriftReader drift, IReadOnlyList<Core.Verdicts.Verdict>? batch, string? label, TimeProvider time, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var window = await drift.ReadWindowAsync(model, now, cancellationToken).ConfigureAwait(false);
        var page = ReportPage.Render(ReportModels.Create(model, window, batch, label, now));
        http.Response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
        http.Response.Headers.XContentTypeOptions = "nosniff";
        return Results.Content(page, HtmlContentType);
    }
}
