using System.Diagnostics;
using Microsoft.Azure.Functions.Worker;
using NeuralFP.Application.Registry;
using NeuralFP.Application.Scoring;
using NeuralFP.Application.Telemetry;
using NeuralFP.Functions.Configuration;
using NeuralFP.Functions.Hosting;
using NeuralFP.Functions.Http;
using NeuralFP.Functions.Monitoring;
using NeuralFP.Functions.Reports;

namespace NeuralFP.Functions.Functions;

/// <summary>
/// <c>GET /api/models/{modelId}/report</c>: the fingerprint report (per-layer error histograms with τ and μ, calibration,
/// the hourly OOD rate over the last day and week with alarm periods, per-layer fire rates) as one self-contained HTML page;
/// <c>POST</c> with records (and <c>?label=</c>) marks where each record's errors fall and shows the most unusual records
/// with their input and explanation heatmap side by side.
/// </summary>
public sealed class ReportFunction(ScorerCache scorers, DriftReader drift, ApiOptions limits, TimeProvider time)
{
    public const string HtmlContentType = "text/html; charset=utf-8";

    // The page has no scripts and no external assets: forbid everything else, so a report cannot be made to load anything.
    private const string ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    [Function(FunctionNames.Report)]
    public async Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", "post", Route = Routes.Report)] HttpRequest request, string modelId, CancellationToken cancellationToken)
    {
        ModelIds.Validate(modelId);
        var posted = HttpMethods.IsPost(request.Method);
        if (posted) RecordsBodyReader.ClassifyContentType(request.ContentType);
        using var lease = await scorers.LeaseAsync(modelId, cancellationToken).ConfigureAwait(false);
        var model = lease.Model;
        TelemetryTags.Enrich(Activity.Current, modelId, model.Version);
        PostedBatch? batch = null;
        if (posted)
        {
            using var body = await RecordsBodyReader.ReadAsync(request, limits, cancellationToken).ConfigureAwait(false);
            var records = body.ToTensor(model.Scorer.InputShape);
            batch = new PostedBatch(records, model.Scorer.Score(records, cancellationToken));
        }
        var now = time.GetUtcNow();
        var (window, hours) = await drift.ReadWindowAsync(model, now, cancellationToken).ConfigureAwait(false);
        var page = ReportPage.Render(ReportModels.Create(model, window, hours, batch, Label(request.Query["label"].FirstOrDefault()), now, cancellationToken));
        request.HttpContext.Response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
        request.HttpContext.Response.Headers.XContentTypeOptions = "nosniff";
        return Results.Content(page, HtmlContentType);
    }

    private static string? Label(string? label) => string.IsNullOrWhiteSpace(label) ? null : label.Trim()[..Math.Min(label.Trim().Length, 200)];
}
