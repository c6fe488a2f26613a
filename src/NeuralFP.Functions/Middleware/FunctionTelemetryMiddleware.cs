using System.Diagnostics;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;
using NeuralFP.Application.Telemetry;
using NeuralFP.Functions.Http;

namespace NeuralFP.Functions.Middleware;

/// <summary>
/// One span per function invocation (source "NeuralFP", named after the function) and a log scope carrying the
/// invocation id, the function name and, when the trigger names one, the model id. Functions add the model version
/// and batch id once they know them (<see cref="TelemetryTags.Enrich"/>). A bad request is the caller's fault, not a
/// failed invocation: only server faults mark the span as an error.
/// </summary>
internal sealed class FunctionTelemetryMiddleware(ILoggerFactory loggers) : IFunctionsWorkerMiddleware
{
    /// <summary>Values of <see cref="TelemetryTags.Trigger"/> (OpenTelemetry FaaS conventions).</summary>
    public const string HttpTrigger = "http";
    public const string QueueTrigger = "pubsub";
    public const string BlobTrigger = "datasource";
    public const string TimerTrigger = "timer";

    // One logger per function, made once (the middleware is a singleton; the factory would look the name up every time).
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, ILogger> _loggers = new(StringComparer.Ordinal);

    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        var name = context.FunctionDefinition.Name;
        var modelId = context.BindingContext.BindingData.TryGetValue("modelId", out var value) ? value as string : null;
        using var activity = ServiceTelemetry.ActivitySource.StartActivity(name, ActivityKind.Internal);
        activity?.SetTag(TelemetryTags.FunctionName, name);
        activity?.SetTag(TelemetryTags.Trigger, TriggerOf(context.FunctionDefinition));
        activity?.SetTag(TelemetryTags.InvocationId, context.InvocationId);
        if (modelId is not null) activity?.SetTag(TelemetryTags.ModelId, modelId);

        var logger = _loggers.GetOrAdd(name, static (function, factory) => factory.CreateLogger("NeuralFP.Functions." + function), loggers);
        using var scope = logger.BeginScope(new InvocationScope(context.InvocationId, name, modelId));
        try
        {
            await next(context).ConfigureAwait(false);
            if (context.GetHttpContext()?.Response.StatusCode is >= 500 and var status)
                activity?.SetStatus(ActivityStatusCode.Error, $"HTTP {status}");
        }
        catch (Exception e)
        {
            if (!ProblemMapper.IsClientError(e))
            {
                activity?.SetStatus(ActivityStatusCode.Error, e.Message);
                activity?.AddException(e);
            }
            throw;
        }
    }

    internal static string TriggerOf(FunctionDefinition function)
    {
        foreach (var binding in function.InputBindings.Values)
        {
            switch (binding.Type.ToLowerInvariant())
            {
                case "httptrigger": return HttpTrigger;
                case "queuetrigger": return QueueTrigger;
                case "blobtrigger": return BlobTrigger;
                case "timertrigger": return TimerTrigger;
            }
        }
        return "other";
    }

    /// <summary>The invocation's log scope: three fixed pairs, without a dictionary per invocation.</summary>
    private sealed class InvocationScope(string invocationId, string functionName, string? modelId) : IReadOnlyList<KeyValuePair<string, object?>>
    {
        public int Count => 3;

        public KeyValuePair<string, object?> this[int index] => index switch
        {
            0 => new("InvocationId", invocationId),
            1 => new("FunctionName", functionName),
            2 => new("ModelId", modelId),
            _ => throw new ArgumentOutOfRangeException(nameof(index)),
        };

        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
        {
            for (var i = 0; i < Count; i++) yield return this[i];
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

        public override string ToString() => $"InvocationId:{invocationId} FunctionName:{functionName} ModelId:{modelId}";
    }
}
