using Microsoft.Azure.Functions.Worker;
using NeuralFP.Application.Errors;
using NeuralFP.Application.Ports;
using NeuralFP.Application.Registry;
using NeuralFP.Application.Serialization;
using NeuralFP.Functions.Contracts;
using NeuralFP.Functions.Hosting;

namespace NeuralFP.Functions.Functions;

/// <summary><c>GET /api/models/{modelId}</c>: one registry row, read fresh (not from the scoring cache).</summary>
public sealed class ModelFunction(IModelRegistry registry)
{
    [Function(FunctionNames.Model)]
    public async Task<IResult> RunAsync([HttpTrigger(AuthorizationLevel.Function, "get", Route = Routes.Model)] HttpRequest request, string modelId, CancellationToken cancellationToken)
    {
        ModelIds.Validate(modelId);
        var record = await registry.GetAsync(modelId, cancellationToken).ConfigureAwait(false) ?? throw new ModelNotFoundException(modelId);
        return Results.Json(ModelView.From(record), JsonDefaults.Options);
    }
}
