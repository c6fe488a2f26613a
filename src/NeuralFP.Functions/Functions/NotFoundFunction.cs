using Microsoft.Azure.Functions.Worker;
using NeuralFP.Functions.Hosting;
using NeuralFP.Functions.OpenApi;

namespace NeuralFP.Functions.Functions;

/// <summary>
/// Any other path under <c>/api</c> (the catch-all route has the lowest precedence): a problem+json 404, or 405 when
/// the path is served but not for this method, pointing at the OpenAPI document instead of a bare status.
/// </summary>
public sealed class NotFoundFunction(ApiDocument api)
{
    [Function(FunctionNames.NotFound)]
    public IResult Run([HttpTrigger(AuthorizationLevel.Anonymous, "get", "post", "put", "patch", "delete", Route = Routes.Anything)] HttpRequest request)
    {
        var path = request.Path.Value ?? "/";
        return api.ServesPath(path)
            ? Results.Problem(statusCode: StatusCodes.Status405MethodNotAllowed, detail: $"{request.Method} is not allowed on {path}; GET /api/openapi.json lists the methods.")
            : Results.Problem(statusCode: StatusCodes.Status404NotFound, detail: $"No endpoint at {path}; GET /api/openapi.json lists them.");
    }
}
