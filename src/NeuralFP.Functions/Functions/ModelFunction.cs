using Microsoft.Azure.Functions.Worker;
using NeuralFP.Application.Errors;
using NeuralFP.Application.Jobs;
using NeuralFP.Application.Ports;
using NeuralFP.Application.Registry;
using NeuralFP.Application.Serialization;
using NeuralFP.Contracts;
using NeuralFP.Functions.Contracts;
using NeuralFP.Functions.Hosting;

namespace NeuralFP.Functions.Functions;

/// <summary><c>GET /api/models/{modelId}</c>: one registry row, read fresh (not from the scoring cache).</summary>
public sealed class ModelFunction(IModelRegistry registry, FingerprintSweep sweep)
{
    [Function(FunctionNames.Model)]
    public async Task<IResult> RunAsync([HttpTrigger(AuthorizationLevel.Function, "get", Route = Routes.Model)] HttpRequest request, string modelId, CancellationToken cancellationToken)
    {
        ModelIds.Validate(modelId);
        var record = await registry.GetAsync(modelId, cancellationToken).ConfigureAwait(false) ?? throw new ModelNotFoundException(modelId);
        // A read that finds a stalled build starts its takeover in the background; the answer shows the row as it is.
        _ = sweep.TakeOverIfStalledAsync(record, CancellationToken.None);
        return Results.Json(record.ToView(), JsonDefaults.Options);
    }
}
