using Microsoft.AspNetCore.Mvc;
using NeuralFP.Functions.Endpoints.Contracts;
using NeuralFP.Application.Errors;
using NeuralFP.Application.Jobs;
using NeuralFP.Application.Ports;
using NeuralFP.Application.Registry;
using NeuralFP.Application.Serialization;

namespace NeuralFP.Functions.Endpoints;

/// <summary><c>GET /api/models</c> and <c>GET /api/models/{modelId}</c>: registry rows, read fresh (not from the scoring cache).</summary>
internal static class ModelsEndpoints
{
    public static async Task<IResult> ListAsync([FromServices] IModelRegistry registry, CancellationToken cancellationToken)
    {
        var records = await registry.ListAsync(cancellationToken).ConfigureAwait(false);
        return Results.Json(new ModelList(records.Select(ModelView.From).ToList()), JsonDefaults.Options);
    }

    public static async Task<IResult> GetAsync(string modelId, [FromServices] IModelRegistry registry, [FromServices] FingerprintSweep sweep, CancellationToken cancellationToken)
    {
        ModelIds.Validate(modelId);
        var record = await registry.GetAsync(modelId, cancellationToken).ConfigureAwait(false) ?? throw new ModelNotFoundException(modelId);
        // A read that finds a stalled build starts its takeover in the background; the answer shows the row as it is.
        _ = sweep.TakeOverIfStalledAsync(record, CancellationToken.None);
        return Results.Json(ModelView.From(record), JsonDefaults.Options);
    }
}
