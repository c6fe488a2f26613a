using System.Security.Cryptography;
using System.Text;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;
using NeuralFP.Functions.Configuration;
using NeuralFP.Functions.Hosting;
using NeuralFP.Functions.Http;

namespace NeuralFP.Functions.Middleware;

/// <summary>
/// Stands in for the Functions host's <c>AuthorizationLevel.Function</c> check where no host checks keys (the local host,
/// like <c>func start</c>): with <see cref="ApiOptions.FunctionKey"/> set, a request needs it in <c>x-functions-key</c> or
/// <c>?code=</c>. In Azure the host checks keys itself and the setting stays unset. Health, the OpenAPI document and the
/// not-found answer are anonymous.
/// </summary>
internal sealed class FunctionKeyMiddleware(ApiOptions options) : IFunctionsWorkerMiddleware
{
    public const string HeaderName = "x-functions-key";

    public static bool Applies(FunctionContext context)
        => HttpProblemMiddleware.Applies(context) && context.FunctionDefinition.Name is not (FunctionNames.Health or FunctionNames.OpenApi or FunctionNames.NotFound);

    public Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        var request = context.GetHttpContext()?.Request;
        if (request is not null && !HasKey(request, options.FunctionKey))
            throw new FunctionKeyMissingException();
        return next(context);
    }

    internal static bool HasKey(HttpRequest request, string? expected)
    {
        if (expected is null) return true;
        var supplied = request.Headers[HeaderName].FirstOrDefault() ?? request.Query["code"].FirstOrDefault();
        return supplied is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(supplied), Encoding.UTF8.GetBytes(expected));
    }
}
