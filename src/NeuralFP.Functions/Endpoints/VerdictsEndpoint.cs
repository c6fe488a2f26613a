using Microsoft.AspNetCore.Mvc;
using NeuralFP.Functions.Configuration;
using NeuralFP.Functions.Endpoints.Contracts;
using NeuralFP.Functions.Http;
using NeuralFP.Storage.Registry;
using NeuralFP.Storage.Scoring;

namespace NeuralFP.Functions.Endpoints;

/// <summary><c>POST /api/models/{modelId}/verdicts</c>: per-record OOD verdicts from the model's current fingerprint.</summary>
internal static class VerdictsEndpoint
{
    public static async Task<IResult> HandleAsync(string modelId, HttpRequest request, [FromServices] ScorerCache scorers, [FromServices] ApiOptions limits, CancellationToken cancellationToken)
    {
        ModelIds.Validate(modelId);
        RecordsBodyReader.ClassifyContentType(request.ContentType);
        var model = await scorers.GetAsync(modelId, cancellationToken).ConfigureAwait(false);
        using var body = await RecordsBodyReader.ReadAsync(request, limits, cancellationToken).ConfigureAwait(false);
        var records = body.ToTensor(model.Scorer.InputShape);
        var verdicts = model.Scorer.Score(records, cancellationToken);
        var ood = 0;
        foreach (var verdict in verdicts) if (verdict.Ood) ood++;
        return Results.Json(new VerdictsResponse(modelId, model.Version, verdicts.Count, ood, verdicts), Storage.Serialization.JsonDefaults.Options);
    }
}
