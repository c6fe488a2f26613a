using System.Diagnostics;
using NeuralFP.Application.Telemetry;

namespace NeuralFP.Functions.Telemetry;

/// <summary>
/// One span per function invocation (source "NeuralFP", named after the function) and a log scope carrying the
/// invocation id and, when the route names one, the model id. Handlers add the model version and batch id to both
/// once they know them (<see cref="TelemetryTags.Enrich"/>). The invocation id is the Functions host's
/// (<c>X-Azure-Functions-InvocationId</c>) when it sent one, else the request's trace identifier.
/// </summary>
internal sealed class FunctionTelemetryFilter(string functionName, string trigger) : IEndpointFilter
{
    public const string InvocationIdHeader = "X-Azure-Functions-InvocationId";

    /// <summary>Values of <see cref="TelemetryTags.Trigger"/> (OpenTelemetry FaaS conventions).</summary>
    public const string HttpTrigger = "http";
    public const string QueueTrigger = "pubsub";
    public const string BlobTrigger = "datasource";

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var invocationId = http.Request.Headers[InvocationIdHeader].FirstOrDefault() ?? http.TraceIdentifier;
        var modelId = http.GetRouteValue("modelId") as string;
        using var activity = ServiceTelemetry.ActivitySource.StartActivity(functionName, ActivityKind.Internal);
        activity?.SetTag(TelemetryTags.FunctionName, functionName);
        activity?.SetTag(TelemetryTags.Trigger, trigger);
        activity?.SetTag(TelemetryTags.InvocationId, invocationId);
        if (modelId is not null) activity?.SetTag(TelemetryTags.ModelId, modelId);

        var logger = http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("NeuralFP.Functions." + functionName);
        using var scope = logger.BeginScope(new Dictionary<string, object?>
        {
            ["InvocationId"] = invocationId,
            ["FunctionName"] = functionName,
            ["ModelId"] = modelId,
        });
        try
        {
            var result = await next(context).ConfigureAwait(false);
            if (result is IStatusCodeHttpResult { StatusCode: >= 500 } failed)
                activity?.SetStatus(ActivityStatusCode.Error, $"HTTP {failed.StatusCode}");
            return result;
        }
        catch (Exception e)
        {
            // A bad request is the caller's fault, not a failed invocation.
            if (!Http.ProblemMapper.IsClientError(e))
            {
                activity?.SetStatus(ActivityStatusCode.Error, e.Message);
                activity?.AddException(e);
            }
            throw;
        }
    }
}
