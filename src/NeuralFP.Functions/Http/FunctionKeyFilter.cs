using System.Security.Cryptography;
using System.Text;
using NeuralFP.Functions.Configuration;

namespace NeuralFP.Functions.Http;

/// <summary>
/// Stands in for the Functions host's <c>authLevel: function</c> check when the app runs without the host:
/// with <see cref="ApiOptions.FunctionKey"/> set, a request needs it in <c>x-functions-key</c> or <c>?code=</c>.
/// </summary>
internal sealed class FunctionKeyFilter(ApiOptions options) : IEndpointFilter
{
    public const string HeaderName = "x-functions-key";

    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
        => HasKey(context.HttpContext.Request, options.FunctionKey)
            ? next(context)
            : ValueTask.FromResult<object?>(ProblemMapper.ToProblem(new FunctionKeyMissingException()));

    internal static bool HasKey(HttpRequest request, string? expected)
    {
        if (expected is null) return true;
        var supplied = request.Headers[HeaderName].FirstOrDefault() ?? request.Query["code"].FirstOrDefault();
        return supplied is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(supplied), Encoding.UTF8.GetBytes(expected));
    }
}
