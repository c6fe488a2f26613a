using Microsoft.Azure.Functions.Worker;
using NeuralFP.Application.Serialization;
using NeuralFP.Functions.Hosting;
using NeuralFP.Functions.Monitoring;

namespace NeuralFP.Functions.Functions;

/// <summary><c>GET /api/models/{modelId}/drift</c>: the drift window, OOD rate, p-value and alarm of the model's current fingerprint.</summary>
public sealed class DriftFunction(DriftReader drift)
{
    [Function(FunctionNames.Drift)]
    public async Task<IResult> RunAsync([HttpTrigger(AuthorizationLevel.Function, "get", Route = Routes.Drift)] HttpRequest request, string modelId, CancellationToken cancellationToken)
        => Results.Json(await drift.ReadAsync(modelId, cancellationToken).ConfigureAwait(false), JsonDefaults.Options);
}
