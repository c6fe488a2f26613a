using System.ComponentModel;
using Microsoft.AspNetCore.Mvc;
using NeuralFP.Core.Detectors;
using NeuralFP.Core.Tensors;
using NeuralFP.Functions.Configuration;
using NeuralFP.Functions.Endpoints.Contracts;
using NeuralFP.Functions.Http;
using NeuralFP.Storage.Registry;
using NeuralFP.Storage.Scoring;
using NeuralFP.Storage.Serialization;

namespace NeuralFP.Functions.Endpoints;

/// <summary>
/// <c>POST /api/models/{modelId}/verdicts[?detector=name]</c>: per-record OOD verdicts from the model's current
/// fingerprint, or from one of the detectors fitted beside it.
/// </summary>
internal static class VerdictsEndpoint
{
    public static async Task<IResult> HandleAsync(
        string modelId,
        HttpRequest request,
        [FromQuery(Name = "detector"), Description("Detector to judge the records with: 'fingerprint' (the default) or one fitted beside it (msp, energy, dice, mahalanobis, knn, activation-patterns, node-histograms, gaussian-kl; GET the model to see which). Unknown names are a 400 listing the available ones.")] string? detector,
        [FromServices] ScorerCache scorers,
        [FromServices] ApiOptions limits,
        CancellationToken cancellationToken)
    {
        ModelIds.Validate(modelId);
        RecordsBodyReader.ClassifyContentType(request.ContentType);
        var model = await scorers.GetAsync(modelId, cancellationToken).ConfigureAwait(false);
        var chosen = DetectorChoice.Resolve(model, detector);
        using var body = await RecordsBodyReader.ReadAsync(request, limits, cancellationToken).ConfigureAwait(false);
        var records = body.ToTensor(model.Scorer.InputShape);
        return chosen is null
            ? Results.Json(ScoreWithFingerprint(model, records, cancellationToken), JsonDefaults.Options)
            : Results.Json(ScoreWithDetector(model, chosen, records, cancellationToken), JsonDefaults.Options);
    }

    private static VerdictsResponse ScoreWithFingerprint(LoadedModel model, FloatTensor records, CancellationToken cancellationToken)
    {
        var verdicts = model.Scorer.Score(records, cancellationToken);
        var ood = 0;
        foreach (var verdict in verdicts) if (verdict.Ood) ood++;
        return new VerdictsResponse(model.ModelId, model.Version, verdicts.Count, ood, verdicts);
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
