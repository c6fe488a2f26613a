using Microsoft.AspNetCore.Mvc;
using NeuralFP.Functions.Monitoring;
using NeuralFP.Application.Serialization;

namespace NeuralFP.Functions.Endpoints;

/// <summary><c>GET /api/models/{modelId}/drift</c>: the drift window, OOD rate, p-value and alarm of the model's current fingerprint.</summary>
internal static class DriftEndpoint
{
    public static async Task<IResult> HandleAsync(string modelId, [FromServices] DriftReader drift, CancellationToken cancellationToken)
        => Results.Json(await drift.ReadAsync(modelId, cancellationToken).ConfigureAwait(false), JsonDefaults.Options);
}
