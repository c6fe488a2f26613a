using System.ComponentModel;
using System.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using NeuralFP.Core.Detectors;
using NeuralFP.Core.Tensors;
using NeuralFP.Functions.Configuration;
using NeuralFP.Functions.Endpoints.Contracts;
using NeuralFP.Functions.Http;
using NeuralFP.Application.Drift;
using NeuralFP.Application.Registry;
using NeuralFP.Application.Scoring;
using NeuralFP.Application.Serialization;
using NeuralFP.Application.Telemetry;

namespace NeuralFP.Functions.Endpoints;

/// <summary>
/// <c>POST /api/models/{modelId}/verdicts[?detector=name]</c>: per-record OOD verdicts from the model's current
/// fingerprint, or from one of the detectors fitted beside it. Fingerprint verdicts also feed the model's drift window.
/// </summary>
internal static class VerdictsEndpoint
{
    public static async Task<IResult> HandleAsync(
        string modelId,
        HttpRequest request,
        [FromQuery(Name = "detector"), Description("Detector to judge the records with: 'fingerprint' (the default) or one fitted beside it (msp, energy, dice, mahalanobis, knn, activation-patterns, node-histograms, gaussian-kl; GET the model to see which). Unknown names are a 400 listing the available ones.")] string? detector,
        [FromServices] ScorerCache scorers,
        [FromServices] ApiOptions limits,
        [FromServices] DriftRecorder drift,
        [FromServices] ServiceTelemetry telemetry,
        [FromServices] TimeProvider time,
        CancellationToken cancellationToken)
    {
        ModelIds.Validate(modelId);
        RecordsBodyReader.ClassifyContentType(request.ContentType);
        using var lease = await scorers.LeaseAsync(modelId, cancellationToken).ConfigureAwait(false);
        var model = lease.Model;
        TelemetryTags.Enrich(Activity.Current, modelId, model.Version);
        var chosen = DetectorChoice.Resolve(model, detector);
        using var body = await RecordsBodyReader.ReadAsync(request, limits, cancellationToken).ConfigureAwait(false);
        var records = body.ToTensor(model.Scorer.InputShape);
        var started = time.GetTimestamp();
        if (chosen is not null)
        {
            var response = ScoreWithDetector(model, chosen, records, cancellationToken);
            telemetry.RecordDetectorVerdicts(modelId, model.Version, ServiceTelemetry.HttpSource, response.Detector, response.Records, response.OodRecords, time.GetElapsedTime(started));
            return Results.Json(response, JsonDefaults.Options);
        }

        var verdicts = model.Scorer.Score(records, cancellationToken);
        telemetry.RecordVerdicts(modelId, model.Version, ServiceTelemetry.HttpSource, verdicts, time.GetElapsedTime(started));
        var outcomes = new bool[verdicts.Count];
        var ood = 0;
        for (var i = 0; i < outcomes.Length; i++)
            if (outcomes[i] = verdicts[i].Ood) ood++;
        await drift.RecordAsync(modelId, model.Version, model.Scorer.Fingerprint.Manifest.Calibration.TargetFpr, outcomes, cancellationToken).ConfigureAwait(false);
        return Results.Json(new VerdictsResponse(modelId, model.Version, verdicts.Count, ood, verdicts), JsonDefaults.Options);
    }

    private static DetectorVerdictsResponse ScoreWithDetector(LoadedModel model, CalibratedDetector detector, FloatTensor records, CancellationToken cancellationToken)
    {
        var scores = model.Scorer.ScoreDetectors(records, [detector.Name], cancellationToken)[0];
        var verdicts = new DetectorVerdict[scores.Scores.Length];
        var ood = 0;
        for (var r = 0; r < verdicts.Length; r++)
        {
            verdicts[r] = new DetectorVerdict(scores.Detector, scores.Scores[r], scores.Ood[r], scores.PValues[r], scores.Threshold);
            if (scores.Ood[r]) ood++;
        }
        return new DetectorVerdictsResponse(model.ModelId, model.Version, scores.Detector, scores.Threshold, detector.TargetFpr,
            detector.Detector.KeepsReferenceData, verdicts.Length, ood, verdicts);
    }
}
