using Microsoft.Azure.Functions.Worker;
using NeuralFP.Application.Ports;
using NeuralFP.Application.Serialization;
using NeuralFP.Contracts;
using NeuralFP.Functions.Contracts;
using NeuralFP.Functions.Hosting;

namespace NeuralFP.Functions.Functions;

/// <summary><c>GET /api/models</c>: every registry row, read fresh (not from the scoring cache).</summary>
public sealed class ModelsFunction(IModelRegistry registry)
{
    [Function(FunctionNames.Models)]
    public async Task<IResult> RunAsync([HttpTrigger(AuthorizationLevel.Function, "get", Route = Routes.Models)] HttpRequest request, CancellationToken cancellationToken)
    {
        var records = await registry.ListAsync(cancellationToken).ConfigureAwait(false);
        return Results.Json(new ModelList(records.Select(ModelViewMapping.ToView).ToList()), JsonDefaults.Options);
    }
}
