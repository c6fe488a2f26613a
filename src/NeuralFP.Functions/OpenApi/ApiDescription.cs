using System.ComponentModel;
using Microsoft.AspNetCore.Mvc;
using NeuralFP.Contracts;
using NeuralFP.Functions.Hosting;
using NeuralFP.Functions.Http;

namespace NeuralFP.Functions.OpenApi;

/// <summary>
/// The HTTP functions as the OpenAPI generator (Microsoft.AspNetCore.OpenApi) sees them: each function's route and
/// methods (the same <see cref="Routes"/> constants its trigger uses), parameters, bodies, responses and problem answers.
/// These endpoints are never served; <see cref="ApiDocument"/> only asks the generator to describe them. A contract test
/// checks that they match the functions in functions.metadata.
/// </summary>
internal static class ApiDescription
{
    private const string DetectorDescription = "Detector to judge the records with: 'fingerprint' (the default) or one fitted beside it (msp, energy, dice, mahalanobis, knn, activation-patterns, node-histograms, gaussian-kl; GET the model to see which). Unknown names are a 400 listing the available ones.";
    private const string IfNoneMatchDescription = "The ETag of the archive the gateway holds: 304 Not Modified when it is still the current one.";
    private const string ExplainDescription = "true: add one explanation per fingerprint verdict (the deciding layer; for an input-layer autoencoder the top-k input features of its reconstruction error, for images a [H][W] heatmap, and where the fingerprint reads it the grid cell of its largest regional error). Costs one more small run; not with ?detector.";
    private const string DetailDescription = "'verdict' (the default): each fingerprint verdict carries ood, score, pValue, predictedClass, maxProbability and decidingLayer; 'layers': also its per-layer evidence (error, pValue, fired, in the order of the answer's layers, whose thresholds appear once per answer).";
    private const string TopDescription = "How many input features each explanation names (1-1000, default 10); only with explain=true.";
    private const string LabelDescription = "Name of the batch shown on the page (default: 'posted batch of N records').";

    public static void Map(IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/" + Routes.Prefix);
        api.MapPost(Routes.Verdicts, (string modelId, [FromQuery(Name = "detector"), Description(DetectorDescription)] string? detector,
                [FromQuery(Name = "detail"), Description(DetailDescription)] string? detail,
                [FromQuery(Name = "explain"), Description(ExplainDescription)] bool? explain, [FromQuery(Name = "top"), Description(TopDescription)] int? top) => Results.Empty)
            .WithName(FunctionNames.Verdicts)
            .WithSummary("Per-record out-of-distribution verdicts from the model's current fingerprint, or with ?detector=name from a detector fitted beside it.")
            .AcceptsRecords()
            .Produces<VerdictsResponse>()
            .AddOpenApiOperationTransformer(OpenApiDocumentation.VerdictsResponses)
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict);
        api.MapPost(Routes.Match, () => Results.Empty)
            .WithName(FunctionNames.Match)
            .WithSummary("Ranks every ready model whose input shape the records fit by how well the batch matches its training distribution.")
            .AcceptsRecords()
            .Produces<MatchResponse>()
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized, StatusCodes.Status409Conflict);
        api.MapGet(Routes.Models, () => Results.Empty)
            .WithName(FunctionNames.Models)
            .WithSummary("Every model with its status, current version, layers, calibration and timestamps.")
            .Produces<ModelList>()
            .ProducesProblems(StatusCodes.Status401Unauthorized);
        api.MapGet(Routes.Model, (string modelId) => Results.Empty)
            .WithName(FunctionNames.Model)
            .WithSummary("One model's status, current version, layers, calibration and timestamps.")
            .Produces<ModelView>()
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized, StatusCodes.Status404NotFound);
        api.MapGet(Routes.Drift, (string modelId) => Results.Empty)
            .WithName(FunctionNames.Drift)
            .WithSummary("The drift test of the model's current fingerprint: its rolling window of verdicts, OOD rate, one-sided binomial p-value against the calibrated FPR, and alarm.")
            .Produces<DriftView>()
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict);
        api.MapGet(Routes.Report, (string modelId) => Results.Empty)
            .WithName(FunctionNames.Report)
            .WithSummary("The fingerprint report: per-layer histograms of held-out reconstruction errors with τ and μ, calibration figures and the recent OOD rate, as one self-contained HTML page.")
            .Produces<string>(StatusCodes.Status200OK, "text/html")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict);
        api.MapPost(Routes.Report, (string modelId, [FromQuery(Name = "label"), Description(LabelDescription)] string? label) => Results.Empty)
            .WithName(FunctionNames.Report + "WithBatch")
            .WithSummary("The fingerprint report with the posted records marked on each layer's histogram (same body formats as verdicts).")
            .AcceptsRecords()
            .Produces<string>(StatusCodes.Status200OK, "text/html")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict);
        api.MapGet(Routes.FingerprintDownload, (string modelId, [FromHeader(Name = "If-None-Match"), Description(IfNoneMatchDescription)] string? ifNoneMatch) => Results.Empty)
            .WithName(FunctionNames.FingerprintDownload)
            .WithSummary("The current fingerprint version as one zip archive for an edge gateway: artifact.json (model id, version, model SHA-256, files) then fingerprint.json, scorer.onnx and detectors.json. Strong ETag; X-NeuralFP-Model-Version and X-NeuralFP-Model-Sha256 headers.")
            .Produces<Stream>(StatusCodes.Status200OK, Core.Artifacts.FingerprintArchive.MediaType)
            .Produces(StatusCodes.Status304NotModified)
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict);
        api.MapGet(Routes.Health, () => Results.Empty)
            .WithName(FunctionNames.Health)
            .WithSummary("200 when storage answers, 503 otherwise.")
            .Produces<HealthReport>()
            .Produces<HealthReport>(StatusCodes.Status503ServiceUnavailable);
        api.MapGet(Routes.OpenApi, () => Results.Empty)
            .WithName(FunctionNames.OpenApi)
            .WithSummary("This document (OpenAPI 3.1).")
            .Produces(StatusCodes.Status200OK);
    }

    /// <summary>Declares problem+json answers for the given status codes.</summary>
    private static RouteHandlerBuilder ProducesProblems(this RouteHandlerBuilder endpoint, params int[] statusCodes)
    {
        foreach (var status in statusCodes) endpoint.ProducesProblem(status);
        return endpoint;
    }

    /// <summary>A records body (JSON or .npy), with the problems only a body can cause: too large, wrong content type.</summary>
    private static RouteHandlerBuilder AcceptsRecords(this RouteHandlerBuilder endpoint) =>
        endpoint.Accepts<RecordsRequest>("application/json", RecordsBodyReader.NpyContentType)
            .ProducesProblems(StatusCodes.Status413PayloadTooLarge, StatusCodes.Status415UnsupportedMediaType);
}
