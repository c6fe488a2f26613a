using System.Diagnostics;
using Microsoft.Azure.Functions.Worker;
using NeuralFP.Application.Drift;
using NeuralFP.Application.Registry;
using NeuralFP.Application.Scoring;
using NeuralFP.Application.Serialization;
using NeuralFP.Application.Telemetry;
using NeuralFP.Core.Detectors;
using NeuralFP.Core.Tensors;
using NeuralFP.Functions.Configuration;
using NeuralFP.Contracts;
using NeuralFP.Functions.Hosting;
using NeuralFP.Functions.Http;

namespace NeuralFP.Functions.Functions;

/// <summary>
/// <c>POST /api/models/{modelId}/verdicts[?detector=name]</c>: per-record OOD verdicts from the model's current
/// fingerprint, or from one of the detectors fitted beside it. Fingerprint verdicts also feed the model's drift window
/// (written behind the request, see <see cref="DriftRecorder"/>). Each verdict carries what a gateway acts on; <c>?detail=layers</c> adds its per-layer
/// evidence (thresholds are written once per answer); <c>?explain=true[&amp;top=k]</c> adds an explanation per verdict.
/// </summary>
public sealed class VerdictsFunction(ScorerCache scorers, ApiOptions limits, DriftRecorder drift, ServiceTelemetry telemetry, TimeProvider time)
{
    [Function(FunctionNames.Verdicts)]
    public async Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = Routes.Verdicts)] HttpRequest request, string modelId, CancellationToken cancellationToken)
    {
        ModelIds.Validate(modelId);
        RecordsBodyReader.ClassifyContentType(request.ContentType);
        using var lease = await scorers.LeaseAsync(modelId, cancellationToken).ConfigureAwait(false);
        var model = lease.Model;
        TelemetryTags.Enrich(Activity.Current, modelId, model.Version);
        var chosen = DetectorChoice.Resolve(model, request.Query["detector"].FirstOrDefault());
        var layers = DetailChoice.Resolve(request.Query["detail"].FirstOrDefault());
        var explainTopK = ExplainChoice.Resolve(request.Query["explain"].FirstOrDefault(), request.Query["top"].FirstOrDefault());
        if (chosen is not null && explainTopK is not null)
            throw new BadRequestException($"Explanations are given for fingerprint verdicts; drop explain=true or detector={chosen.Name}.");
        var reading = time.GetTimestamp();
        using var body = await RecordsBodyReader.ReadAsync(request, limits, cancellationToken).ConfigureAwait(false);
        var records = body.ToTensor(model.Scorer.InputShape);
        var started = time.GetTimestamp();
        if (chosen is not null)
        {
            var response = ScoreWithDetector(model, chosen, records, cancellationToken);
            var detectorScoring = time.GetElapsedTime(started);
            ServerTiming.Write(request.HttpContext.Response, time.GetElapsedTime(reading, started), detectorScoring);
            telemetry.RecordDetectorVerdicts(modelId, model.Version, ServiceTelemetry.HttpSource, response.Detector, response.Records, response.OodRecords, detectorScoring);
            return Results.Json(response, JsonDefaults.Options);
        }

        var verdicts = model.Scorer.Score(records, cancellationToken);
        var scoring = time.GetElapsedTime(started);
        ServerTiming.Write(request.HttpContext.Response, time.GetElapsedTime(reading, started), scoring);
        telemetry.RecordVerdicts(modelId, model.Version, ServiceTelemetry.HttpSource, verdicts, scoring);
        var explanations = explainTopK is int topK ? model.Scorer.Explainer.Explain(records, verdicts, topK, cancellationToken) : null;
        await drift.RecordAsync(modelId, model.Version, model.Scorer.Fingerprint.Manifest.Calibration.TargetFpr, VerdictOutcomes.Of(verdicts), cancellationToken).ConfigureAwait(false);
        return new VerdictsResult(modelId, model.Version, verdicts, layers, explanations);
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
            detector.Detector.KeepsReferenceData, verdicts.Length, ood, verdicts, detector.Calibration.NewDataFprInterval());
    }
}
