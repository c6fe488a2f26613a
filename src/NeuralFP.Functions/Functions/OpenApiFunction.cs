using Microsoft.Azure.Functions.Worker;
using NeuralFP.Functions.Hosting;
using NeuralFP.Functions.OpenApi;

namespace NeuralFP.Functions.Functions;

/// <summary><c>GET /api/openapi.json</c>: the OpenAPI 3.1 document of the HTTP functions (see <see cref="ApiDescription"/>).</summary>
public sealed class OpenApiFunction(ApiDocument api)
{
    [Function(FunctionNames.OpenApi)]
    public async Task<IResult> RunAsync([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.OpenApi)] HttpRequest request, CancellationToken cancellationToken)
        => Results.Text(await api.GetJsonAsync(cancellationToken).ConfigureAwait(false), "application/json; charset=utf-8");
}
