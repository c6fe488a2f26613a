using System.Diagnostics;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;
using NeuralFP.Functions.Http;

namespace NeuralFP.Functions.Middleware;

/// <summary>Every exception leaving an HTTP function becomes a problem+json response (RFC 9457); server faults are logged.</summary>
internal sealed class HttpProblemMiddleware(ILogger<HttpProblemMiddleware> logger) : IFunctionsWorkerMiddleware
{
    public static bool Applies(FunctionContext context) => FunctionTelemetryMiddleware.TriggerOf(context.FunctionDefinition) == FunctionTelemetryMiddleware.HttpTrigger;

    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch (Exception e) when (context.GetHttpContext() is { Response.HasStarted: false } http && !http.RequestAborted.IsCancellationRequested)
        {
            var problem = ProblemMapper.ToProblem(e);
            if (problem is IStatusCodeHttpResult { StatusCode: >= 500 })
            {
                logger.LogError(e, "{Method} {Path} failed.", http.Request.Method, http.Request.Path);
                Activity.Current?.SetStatus(ActivityStatusCode.Error, e.Message);
                Activity.Current?.AddException(e);
            }
            else
            {
                logger.LogInformation("{Method} {Path} rejected: {Reason}", http.Request.Method, http.Request.Path, e.Message);
            }
            await problem.ExecuteAsync(http).ConfigureAwait(false);
        }
    }
}
